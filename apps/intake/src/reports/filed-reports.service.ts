import { Inject, Injectable, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import {
  APP_CONFIG,
  AppException,
  CLOCK,
  generateReport,
  parsePeriod,
  periodContaining,
  REPORT_SECTION_PROVIDERS,
  ReportPeriodError,
  reportFileName,
  zonedParts,
  type AppConfig,
  type Clock,
  type ReportKind,
  type ReportSectionProvider,
} from '@kefu/shared';
import type { FiledReportsQuery, GenerateReportBody } from './filed-reports.dto';

export interface FiledReportView {
  id: string;
  kind: ReportKind;
  periodKey: string;
  title: string;
  periodStart: string;
  /** Exclusive. */
  periodEnd: string;
  final: boolean;
  trigger: string;
  generatedAt: string;
  xlsxSize: number;
  pdfSize: number;
  /** Mails to the distribution list: sent, failed. */
  mailed: number;
  mailFailed: number;
}

const viewSql = `SELECT r.id, r.kind, r.period_key AS "periodKey", r.title,
       to_char(r.period_start, 'YYYY-MM-DD') AS "periodStart", to_char(r.period_end, 'YYYY-MM-DD') AS "periodEnd",
       r.final, r.trigger, r.generated_at AS "generatedAt", r.xlsx_size AS "xlsxSize", r.pdf_size AS "pdfSize",
       (SELECT count(*)::int FROM report_deliveries d WHERE d.report_id = r.id AND d.status = 'sent') AS mailed,
       (SELECT count(*)::int FROM report_deliveries d WHERE d.report_id = r.id AND d.status = 'failed') AS "mailFailed"
  FROM reports r`;

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The filed reports for the console: the list, their figures and documents, and staff's "generate now". */
@Injectable()
export class FiledReportsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Optional() @Inject(REPORT_SECTION_PROVIDERS) private readonly extra: ReportSectionProvider[] | null,
  ) {}

  list(q: FiledReportsQuery): Promise<FiledReportView[]> {
    return this.ds.query<FiledReportView[]>(
      `${viewSql} WHERE ($1::text IS NULL OR r.kind = $1) ORDER BY r.period_end DESC, r.kind LIMIT $2`,
      [q.kind ?? null, q.limit],
    );
  }

  async get(id: string): Promise<FiledReportView & { figures: Record<string, unknown> }> {
    const [row] = await this.ds.query<Array<FiledReportView & { figures: Record<string, unknown> }>>(
      `SELECT v.*, r.figures FROM (${viewSql} WHERE r.id = $1) v JOIN reports r ON r.id = v.id`,
      [id],
    );
    if (!row) throw new AppException('not_found', `报告不存在 (no report ${id})`);
    return row;
  }

  async document(id: string, format: 'xlsx' | 'pdf'): Promise<{ filename: string; type: string; data: Buffer }> {
    const [row] = await this.ds.query<Array<{ title: string; period_key: string; data: Buffer }>>(
      `SELECT title, period_key, ${format === 'xlsx' ? 'xlsx' : 'pdf'} AS data FROM reports WHERE id = $1`,
      [id],
    );
    if (!row) throw new AppException('not_found', `报告不存在 (no report ${id})`);
    return {
      filename: reportFileName(row.title, row.period_key, format),
      type: format === 'xlsx' ? XLSX_TYPE : 'application/pdf',
      data: row.data,
    };
  }

  /**
   * Generates a report now: by default this month's 客服月报 so far. A period still running gives a provisional
   * report, replaced when the scheduler files it after the period; a period already filed stays as filed.
   */
  async generate(body: GenerateReportBody, staffId: string): Promise<FiledReportView & { written: boolean }> {
    const now = this.clock.now();
    const today = zonedParts(now, this.config.BUSINESS_TIME_ZONE).day;
    let period;
    try {
      period = body.period ? parsePeriod(body.kind, body.period) : periodContaining(body.kind, today);
    } catch (err) {
      if (err instanceof ReportPeriodError)
        throw new AppException('validation_failed', err.message, {
          fields: [{ field: 'period', message: err.message }],
        });
      throw err;
    }
    if (period.from > today)
      throw new AppException(
        'validation_failed',
        `报告期 ${period.key} 尚未开始 (period ${period.key} has not begun)`,
        {
          fields: [{ field: 'period', message: 'has not begun' }],
        },
      );
    const stored = await generateReport(this.ds, this.config, period, {
      asOf: now,
      trigger: 'staff',
      staffId,
      extraSections: this.extra ?? [],
    });
    const [view] = await this.ds.query<FiledReportView[]>(`${viewSql} WHERE r.id = $1`, [stored.id]);
    return { ...view!, written: stored.written };
  }
}
