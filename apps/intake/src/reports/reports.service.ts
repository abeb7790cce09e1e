import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, surveyFiguresSql, type AppConfig, type CaseCategory, type CaseType } from '@kefu/shared';
import { READ_DATA_SOURCE } from '@kefu/shared';
import { OVERDUE } from '../cases/case-query.service';
import type { MonthlyQuery, OpenCasesQuery } from './reports.dto';

/**
 * Definitions (客服月报, 002 §7.6, 003 §9.6, 001 §4.1.6). Every figure is computed from the cases table and
 * the case timeline (case_events), never from a counter kept on the side.
 *
 * Open-cases report (a snapshot, now):
 * - open: every case, of any type, whose status is neither `closed` nor `rejected` (判为无效).
 * - overdue: an open case whose promised reply date (cases.promised_reply_at, as moved with the customer's
 *   agreement) has passed and that has not been answered yet, i.e. is still `new`, `accepted` or `assigned`.
 *   The same rule as the case queue's overdue filter (cases/case-query.service.ts), so the numbers agree.
 *
 * Monthly report for month M (calendar month in BUSINESS_TIME_ZONE, Asia/Shanghai: [M-01 00:00, next month 00:00)):
 * - scope: complaint-like cases (types complaint 投诉, repair 报修, claim 索赔 — not enquiries or suggestions)
 *   RECEIVED in M (cases.received_at, when the customer reached us).
 * - valid complaints (有效投诉): those accepted as valid, validity = 'valid'. Only the accept transition (受理,
 *   event 'accept') sets it, and nothing unsets it (reject is allowed only from 'new').
 * - closure rate (结案率/投诉关闭率) = valid complaints of M now `closed` ÷ valid complaints of M. A month's rate keeps
 *   rising as its cases are closed later: it says how much of that month's intake is finished.
 * - on-time reply rate (及时答复率) = replied on time ÷ replied, over valid complaints of M that have a 'reply' event
 *   and a promised reply date. "On time": the FIRST 'reply' event happened at or before the promised reply date in
 *   force at that moment — the current promised date, unless it was moved after the reply, in which case the
 *   date the first later move started from ('reply_date_moved' details.from).
 * - return-visit rate (回访率) = valid complaints of M with the return visit recorded (status return_visited or
 *   closed; complaints close only after a return visit) ÷ valid complaints of M whose handling is finished
 *   (status resolved, return_visited or closed). The seeds' target is 100 % (004 篇2 回访 §2).
 * - satisfaction rate (满意率) = valid complaints of M whose latest return visit (return_visits, the owner's
 *   answer through the link or staff's record of a call) was satisfied ÷ those with a return visit recorded.
 * - a rate whose denominator is 0 is null ("—"), never 0 %.
 * - trend: the same totals for M and the 5 months before it, oldest first.
 * - owner satisfaction (业主满意度, 001 §3): survey answers given in M — satisfaction = share of 4s and 5s on overall,
 *   loyalty = share ≥ 4 on overall, buy again and recommend (surveyFigures); fractions like the rates above; the
 *   survey pages have the detail.
 */
export const complaintTypes: readonly CaseType[] = ['complaint', 'repair', 'claim'];
const TREND_MONTHS = 6;

export interface OpenFigures {
  open: number;
  overdue: number;
}
export interface MonthlyFigures {
  validComplaints: number;
  closed: number;
  closureRate: number | null;
  replied: number;
  repliedOnTime: number;
  onTimeReplyRate: number | null;
  finished: number;
  returnVisited: number;
  returnVisitRate: number | null;
  /** Cases whose latest return visit is recorded, and of those the satisfied. */
  visitAnswered: number;
  satisfied: number;
  satisfactionRate: number | null;
}
export interface Estate {
  projectId: string | null;
  projectCode: string | null;
  projectName: string | null;
}

interface MonthlyRow {
  month: string;
  category: CaseCategory | null;
  project_id: string | null;
  code: string | null;
  name: string | null;
  g_category: number;
  g_project: number;
  valid: number;
  closed: number;
  replied: number;
  on_time: number;
  finished: number;
  visited: number;
  answered: number;
  satisfied: number;
}

const rate = (n: number, d: number) => (d === 0 ? null : n / d);
const figures = (r?: MonthlyRow): MonthlyFigures => {
  const x = r ?? { valid: 0, closed: 0, replied: 0, on_time: 0, finished: 0, visited: 0, answered: 0, satisfied: 0 };
  return {
    validComplaints: x.valid,
    closed: x.closed,
    closureRate: rate(x.closed, x.valid),
    replied: x.replied,
    repliedOnTime: x.on_time,
    onTimeReplyRate: rate(x.on_time, x.replied),
    finished: x.finished,
    returnVisited: x.visited,
    returnVisitRate: rate(x.visited, x.finished),
    visitAnswered: x.answered,
    satisfied: x.satisfied,
    satisfactionRate: rate(x.satisfied, x.answered),
  };
};

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
      `WITH facts AS (
         SELECT to_char(c.received_at AT TIME ZONE $2, 'YYYY-MM') AS month,
                c.category, c.project_id, p.code, p.name, c.status, fr.first_reply_at,
                COALESCE(mv.moved_from, c.promised_reply_at) AS promised_at_reply, lv.satisfied AS visit_satisfied
           FROM cases c
           LEFT JOIN projects p ON p.id = c.project_id
           LEFT JOIN LATERAL (
             SELECT min(e.occurred_at) AS first_reply_at FROM case_events e WHERE e.case_id = c.id AND e.kind = 'reply'
           ) fr ON true
           LEFT JOIN LATERAL (
             SELECT (e.details->>'from')::timestamptz AS moved_from
               FROM case_events e
              WHERE e.case_id = c.id AND e.kind = 'reply_date_moved' AND e.occurred_at > fr.first_reply_at
              ORDER BY e.occurred_at, e.id LIMIT 1
           ) mv ON true
           LEFT JOIN LATERAL (
             SELECT v.satisfied FROM return_visits v WHERE v.case_id = c.id ORDER BY v.round DESC LIMIT 1
           ) lv ON true
          -- The whole window as one range (local midnight of the first month to local midnight after M): a plain
          -- range condition the planner can use with ix_cases_project, computed once rather than per row and month.
          WHERE c.received_at >= ((($1 || '-01')::date - make_interval(months => $5))::timestamp AT TIME ZONE $2)
            AND c.received_at < ((($1 || '-01')::date + interval '1 month')::timestamp AT TIME ZONE $2)
            AND c.validity = 'valid' AND c.type = ANY($3::text[]) AND ($4::uuid IS NULL OR c.project_id = $4)
       )
       SELECT month, category, project_id, code, name,
              GROUPING(category)::int AS g_category, GROUPING(project_id, code, name)::int AS g_project,
              count(*)::int AS valid,
              count(*) FILTER (WHERE status = 'closed')::int AS closed,
              count(*) FILTER (WHERE first_reply_at IS NOT NULL AND promised_at_reply IS NOT NULL)::int AS replied,
              count(*) FILTER (WHERE first_reply_at <= promised_at_reply)::int AS on_time,
              count(*) FILTER (WHERE status IN ('resolved', 'return_visited', 'closed'))::int AS finished,
              count(*) FILTER (WHERE status IN ('return_visited', 'closed'))::int AS visited,
              count(visit_satisfied)::int AS answered,
              count(*) FILTER (WHERE visit_satisfied)::int AS satisfied
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
