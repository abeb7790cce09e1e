import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Req, type RawBodyRequest } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import type { z } from 'zod';
import {
  AppException,
  CurrentStaff,
  jsonSchema,
  Roles,
  ZodValidationPipe,
  type StaffPrincipal,
  TextBody,
  CSV_UPLOAD_MAX_BYTES,
} from '@kefu/shared';
import {
  batchParamSchema,
  collectionSchema,
  createBatchSchema,
  listQuerySchema,
  type CollectionDto,
  type CreateBatchDto,
} from './certificate.dto';
import { CertificateService, type BatchUnitView, type BatchView, type CreatedBatch } from './certificate.service';

/** Finance releases the notice (000 §6.2.2); there is no finance role yet: its department manager, or the GM's office. */
const releasers = ['dept_manager', 'vice_gm', 'gm'] as const;
/** Customer service hands certificates over and keeps the sign-off record. */
const signOff = ['cs_rep', 'dept_manager', 'vice_gm', 'gm'] as const;

@ApiTags('certificates')
@ApiBearerAuth()
@Controller('api/v1/certificate-batches')
export class CertificateController {
  constructor(private readonly certificates: CertificateService) {}

  @Post()
  @Roles(...releasers)
  @ApiOperation({
    summary: 'A 办证通知 batch: every owner of the units gets an SMS, an EMS letter and an email where known',
  })
  @ApiBody({ schema: jsonSchema(createBatchSchema) })
  create(
    @Body(new ZodValidationPipe(createBatchSchema)) dto: CreateBatchDto,
    @CurrentStaff() staff: StaffPrincipal,
  ): Promise<CreatedBatch> {
    const { unitIds, ...fields } = dto;
    return this.certificates.create(fields, unitIds, staff);
  }

  @Post('imports')
  @Roles(...releasers)
  @ApiConsumes('text/csv')
  @TextBody(CSV_UPLOAD_MAX_BYTES)
  @ApiOperation({
    summary:
      'Batches from a spreadsheet (UTF-8 or GBK CSV): columns estate, building, entrance, room, place, hours, documents (separated by ;), from_date, deadline [, reference] or their Chinese headers. Rows with the same estate and batch fields form one batch. Any bad row → 400 naming each, nothing imported',
  })
  importCsv(
    @Req() req: RawBodyRequest<Request>,
    @Headers('content-type') type: string | undefined,
    @CurrentStaff() staff: StaffPrincipal,
  ): Promise<{ encoding: string; batches: CreatedBatch[] }> {
    if (!req.rawBody || !/^text\/(csv|plain)/.test(type ?? ''))
      throw new AppException('bad_request', 'Send the CSV file as the request body with Content-Type: text/csv.');
    return this.certificates.importCsv(req.rawBody, staff);
  }

  @Get()
  @ApiOperation({
    summary: 'Batches with their progress: notified, delivered, letters signed for, collected, outstanding',
  })
  list(@Query(new ZodValidationPipe(listQuerySchema)) q: z.output<typeof listQuerySchema>): Promise<BatchView[]> {
    return this.certificates.list(q.projectId);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A batch and its progress' })
  get(@Param(new ZodValidationPipe(batchParamSchema)) p: z.output<typeof batchParamSchema>): Promise<BatchView> {
    return this.certificates.get(p.id);
  }

  @Get(':id/units')
  @ApiOperation({
    summary: "The batch's units: owners, notified, delivered, letters signed for, and the collection if signed for",
  })
  units(
    @Param(new ZodValidationPipe(batchParamSchema)) p: z.output<typeof batchParamSchema>,
  ): Promise<BatchUnitView[]> {
    return this.certificates.units(p.id);
  }

  @Post(':id/collections')
  @HttpCode(201)
  @Roles(...signOff)
  @ApiOperation({
    summary:
      'Record a collection (领取签收记录): who collected, relation, ID (stored masked), date; once per unit per batch',
  })
  @ApiBody({ schema: jsonSchema(collectionSchema) })
  collect(
    @Param(new ZodValidationPipe(batchParamSchema)) p: z.output<typeof batchParamSchema>,
    @Body(new ZodValidationPipe(collectionSchema)) dto: CollectionDto,
    @CurrentStaff() staff: StaffPrincipal,
  ): Promise<Record<string, unknown>> {
    return this.certificates.recordCollection(p.id, dto, staff);
  }

  @Get(':id/collections')
  @ApiOperation({ summary: "The batch's sign-off record" })
  collections(
    @Param(new ZodValidationPipe(batchParamSchema)) p: z.output<typeof batchParamSchema>,
  ): Promise<Array<Record<string, unknown>>> {
    return this.certificates.collections(p.id);
  }
}
