import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config';
import { buildReportData, type ReportData } from './report-data';
import { renderReportPdf } from './report-pdf';
import { standardSections, type ReportSectionProvider } from './report-sections';
import { renderReportXlsx } from './report-xlsx';
import type { ReportPeriod } from './report-periods';

export interface GenerateReportOptions {
  /** The instant the figures are taken; the report is final when it is at or after the period's end. */
  asOf: Date;
  trigger: 'schedule' | 'staff';
  staffId?: string | null;
  /** Sections built elsewhere, after the standard ones (e.g. recurring problems and corrective actions). */
  extraSections?: readonly ReportSectionProvider[];
}

export interface StoredReport {
  id: string;
  /** False when a final report of the period already existed and was kept as filed. */
  written: boolean;
  final: boolean;
}

/** Local midnight of a business-zone day, as an instant (Postgres does the zone arithmetic in the store). */
const periodEndInstant = async (ds: DataSource, day: string, tz: string) =>
  (await ds.query<Array<{ t: Date }>>(`SELECT ($1::date::timestamp AT TIME ZONE $2) AS t`, [day, tz]))[0]!.t;

/**
 * Builds a report (figures, sections, XLSX, PDF) and files it under its kind and period. One row per kind and period
 * (uq_reports_kind_period): a final report — generated after its period — stays as filed; a report generated during
 * its period (staff's "generate now") is replaced by the next generation, so the scheduled one supersedes it.
 */
export async function generateReport(
  ds: DataSource,
  config: AppConfig,
  period: ReportPeriod,
  opts: GenerateReportOptions,
): Promise<StoredReport> {
  const tz = config.BUSINESS_TIME_ZONE;
  const final = opts.asOf.getTime() >= (await periodEndInstant(ds, period.to, tz)).getTime();
  const existing = await ds.query<Array<{ id: string }>>(
    `SELECT id FROM reports WHERE kind = $1 AND period_key = $2 AND final`,
    [period.kind, period.key],
  );
  if (existing[0]) return { id: existing[0].id, written: false, final: true };
  const data = await buildReportData(ds, period, { timeZone: tz, asOf: opts.asOf });
  const { xlsx, pdf } = await renderReport(ds, period, data, config, opts.extraSections ?? []);
  const [row] = await ds.query<Array<{ id: string; final: boolean }>>(
    `INSERT INTO reports (kind, period_key, period_start, period_end, title, figures, xlsx, pdf, xlsx_size, pdf_size,
                          final, trigger, generated_by_id, generated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
     ON CONFLICT ON CONSTRAINT uq_reports_kind_period DO UPDATE
       SET title = EXCLUDED.title, figures = EXCLUDED.figures, xlsx = EXCLUDED.xlsx, pdf = EXCLUDED.pdf,
           xlsx_size = EXCLUDED.xlsx_size, pdf_size = EXCLUDED.pdf_size, final = EXCLUDED.final,
           trigger = EXCLUDED.trigger, generated_by_id = EXCLUDED.generated_by_id, generated_at = EXCLUDED.generated_at
       WHERE NOT reports.final
     RETURNING id, final`,
    [
      period.kind,
      period.key,
      period.from,
      period.to,
      `${data.title} ${data.periodLabel}`,
      data,
      xlsx,
      pdf,
      xlsx.length,
      pdf.length,
      final,
      opts.trigger,
      opts.staffId ?? null,
      opts.asOf,
    ],
  );
  if (row) return { id: row.id, written: true, final: row.final };
  // Another generator filed the final one between our check and our insert: it stands.
  const [kept] = await ds.query<Array<{ id: string }>>(`SELECT id FROM reports WHERE kind = $1 AND period_key = $2`, [
    period.kind,
    period.key,
  ]);
  return { id: kept!.id, written: false, final: true };
}

/** The report's documents from its figures: the standard sections, then each provider's. */
export async function renderReport(
  ds: DataSource,
  period: ReportPeriod,
  data: ReportData,
  config: AppConfig,
  extra: readonly ReportSectionProvider[],
): Promise<{ xlsx: Buffer; pdf: Buffer }> {
  const sections = standardSections(data);
  for (const provide of extra) sections.push(...(await provide({ q: ds, period, data })));
  const [xlsx, pdf] = await Promise.all([
    renderReportXlsx(data, sections),
    renderReportPdf(data, sections, { path: config.LETTER_FONT_PATH, family: config.LETTER_FONT_FAMILY }),
  ]);
  return { xlsx, pdf };
}

/** File names for downloads and attachments: 客服月报-2026-11.xlsx. */
export function reportFileName(title: string, periodKey: string, ext: 'xlsx' | 'pdf'): string {
  return `${title.split(' ')[0]}-${periodKey}.${ext}`;
}
