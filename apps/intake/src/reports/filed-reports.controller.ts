import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AppException, CurrentStaff, jsonSchema, Roles, ZodValidationPipe, type StaffPrincipal } from '@kefu/shared';
import {
  documentFormatSchema,
  filedReportsSchema,
  generateReportSchema,
  type FiledReportsQuery,
  type GenerateReportBody,
} from './filed-reports.dto';
import { FiledReportsService } from './filed-reports.service';

const uuid = new ParseUUIDPipe();

/** The filed reports (周报, 客服月报, 季度报告, 年度总结): list, figures, XLSX and PDF, generate now. Managers only. */
@ApiTags('reports')
@ApiBearerAuth()
@Controller('api/v1/reports/filed')
@Roles('dept_manager', 'vice_gm', 'gm')
export class FiledReportsController {
  constructor(private readonly reports: FiledReportsService) {}

  @Get()
  @ApiOperation({ summary: 'Filed reports, newest period first (kind: weekly, monthly, quarterly, yearly)' })
  list(@Query(new ZodValidationPipe(filedReportsSchema)) q: FiledReportsQuery) {
    return this.reports.list(q);
  }

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Generate now: a period still running (default: this month) gives a provisional report, replaced when the scheduler files it; a filed period stays as filed',
  })
  @ApiBody({ schema: jsonSchema(generateReportSchema) })
  generate(
    @Body(new ZodValidationPipe(generateReportSchema)) b: GenerateReportBody,
    @CurrentStaff() s: StaffPrincipal,
  ) {
    return this.reports.generate(b, s.id);
  }

  @Get(':id')
  @ApiOperation({ summary: "A report's figures (as its documents show them)" })
  get(@Param('id', uuid) id: string) {
    return this.reports.get(id);
  }

  @Get(':id/:format')
  @ApiOperation({ summary: 'The report as XLSX or PDF (format: xlsx | pdf)' })
  async document(@Param('id', uuid) id: string, @Param('format') format: string, @Res() res: Response) {
    const f = documentFormatSchema.safeParse(format);
    if (!f.success)
      throw new AppException(
        'validation_failed',
        `格式应为 xlsx 或 pdf (format must be xlsx or pdf, not "${format}")`,
        {
          fields: [{ field: 'format', message: 'must be xlsx or pdf' }],
        },
      );
    const d = await this.reports.document(id, f.data);
    res.setHeader('Content-Type', d.type);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(d.filename)}`);
    res.end(d.data);
  }
}
