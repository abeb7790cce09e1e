import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import {
  APP_CONFIG,
  caseFactsSql,
  complaintTypes,
  figureAggregatesSql,
  monthlyFiguresOf,
  rate,
  READ_DATA_SOURCE,
  surveyFiguresSql,
  type AppConfig,
  type CaseCategory,
  type FigureRow,
  type MonthlyFigures,
} from '@kefu/shared';
import { OVERDUE } from '../cases/case-query.service';
import type { MonthlyQuery, OpenCasesQuery } from './reports.dto';

/**
 * The manager dashboard. Open-cases report (a snapshot, now):
 * - open: every case, of any type, whose status is neither `closed` nor `rejected` (判为无效).
 * - overdue: an open case whose promised reply date (cases.promised_reply_at, as moved with the customer's
 *   agreement) has passed and that has not been answered yet, i.e. is still `new`, `accepted` or `assigned`.
 *   The same rule as the case queue's overdue filter (cases/case-query.service.ts), so the numbers agree.
 *
 * Monthly report for month M (calendar month in BUSINESS_TIME_ZONE): the figures defined once in
 * libs/shared/src/reports/report-figures.ts (shared with the filed reports, so the numbers agree), for M, by category
 * and estate, and the trend (the same totals for M and the 5 months before it, oldest first). Owner satisfaction
 * (业主满意度, 001 §3): survey answers given in M (surveyFiguresSql); the survey pages have the detail.
 */
const TREND_MONTHS = 6;

export interface OpenFigures {
  open: number;
  overdue: number;
}
export interface Estate {
  projectId: string | null;
  projectCode: string | null;
  projectName: string | null;
}

interface MonthlyRow extends FigureRow {
  month: string;
  category: CaseCategory | null;
  project_id: string | null;
  code: string | null;
  name: string | null;
  g_category: number;
  g_project: number;
}

const figures = (r?: MonthlyRow): MonthlyFigures => monthlyFiguresOf(r);

@Injectable()
export class ReportsService {
  constructor(
    // Reports read through DATABASE_READ_URL when set (a replica's lag is fine for figures), else the primary.
    @Inject(READ_DATA_SOURCE) private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** One pass over the open cases (ix_cases_status_promised), grouped by category and by estate at once. */
  async openCases(q: OpenCasesQuery) {
    const rows = await this.ds.query<
      Array<{
        category: CaseCategory | null;
        project_id: string | null;
        code: string | null;
        name: string | null;
        g_category: number;
        g_project: number;
        open: number;
        overdue: number;
      }>
    >(
      `SELECT c.category, c.project_id, p.code, p.name,
              GROUPING(c.category)::int AS g_category, GROUPING(c.project_id, p.code, p.name)::int AS g_project,
              count(*)::int AS open, count(*) FILTER (WHERE ${OVERDUE})::int AS overdue
         FROM cases c
         LEFT JOIN projects p ON p.id = c.project_id
        WHERE c.status NOT IN ('closed', 'rejected') AND ($1::uuid IS NULL OR c.project_id = $1)
        GROUP BY GROUPING SETS ((), (c.category), (c.project_id, p.code, p.name))`,
      [q.projectId ?? null],
    );
    const total = rows.find((r) => r.g_category && r.g_project);
    const pick = (r: { open: number; overdue: number }): OpenFigures => ({ open: r.open, overdue: r.overdue });
    return {
      projectId: q.projectId ?? null,
      totals: total ? pick(total) : { open: 0, overdue: 0 },
      byCategory: rows
        .filter((r) => !r.g_category)
        .map((r) => ({ category: r.category, ...pick(r) }))
        .sort(byOpen),
      byEstate: rows
        .filter((r) => !r.g_project)
        .map((r) => ({ projectId: r.project_id, projectCode: r.code, projectName: r.name, ...pick(r) }))
        .sort(byOpen),
    };
  }

  /** One set-based query: the month and the 5 before it, totals per month plus the month's split by category and estate. */
  async monthly(q: MonthlyQuery) {
    const tz = this.config.BUSINESS_TIME_ZONE;
    const month = q.month ?? currentMonth(tz);
    const rows = await this.ds.query<MonthlyRow[]>(
      `WITH facts AS (${caseFactsSql(
        // The whole window as one range (local midnight of the first month to local midnight after M): a plain
        // range condition the planner can use with ix_cases_project, computed once rather than per row and month.
        `c.received_at >= ((($1 || '-01')::date - make_interval(months => $5))::timestamp AT TIME ZONE $2)
            AND c.received_at < ((($1 || '-01')::date + interval '1 month')::timestamp AT TIME ZONE $2)
            AND c.type = ANY($3::text[]) AND ($4::uuid IS NULL OR c.project_id = $4)`,
        `to_char(c.received_at AT TIME ZONE $2, 'YYYY-MM') AS month`,
      )})
       SELECT month, category, project_id, code, name,
              GROUPING(category)::int AS g_category, GROUPING(project_id, code, name)::int AS g_project,
              ${figureAggregatesSql('now()')}
         FROM facts
        GROUP BY GROUPING SETS ((month), (month, category), (month, project_id, code, name))`,
      [month, tz, complaintTypes, q.projectId ?? null, TREND_MONTHS - 1],
    );
    const [survey] = await this.ds.query<Array<{ respondents: number; satisfied: number; loyal: number }>>(
      `SELECT ${surveyFiguresSql('a')}
         FROM survey_answers a JOIN survey_invitations si ON si.id = a.invitation_id
        WHERE a.created_at >= (($1 || '-01')::timestamp AT TIME ZONE $2)
          AND a.created_at < ((($1 || '-01')::date + interval '1 month')::timestamp AT TIME ZONE $2)
          AND ($3::uuid IS NULL OR si.project_id = $3)`,
      [month, tz, q.projectId ?? null],
    );
    const totals = new Map(rows.filter((r) => r.g_category && r.g_project).map((r) => [r.month, r]));
    const mine = rows.filter((r) => r.month === month);
    return {
      month,
      timeZone: tz,
      projectId: q.projectId ?? null,
      totals: figures(totals.get(month)),
      byCategory: mine
        .filter((r) => !r.g_category)
        .map((r) => ({ category: r.category, ...figures(r) }))
        .sort(byValid),
      byEstate: mine
        .filter((r) => !r.g_project)
        .map((r) => ({ projectId: r.project_id, projectCode: r.code, projectName: r.name, ...figures(r) }))
        .sort(byValid),
      trend: previousMonths(month, TREND_MONTHS).map((m) => ({ month: m, ...figures(totals.get(m)) })),
      ownerSurvey: {
        ...survey!,
        satisfaction: rate(survey!.satisfied, survey!.respondents),
        loyalty: rate(survey!.loyal, survey!.respondents),
      },
    };
  }
}

/** Largest first; ties by category or estate code, the uncategorised / no-estate row last, so the order is stable. */
const key = (r: { category?: string | null; projectCode?: string | null }) => r.category ?? r.projectCode ?? '\uffff';
const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
const byOpen = (a: OpenFigures & Parameters<typeof key>[0], b: OpenFigures & Parameters<typeof key>[0]) =>
  b.open - a.open || cmp(key(a), key(b));
const byValid = (a: MonthlyFigures & Parameters<typeof key>[0], b: MonthlyFigures & Parameters<typeof key>[0]) =>
  b.validComplaints - a.validComplaints || cmp(key(a), key(b));

/** "2026-11" in the business time zone. */
function currentMonth(timeZone: string, now = new Date()): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit' }).formatToParts(now);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}`;
}

/** The n months ending with `month`, oldest first. */
export function previousMonths(month: string, n: number): string[] {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return Array.from({ length: n }, (_, i) => {
    const k = y * 12 + (m - 1) - (n - 1 - i);
    return `${Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, '0')}`;
  });
}
