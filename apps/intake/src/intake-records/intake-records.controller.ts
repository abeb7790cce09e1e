import { Controller, Get, Header, HttpCode, Param, ParseUUIDPipe, Post, Query, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentStaff, Roles, ZodValidationPipe, type StaffPrincipal } from '@kefu/shared';
import { listIntakeRecordsSchema, type ListIntakeRecordsQuery } from './intake-records.dto';
import { IntakeRecordsService } from './intake-records.service';

const staff = ['cs_rep', 'dept_manager', 'vice_gm', 'gm'] as const;
const uuid = new ParseUUIDPipe();

@ApiTags('intake-records')
@ApiBearerAuth()
@Controller('api/v1/intake-records')
export class IntakeRecordsController {
  constructor(private readonly records: IntakeRecordsService) {}

  @Get()
  @Roles(...staff)
  @ApiOperation({
    summary: 'Inbound items as stored, newest first; ?outcome=quarantined lists the quarantine with each reason',
  })
  list(@Query(new ZodValidationPipe(listIntakeRecordsSchema)) q: ListIntakeRecordsQuery) {
    return this.records.list(q);
  }

  @Get(':id')
  @Roles(...staff)
  @ApiOperation({ summary: 'One intake record: outcome and reason, the parsed summary, its attachments' })
  detail(@Param('id', uuid) id: string) {
    return this.records.detail(id);
  }

  @Get(':id/raw')
  @Roles(...staff)
  @Header('Content-Type', 'message/rfc822')
  @Header('X-Content-Type-Options', 'nosniff')
  @ApiOperation({ summary: 'The stored message exactly as received (download, never rendered)' })
  async raw(@Param('id', uuid) id: string): Promise<StreamableFile> {
    return new StreamableFile(await this.records.rawBytes(id), { disposition: `attachment; filename="${id}.eml"` });
  }

  @Post(':id/reprocess')
  @HttpCode(200)
  @Roles(...staff)
  @ApiOperation({
    summary: 'Process a quarantined (or pending) mail again from its stored bytes, e.g. after a fix; attempts + 1',
  })
  reprocess(@Param('id', uuid) id: string, @CurrentStaff() s: StaffPrincipal) {
    return this.records.reprocess(id, s);
  }
}
