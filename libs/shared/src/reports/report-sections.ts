import type { EntityManager } from 'typeorm';
import type { BreakdownRow, ReportData } from './report-data';
import type { ReportFigures } from './report-figures';
import type { ReportPeriod } from './report-periods';

export type CellFormat = 'int' | 'pct' | 'text';
export type Cell = string | number | null;

export interface ReportColumn {
  key: string;
  /** Chinese header, as printed. */
  header: string;
  format: CellFormat;
  /** Shown in the PDF's table too (the XLSX has every column). */
  inPdf?: boolean;
}

/**
 * One section of a report: a sheet in the XLSX, a table in the PDF. The documents render sections only, so a new
 * section (e.g. recurring problems and their corrective actions) is one more provider, nothing else.
 */
export interface ReportSection {
  id: string;
  title: string;
  columns: ReportColumn[];
  rows: Array<Record<string, Cell>>;
  /** A 合计 line under the rows. */
  totals?: Record<string, Cell>;
  /** A bar chart of one int column (by the first column's labels) in the PDF. */
  chart?: { valueKey: string; title: string };
}

/** What a section provider is given: the report's period and figures, and a connection for its own queries. */
export interface ReportSectionContext {
  q: Pick<EntityManager, 'query'>;
  period: ReportPeriod;
  data: ReportData;
}

/**
 * Adds sections after the standard ones. The seam for sections built elsewhere (recurring problems and corrective
 * actions, issue 18): register a provider with the report generator (ReportDocumentsOptions.extraSections).
 */
export type ReportSectionProvider = (ctx: ReportSectionContext) => Promise<ReportSection[]>;

const figureColumns: ReportColumn[] = [
  { key: 'validComplaints', header: '有效投诉', format: 'int', inPdf: true },
  { key: 'closed', header: '已结案', format: 'int' },
  { key: 'closureRate', header: '结案率', format: 'pct', inPdf: true },
  { key: 'replied', header: '已答复', format: 'int' },
  { key: 'repliedOnTime', header: '按时答复', format: 'int' },
  { key: 'onTimeReplyRate', header: '及时答复率', format: 'pct', inPdf: true },
  { key: 'finished', header: '已办结', format: 'int' },
  { key: 'returnVisited', header: '已回访', format: 'int' },
  { key: 'returnVisitRate', header: '回访率', format: 'pct', inPdf: true },
  { key: 'visitAnswered', header: '回访应答', format: 'int' },
  { key: 'satisfied', header: '满意', format: 'int' },
  { key: 'satisfactionRate', header: '满意率', format: 'pct', inPdf: true },
  { key: 'overdue', header: '超期', format: 'int', inPdf: true },
  { key: 'escalated', header: '升级', format: 'int', inPdf: true },
];

const figureCells = (f: ReportFigures): Record<string, Cell> =>
  Object.fromEntries(figureColumns.map((c) => [c.key, f[c.key as keyof ReportFigures]]));

function breakdown(
  id: string,
  title: string,
  first: string,
  rows: BreakdownRow[],
  totals: ReportFigures,
  chart = false,
): ReportSection {
  return {
    id,
    title,
    columns: [{ key: 'label', header: first, format: 'text', inPdf: true }, ...figureColumns],
    rows: rows.map((r) => ({ label: r.label, ...figureCells(r) })),
    totals: { label: '合计', ...figureCells(totals) },
    ...(chart ? { chart: { valueKey: 'validComplaints', title: `有效投诉（${first}）` } } : {}),
  };
}

/** Change from `before` to `now` as a fraction (环比/同比); null when there was nothing before. */
const change = (now: number | null, before: number | null) =>
  now === null || before === null || before === 0 ? null : (now - before) / before;

const summaryLines: Array<[keyof ReportFigures, string, CellFormat]> = [
  ['validComplaints', '有效投诉', 'int'],
  ['closureRate', '结案率', 'pct'],
  ['onTimeReplyRate', '及时答复率', 'pct'],
  ['returnVisitRate', '回访率', 'pct'],
  ['satisfactionRate', '满意率', 'pct'],
  ['overdue', '超期', 'int'],
  ['escalated', '升级', 'int'],
];

/** The sections every report has: overview with comparisons, then the breakdowns; the department evaluation last. */
export function standardSections(d: ReportData): ReportSection[] {
  const t = d.totals;
  const summary: ReportSection = {
    id: 'summary',
    title: '总览',
    columns: [
      { key: 'figure', header: '指标', format: 'text', inPdf: true },
      { key: 'current', header: `本期 ${d.periodLabel}`, format: 'text', inPdf: true },
      { key: 'previous', header: `上期 ${d.previous.label}`, format: 'text', inPdf: true },
      { key: 'mom', header: '环比', format: 'pct', inPdf: true },
      { key: 'lastYear', header: `去年同期 ${d.lastYear.label}`, format: 'text', inPdf: true },
      { key: 'yoy', header: '同比', format: 'pct', inPdf: true },
    ],
    rows: summaryLines.map(([key, name, format]) => {
      const [now, prev, ly] = [t[key], d.previous.totals[key], d.lastYear.totals[key]];
      // Counts change by their ratio; rates by the difference in points (shown as a fraction).
      const delta = (b: number | null) =>
        format === 'int' ? change(now, b) : now === null || b === null ? null : now - b;
      return {
        figure: name,
        current: show(now, format),
        previous: show(prev, format),
        mom: delta(prev),
        lastYear: show(ly, format),
        yoy: delta(ly),
      };
    }),
  };
  const sections = [
    summary,
    breakdown('by-category', '按类别', '类别', d.byCategory, t, true),
    breakdown('by-estate', '按项目', '项目', d.byEstate, t),
    breakdown('by-channel', '按渠道', '渠道', d.byChannel, t),
    breakdown('by-type', '按类型', '类型', d.byType, t),
    breakdown(
      'by-department',
      d.kind === 'quarterly' || d.kind === 'yearly' ? '部门考评' : '按部门',
      '责任部门',
      d.byDepartment,
      t,
    ),
  ];
  return sections;
}

/** A figure as printed: counts as they are, rates as 87.5 %, none as —. */
export function show(v: number | null, format: CellFormat): string {
  if (v === null) return '—';
  return format === 'pct' ? `${(v * 100).toFixed(1)}%` : String(v);
}

/**
 * Nest injection token: the extra section providers of an app's report generation (an array; none when not
 * provided). A module adds its sections with `{ provide: REPORT_SECTION_PROVIDERS, useValue: [provider] }`.
 */
export const REPORT_SECTION_PROVIDERS = Symbol('REPORT_SECTION_PROVIDERS');
