import {
  Body,
  Controller,
  Get,
  Header,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Req,
  StreamableFile,
} from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import {
  CurrentStaff,
  jsonSchema,
  Roles,
  ZodValidationPipe,
  type StaffPrincipal,
  TextBody,
  CSV_UPLOAD_MAX_BYTES,
} from '@kefu/shared';
import { listLettersSchema, recordWaybillsSchema, type ListLettersQuery } from './letters.dto';
import { LettersService, type TrackingReport, type WaybillReport } from './letters.service';
import { readCsvUpload } from './upload';

const staff = ['cs_rep', 'dept_manager', 'vice_gm', 'gm'] as const;
const uuid = new ParseUUIDPipe();
const waybillsPipe = new ZodValidationPipe(recordWaybillsSchema);

@ApiTags('letters')
@ApiBearerAuth()
@Controller('api/v1/letters')
export class LettersController {
  constructor(private readonly letters: LettersService) {}

  @Get()
  @Roles(...staff)
  @ApiOperation({ summary: 'EMS letters, newest first: ?notificationId=, ?status=signed_for,returned, ?manifestId=' })
  list(@Query(new ZodValidationPipe(listLettersSchema)) q: ListLettersQuery) {
    return this.letters.list(q);
  }

  @Get('manifests')
  @Roles(...staff)
  @ApiOperation({
    summary: 'Manifests (batches handed to the post office), newest first, with how many letters have a waybill number',
  })
  manifests() {
    return this.letters.manifests();
  }

  @Post('manifests')
  @Roles(...staff)
  @ApiOperation({ summary: 'Put every letter not yet in a manifest into a new one (409 when there is none)' })
  createManifest(@CurrentStaff() who: StaffPrincipal) {
    return this.letters.createManifest(who);
  }

  @Get('manifests/:id/csv')
  @Roles(...staff)
  @Header('Content-Type', 'text/csv; charset=utf-8')
  @ApiOperation({
    summary:
      'The manifest as a bulk EMS order (UTF-8 CSV with BOM for Excel): recipient, phone, address, postcode, reference, weight, 内件, sender; 邮件号 left to fill',
  })
  async manifestCsv(@Param('id', uuid) id: string): Promise<StreamableFile> {
    return new StreamableFile(Buffer.from(await this.letters.manifestCsv(id), 'utf8'), {
      disposition: `attachment; filename="ems-manifest-${id}.csv"`,
    });
  }

  @Post('waybills')
  @HttpCode(200)
  @Roles(...staff)
  @ApiConsumes('application/json', 'text/csv', 'application/octet-stream')
  @TextBody(CSV_UPLOAD_MAX_BYTES)
  @ApiBody({ schema: jsonSchema(recordWaybillsSchema) })
  @ApiOperation({
    summary:
      'Record waybill numbers: JSON items, or the filled-in manifest CSV (参考号 + 邮件号; UTF-8 or GBK). All or nothing; bad rows are named',
  })
  async recordWaybills(@Req() req: Request, @Body() body: unknown): Promise<WaybillReport> {
    if (req.is('application/json')) {
      const dto = waybillsPipe.transform(body);
      return this.letters.recordWaybills(dto.items);
    }
    return this.letters.recordWaybills(this.letters.waybillsFromCsv(await readCsvUpload(req)));
  }

  @Post('tracking-imports')
  @HttpCode(200)
  @Roles(...staff)
  @ApiConsumes('text/csv', 'application/octet-stream')
  @TextBody(CSV_UPLOAD_MAX_BYTES)
  @ApiOperation({
    summary:
      "Import the carrier's tracking export (邮件号, 时间, 处理动作, 地点, 签收人; UTF-8 or GBK): receipts and statuses, bad rows reported; a re-import changes nothing",
  })
  async importTracking(@Req() req: Request): Promise<TrackingReport> {
    return this.letters.importTracking(await readCsvUpload(req));
  }

  @Get(':id/pdf')
  @Roles(...staff)
  @Header('Content-Type', 'application/pdf')
  @ApiOperation({ summary: 'The letter as printed (PDF)' })
  async pdf(@Param('id', uuid) id: string): Promise<StreamableFile> {
    const { reference, pdf } = await this.letters.pdf(id);
    return new StreamableFile(pdf, { disposition: `inline; filename="${reference}.pdf"` });
  }
}
