import type { FactoryProvider } from '@nestjs/common';
import { zonedToUtc } from '../calendar/zoned-time';
import { APP_CONFIG, type AppConfig } from '../config';
import { recurringProblemsSection } from './recurring-problems';
import { correctiveActionsTable, recurringProblemsTable, type ReportTable } from './recurring-problems.table';
import { REPORT_SECTION_PROVIDERS, type Cell, type ReportSection, type ReportSectionProvider } from './report-sections';

/** A table of text and counts as a report section: every column in the XLSX, the first few in the PDF. */
function sectionOf(id: string, table: ReportTable, pdfColumns: number): ReportSection {
  const numeric = table.headers.map(
    (_, i) => table.rows.length > 0 && table.rows.every((r) => typeof r[i] === 'number'),
  );
  return {
    id,
    title: table.title,
    columns: table.headers.map((header, i) => ({
      key: `c${i}`,
      header,
      format: numeric[i] ? 'int' : 'text',
      inPdf: i < pdfColumns,
    })),
    rows: table.rows.map((r) => Object.fromEntries(r.map((v, i): [string, Cell] => [`c${i}`, v]))),
  };
}

/**
 * The recurring problems (重复/共性问题) of a report's period and the follow-up of their corrective actions (整改跟进),
 * as two sections after the standard ones (001 投诉 §4.1.6–4.1.7: common problems are reported with their
 * rectification). The period's business-zone days become instants in the business time zone.
 */
export function recurringProblemsSections(config: AppConfig): ReportSectionProvider {
  return async ({ q, period }) => {
    const tz = config.BUSINESS_TIME_ZONE;
    const found = await recurringProblemsSection(q, config, {
      start: zonedToUtc(period.from, 0, tz),
      end: zonedToUtc(period.to, 0, tz),
    });
    return [
      sectionOf('recurring-problems', recurringProblemsTable(found), 5),
      sectionOf('corrective-actions', correctiveActionsTable(found), 5),
    ];
  };
}

/** The Nest provider both apps that file reports (scheduler on schedule, intake on 立即生成) register. */
export const recurringReportSections: FactoryProvider<ReportSectionProvider[]> = {
  provide: REPORT_SECTION_PROVIDERS,
  useFactory: (config: AppConfig) => [recurringProblemsSections(config)],
  inject: [APP_CONFIG],
};
