import {
  Body,
  Controller,
  Get,
  Header,
  Headers,
  HttpCode,
  Param,
  Post,
  Query,
  Req,
  StreamableFile,
  type RawBodyRequest,
} from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import type { z } from 'zod';
import {
  AppException,
  CSV_UPLOAD_MAX_BYTES,
  CurrentStaff,
  jsonSchema,
  Roles,
  TextBody,
  ZodValidationPipe,
  type StaffPrincipal,
} from '@kefu/shared';
import {
  audienceSchema,
  createNoticeSchema,
  listNoticesSchema,
  noticeParamSchema,
  recipientsQuerySchema,
  type AudienceDto,
  type CreateNoticeDto,
} from './notices.dto';
import { NoticesService, type NoticeView, type RecipientView } from './notices.service';

/** Customer service writes and sends notices; managers too. */
const staffRoles = ['cs_rep', 'dept_manager', 'vice_gm', 'gm', 'admin'] as const;
type IdParam = z.output<typeof noticeParamSchema>;
const idPipe = new ZodValidationPipe(noticeParamSchema);

@ApiTags('notices')
@ApiBearerAuth()
@Controller('api/v1/notices')
@Roles(...staffRoles)
export class NoticesController {
  constructor(private readonly notices: NoticesService) {}

  @Post()
  @ApiOperation({
    summary:
      'A draft notice (handover, construction_progress, safety_alert, holiday_greeting, official) for an estate, its audience resolved and stored: buildings, units, life stages',
  })
  @ApiBody({ schema: jsonSchema(createNoticeSchema) })
  create(
    @Body(new ZodValidationPipe(createNoticeSchema)) dto: CreateNoticeDto,
    @CurrentStaff() staff: StaffPrincipal,
  ): Promise<NoticeView> {
    return this.notices.create(dto, staff);
  }

  @Get()
  @ApiOperation({ summary: 'Notices, newest first, with their progress' })
  list(@Query(new ZodValidationPipe(listNoticesSchema)) q: z.output<typeof listNoticesSchema>): Promise<NoticeView[]> {
    return this.notices.list(q);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A notice with its live progress: queued, sent, delivered, failed; left out by reason' })
  get(@Param(idPipe) p: IdParam): Promise<NoticeView> {
    return this.notices.get(p.id);
  }

  @Post(':id/audience')
  @HttpCode(200)
  @ApiOperation({ summary: "A draft's audience again: buildings, units, life stages of its estate" })
  @ApiBody({ schema: jsonSchema(audienceSchema) })
  audience(
    @Param(idPipe) p: IdParam,
    @Body(new ZodValidationPipe(audienceSchema)) dto: AudienceDto,
  ): Promise<NoticeView> {
    return this.notices.setAudience(p.id, dto);
  }

  @Post(':id/audience/csv')
  @HttpCode(200)
  @ApiConsumes('text/csv')
  @TextBody(CSV_UPLOAD_MAX_BYTES)
  @ApiOperation({
    summary:
      "A draft's audience from a spreadsheet of units (UTF-8 or GBK CSV; columns building/楼栋, entrance/单元, room/房号). A line naming no unit of the estate → 400 naming each line",
  })
  audienceCsv(
    @Param(idPipe) p: IdParam,
    @Req() req: RawBodyRequest<Request>,
    @Headers('content-type') type: string | undefined,
  ): Promise<NoticeView & { encoding: string }> {
    if (!req.rawBody || !/^text\/(csv|plain)/.test(type ?? ''))
      throw new AppException('bad_request', 'Send the CSV file as the request body with Content-Type: text/csv.');
    return this.notices.setAudienceFromCsv(p.id, req.rawBody);
  }

  @Get(':id/recipients')
  @ApiOperation({ summary: 'The stored audience (preview before sending): who gets it, who is left out and why' })
  recipients(
    @Param(idPipe) p: IdParam,
    @Query(new ZodValidationPipe(recipientsQuerySchema)) q: z.output<typeof recipientsQuerySchema>,
  ): Promise<{ total: number; items: RecipientView[] }> {
    return this.notices.recipients(p.id, q);
  }

  @Post(':id/send')
  @HttpCode(200)
  @ApiOperation({
    summary: 'draft → sending: every recipient gets one message (a second click sends nothing twice: 409)',
  })
  send(@Param(idPipe) p: IdParam, @CurrentStaff() staff: StaffPrincipal): Promise<NoticeView> {
    return this.notices.send(p.id, staff);
  }

  @Post(':id/pause')
  @HttpCode(200)
  @ApiOperation({ summary: 'sending → paused: messages not yet sent are held' })
  pause(@Param(idPipe) p: IdParam): Promise<NoticeView> {
    return this.notices.pause(p.id);
  }

  @Post(':id/resume')
  @HttpCode(200)
  @ApiOperation({ summary: 'paused → sending: the held messages go on' })
  resume(@Param(idPipe) p: IdParam, @CurrentStaff() staff: StaffPrincipal): Promise<NoticeView> {
    return this.notices.resume(p.id, staff);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: 'draft / sending / paused → cancelled: messages not yet sent are withdrawn' })
  cancel(@Param(idPipe) p: IdParam): Promise<NoticeView> {
    return this.notices.cancel(p.id);
  }

  @Get(':id/sign-off.csv')
  @ApiProduces('text/csv')
  @Header('Content-Type', 'text/csv; charset=utf-8')
  @ApiOperation({ summary: 'The sign-off record: per recipient how and when it was received (receipts, EMS signer)' })
  async signOff(@Param(idPipe) p: IdParam): Promise<StreamableFile> {
    const { reference, csv } = await this.notices.signOffCsv(p.id);
    return new StreamableFile(Buffer.from(csv, 'utf8'), { disposition: `attachment; filename="${reference}.csv"` });
  }

  @Get(':id/pdf')
  @ApiProduces('application/pdf')
  @Header('Content-Type', 'application/pdf')
  @ApiOperation({ summary: "The notice as a printable A4 PDF for the estate's notice boards" })
  async pdf(@Param(idPipe) p: IdParam): Promise<StreamableFile> {
    const { reference, pdf } = await this.notices.pdf(p.id);
    return new StreamableFile(pdf, { disposition: `inline; filename="${reference}.pdf"` });
  }
}
