import type { EntityManager } from 'typeorm';
import type { CaseCategory, CaseChannel, CaseType } from '../database/entities';
import { surveyFiguresSql } from '../owner-care/surveys';
import {
  caseFactsSql,
  complaintTypes,
  figureAggregatesSql,
  figuresOf,
  rate,
  type FigureRow,
  type ReportFigures,
} from './report-figures';
import { previousPeriod, reportTitles, samePeriodLastYear, type ReportKind, type ReportPeriod } from './report-periods';

type Queryable = Pick<EntityManager, 'query'>;

/** Ties by label in code-point order (the same on every machine), the none-recorded row last. */
const byLabel = (a: { key: string | null; label: string }, b: { key: string | null; label: string }) =>
  a.key === null ? 1 : b.key === null ? -1 : a.label < b.label ? -1 : a.label > b.label ? 1 : 0;

/** Chinese names of the groups, as on the paper forms (001 §3, 002 §7.1). */
export const categoryNames: Record<CaseCategory, string> = {
  engineering_quality: '工程质量',
  planning_design: '规划设计',
  sales: '销售管理',
  property_management: '物业管理',
  customer_service: '客户服务',
  other: '其他',
};
export const channelNames: Record<CaseChannel, string> = {
  hotline: '热线',
  email: '邮件',
  fax: '传真',
  web: '网上表单',
  suggestion_box: '意见箱',
  walk_in: '来访',
};
export const typeNames: Partial<Record<CaseType, string>> = { complaint: '投诉', repair: '报修', claim: '索赔' };

/** One line of a breakdown: the group's key (null: none recorded) and Chinese label, and its figures. */
export interface BreakdownRow extends ReportFigures {
  key: string | null;
  label: string;
}

export interface ComparedPeriod {
  key: string;
  label: string;
  totals: ReportFigures;
}

/** Everything a filed report shows; the documents (XLSX, PDF) and the API render this, nothing else. */
export interface ReportData {
  kind: ReportKind;
  key: string;
  title: string;
  periodLabel: string;
  from: string;
  to: string;
  timeZone: string;
  /** The instant the figures were taken (overdue is judged at it). */
  asOf: string;
  totals: ReportFigures;
  /** 环比 and 同比. */
  previous: ComparedPeriod;
  lastYear: ComparedPeriod;
  byCategory: BreakdownRow[];
  byEstate: BreakdownRow[];
  byChannel: BreakdownRow[];
  byType: BreakdownRow[];
  /** Each responsible department's evaluation (cases owned, on-time rate, escalations, satisfaction). */
  byDepartment: BreakdownRow[];
  ownerSurvey: {
    respondents: number;
    satisfied: number;
    loyal: number;
    satisfaction: number | null;
    loyalty: number | null;
  };
}

interface Row extends FigureRow {
  slot: 'cur' | 'prev' | 'ly';
  category: CaseCategory | null;
  project_id: string | null;
  code: string | null;
  name: string | null;
  channel: CaseChannel | null;
  type: CaseType | null;
  department_id: string | null;
  department_name: string | null;
  g: number;
}

// GROUPING(category, project_id, channel, type, department_id) bit masks (1 = not grouped by that column).
const G = { total: 0b11111, category: 0b01111, estate: 0b10111, channel: 0b11011, type: 0b11101, dept: 0b11110 };

const range = (p: ReportPeriod, n: number) =>
  `(c.received_at >= ($${n}::date::timestamp AT TIME ZONE $1) AND c.received_at < ($${n + 1}::date::timestamp AT TIME ZONE $1))`;

/**
 * The report's figures for a period, with the previous period and the same period last year (totals), in one
 * statement over the three ranges (each a plain received_at range the planner can use an index for).
 */
export async function buildReportData(
  q: Queryable,
  period: ReportPeriod,
  opts: { timeZone: string; asOf: Date },
): Promise<ReportData> {
  const prev = previousPeriod(period);
  const ly = samePeriodLastYear(period);
  const tz = opts.timeZone;
  const slot = `CASE WHEN ${range(period, 2)} THEN 'cur' WHEN ${range(prev, 4)} THEN 'prev' ELSE 'ly' END AS slot`;
  const rows = await q.query<Row[]>(
    `WITH facts AS (${caseFactsSql(
      `c.type = ANY($8::text[]) AND (${range(period, 2)} OR ${range(prev, 4)} OR ${range(ly, 6)})`,
      slot,
    )})
     SELECT slot, category, project_id, code, name, channel, type, department_id, department_name,
            GROUPING(category, project_id, channel, type, department_id)::int AS g,
            ${figureAggregatesSql('$9::timestamptz')}
       FROM facts
      GROUP BY GROUPING SETS ((slot), (slot, category), (slot, project_id, code, name), (slot, channel), (slot, type),
                              (slot, department_id, department_name))`,
    [tz, period.from, period.to, prev.from, prev.to, ly.from, ly.to, complaintTypes, opts.asOf],
  );
  const [survey] = await q.query<Array<{ respondents: number; satisfied: number; loyal: number }>>(
    `SELECT ${surveyFiguresSql('a')} FROM survey_answers a
      WHERE a.created_at >= ($2::date::timestamp AT TIME ZONE $1) AND a.created_at < ($3::date::timestamp AT TIME ZONE $1)`,
    [tz, period.from, period.to],
  );
  const total = (s: Row['slot']) => figuresOf(rows.find((r) => r.slot === s && r.g === G.total));
  const cur = rows.filter((r) => r.slot === 'cur');
  const group = (mask: number, key: (r: Row) => string | null, label: (r: Row) => string): BreakdownRow[] =>
    cur
      .filter((r) => r.g === mask)
      .map((r) => ({ key: key(r), label: label(r), ...figuresOf(r) }))
      .sort((a, b) => b.validComplaints - a.validComplaints || byLabel(a, b));
  return {
    kind: period.kind,
    key: period.key,
    title: reportTitles[period.kind],
    periodLabel: period.label,
    from: period.from,
    to: period.to,
    timeZone: tz,
    asOf: opts.asOf.toISOString(),
    totals: total('cur'),
    previous: { key: prev.key, label: prev.label, totals: total('prev') },
    lastYear: { key: ly.key, label: ly.label, totals: total('ly') },
    byCategory: group(
      G.category,
      (r) => r.category,
      (r) => (r.category ? categoryNames[r.category] : '未分类'),
    ),
    byEstate: group(
      G.estate,
      (r) => r.project_id,
      (r) => (r.code ? `${r.name ?? ''}（${r.code}）` : '未关联项目'),
    ),
    byChannel: group(
      G.channel,
      (r) => r.channel,
      (r) => (r.channel ? channelNames[r.channel] : '—'),
    ),
    byType: group(
      G.type,
      (r) => r.type,
      (r) => (r.type ? (typeNames[r.type] ?? r.type) : '—'),
    ),
    byDepartment: group(
      G.dept,
      (r) => r.department_id,
      (r) => r.department_name ?? '未分派部门',
    ),
    ownerSurvey: {
      ...survey!,
      satisfaction: rate(survey!.satisfied, survey!.respondents),
      loyalty: rate(survey!.loyal, survey!.respondents),
    },
  };
}
