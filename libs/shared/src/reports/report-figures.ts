import type { CaseType } from '../database/entities';

/**
 * The complaint figures (客服月报, 002 §7.6, 003 §9.6, 001 §4.1.6) in ONE place: the manager dashboard
 * (apps/intake/src/reports) and the filed reports (weekly, monthly, quarterly, yearly; libs/shared/src/reports)
 * both build their SQL from `caseFactsSql` and `figureAggregatesSql` and read rows with `figuresOf`, so their numbers
 * agree. Every figure comes from the cases table and the case timeline (case_events), never a counter kept aside.
 *
 * For a period P (business-zone days [from, to)):
 * - scope: complaint-like cases (types complaint 投诉, repair 报修, claim 索赔 — not enquiries or suggestions)
 *   RECEIVED in P (cases.received_at, when the customer reached us).
 * - valid complaints (有效投诉): those accepted as valid, validity = 'valid'. Only the accept transition (受理,
 *   event 'accept') sets it, and nothing unsets it (reject is allowed only from 'new').
 * - closure rate (结案率) = valid complaints of P now `closed` ÷ valid complaints of P. A period's rate keeps
 *   rising as its cases are closed later: it says how much of that period's intake is finished.
 * - on-time reply rate (及时答复率) = replied on time ÷ replied, over valid complaints of P that have a 'reply' event
 *   and a promised reply date. "On time": the FIRST 'reply' event happened at or before the promised reply date in
 *   force at that moment — the current promised date, unless it was moved after the reply, in which case the
 *   date the first later move started from ('reply_date_moved' details.from).
 * - return-visit rate (回访率) = valid complaints of P with the return visit recorded (status return_visited or
 *   closed; complaints close only after a return visit) ÷ valid complaints of P whose handling is finished
 *   (status resolved, return_visited or closed). The seeds' target is 100 % (004 篇2 回访 §2).
 * - satisfaction rate (满意率) = valid complaints of P whose latest return visit (return_visits) was satisfied ÷
 *   those with a return visit recorded. Owner-survey satisfaction (001 §3) is `surveyFiguresSql`'s, shown beside it.
 * - overdue (超期) = valid complaints of P answered after the promised date in force (as above), or not answered yet
 *   (status new, accepted, assigned) with the promised date passed at the report's "as of" instant — the case queue's
 *   overdue rule plus those answered late.
 * - escalated (升级) = valid complaints of P escalated at least once (cases.escalation_level > 0).
 * - a rate whose denominator is 0 is null ("—"), never 0 %.
 */
export const complaintTypes: readonly CaseType[] = ['complaint', 'repair', 'claim'];

/** The dashboard's figures (a month, a category, an estate). */
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

/** The filed reports' figures: the dashboard's plus overdue and escalated. */
export interface ReportFigures extends MonthlyFigures {
  overdue: number;
  escalated: number;
}

/** The aggregate columns `figureAggregatesSql` yields, as Postgres returns them. */
export interface FigureRow {
  valid: number;
  closed: number;
  replied: number;
  on_time: number;
  finished: number;
  visited: number;
  answered: number;
  satisfied: number;
  overdue: number;
  escalated: number;
}

const zero: FigureRow = {
  valid: 0,
  closed: 0,
  replied: 0,
  on_time: 0,
  finished: 0,
  visited: 0,
  answered: 0,
  satisfied: 0,
  overdue: 0,
  escalated: 0,
};

export const rate = (n: number, d: number): number | null => (d === 0 ? null : n / d);

/** The dashboard's figures from an aggregate row (none: all zero, rates null). */
export function monthlyFiguresOf(r?: FigureRow): MonthlyFigures {
  const x = r ?? zero;
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
}

/** The reports' figures from an aggregate row. */
export function figuresOf(r?: FigureRow): ReportFigures {
  const x = r ?? zero;
  return { ...monthlyFiguresOf(x), overdue: x.overdue, escalated: x.escalated };
}

/**
 * One row per valid complaint-like case matching `where` (SQL over `c`, the cases row), with what the figures need:
 * category, estate (project_id, code, name), channel, type, department (department_id, department_name), status,
 * first_reply_at, promised_at_reply, promised_reply_at, visit_satisfied, escalation_level, received_at.
 * `extraColumns` adds caller columns (e.g. the month). Used as `WITH facts AS (${caseFactsSql(…)})`.
 */
export function caseFactsSql(where: string, extraColumns = ''): string {
  return `SELECT ${extraColumns ? `${extraColumns}, ` : ''}c.category, c.project_id, p.code, p.name, c.channel, c.type,
                c.department_id, d.name AS department_name, c.status, c.promised_reply_at, c.escalation_level,
                fr.first_reply_at, COALESCE(mv.moved_from, c.promised_reply_at) AS promised_at_reply,
                lv.satisfied AS visit_satisfied
           FROM cases c
           LEFT JOIN projects p ON p.id = c.project_id
           LEFT JOIN departments d ON d.id = c.department_id
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
          WHERE c.validity = 'valid' AND (${where})`;
}

/** The aggregates over `facts` rows (FigureRow's columns); `asOf` is the SQL for the instant overdue is judged at. */
export function figureAggregatesSql(asOf: string): string {
  return `count(*)::int AS valid,
              count(*) FILTER (WHERE status = 'closed')::int AS closed,
              count(*) FILTER (WHERE first_reply_at IS NOT NULL AND promised_at_reply IS NOT NULL)::int AS replied,
              count(*) FILTER (WHERE first_reply_at <= promised_at_reply)::int AS on_time,
              count(*) FILTER (WHERE status IN ('resolved', 'return_visited', 'closed'))::int AS finished,
              count(*) FILTER (WHERE status IN ('return_visited', 'closed'))::int AS visited,
              count(visit_satisfied)::int AS answered,
              count(*) FILTER (WHERE visit_satisfied)::int AS satisfied,
              count(*) FILTER (WHERE first_reply_at > promised_at_reply
                 OR (first_reply_at IS NULL AND status IN ('new', 'accepted', 'assigned')
                     AND promised_reply_at < ${asOf}))::int AS overdue,
              count(*) FILTER (WHERE escalation_level > 0)::int AS escalated`;
}
