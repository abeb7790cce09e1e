import {
  computeDeadline,
  initialDeadlines,
  type BusinessCalendar,
  type CaseSeverity,
  type CaseStatus,
  type CaseType,
  type DeadlineStep,
  type Duration,
  type SlaPolicy,
} from '@kefu/shared';

/** What decides a case's deadlines: the row, and the acts on its timeline that start or finish a step. */
export interface CaseFacts {
  id: string;
  number: string;
  type: CaseType;
  severity: CaseSeverity;
  status: CaseStatus;
  receivedAt: Date;
  promisedReplyAt: Date | null;
  replyDateMoves: number;
  assigneeId: string | null;
  departmentId: string | null;
  escalationLevel: number;
  /** When the case became major / a repair by reclassification (null: it was from the start). */
  majorSince: Date | null;
  repairSince: Date | null;
  /** When the responsible department got the case: null while customer service still holds it. */
  handedOverAt: Date | null;
  /** The department's analysis and handling plan (004 篇2 §4.D; 003 SM03-07 处理方案). */
  planRecordedAt: Date | null;
  /** The site survey (003 §11.2.2), and the time agreed with the owner for it. */
  surveyedAt: Date | null;
  surveyAgreedAt: Date | null;
  /** Resolutions so far (the return-visit round) and the last one. */
  resolutions: number;
  resolvedAt: Date | null;
  /** The last resolution asked the owner by message (the return-visit request, for a repair also "please inspect"). */
  ownerAsked: boolean;
  /** Return-visit rounds recorded (by the owner's link or by staff). */
  visitedRounds: number[];
  /** A complaint a department received itself (003 §9.2.4): when it was logged with customer service, and its facts. */
  handover: {
    loggedAt: Date;
    ownResponsibility: boolean;
    handledAt: string | null;
  } | null;
  /** The highest level anyone has been told about (escalation reminders), and why the case was last escalated. */
  toldLevel: number;
  escalationReason: string | null;
}

/**
 * One query for the facts; `$1` the case id. Event times are `occurred_at` (the clock of the service that recorded
 * them). A case routed at intake to a responsible department was handed over on receipt; one that customer
 * service holds (routed `customer_service`, or nothing) is handed over by the first `assign` to its department.
 */
export const caseFactsSql = `
  SELECT c.id, c.number, c.type, c.severity, c.status, c.received_at AS "receivedAt",
         c.promised_reply_at AS "promisedReplyAt", c.reply_date_moves AS "replyDateMoves",
         c.assignee_id AS "assigneeId", c.department_id AS "departmentId", c.escalation_level AS "escalationLevel",
         ev."majorSince", ev."repairSince",
         CASE WHEN c.department_id IS NULL THEN NULL ELSE COALESCE(
           CASE WHEN cs.customer_service THEN NULL ELSE ev."assignedAt" END,
           CASE WHEN ev."routedToCs" OR (cs.customer_service AND NOT ev."routedElsewhere") THEN NULL
                -- A complaint another department received reaches its responsible one when it is logged.
                ELSE GREATEST(c.received_at, ev."handedOverLoggedAt") END) END AS "handedOverAt",
         ev."planRecordedAt", ev."surveyedAt", ev."surveyAgreedAt", ev.resolutions, ev."resolvedAt",
         COALESCE(ev."ownerAsked", false) AS "ownerAsked",
         ARRAY(SELECT rv.round::int FROM return_visits rv WHERE rv.case_id = c.id) AS "visitedRounds",
         ev.handover,
         COALESCE((SELECT max(r.level)::int FROM reminders r WHERE r.case_id = c.id AND r.kind = 'escalation'), 0) AS "toldLevel",
         ev."escalationReason"
  FROM cases c
  LEFT JOIN departments cs ON cs.id = c.department_id
  -- The case's timeline read once: each fact an aggregate over its own kind of event.
  CROSS JOIN LATERAL (
    SELECT max(e.occurred_at) FILTER (WHERE e.kind = 'reclassified' AND e.details->'after'->>'severity' = 'major') AS "majorSince",
           max(e.occurred_at) FILTER (WHERE e.kind = 'reclassified' AND e.details->'after'->>'type' = 'repair') AS "repairSince",
           min(e.occurred_at) FILTER (WHERE e.kind = 'assign' AND e.details->>'departmentId' = c.department_id::text) AS "assignedAt",
           COALESCE(bool_or(e.kind = 'routed' AND e.details->>'via' = 'customer_service'
                            AND e.details->>'departmentId' = c.department_id::text), false) AS "routedToCs",
           COALESCE(bool_or(e.kind = 'routed' AND e.details->>'via' <> 'customer_service'), false) AS "routedElsewhere",
           min(e.occurred_at) FILTER (WHERE e.kind = 'handed_over') AS "handedOverLoggedAt",
           min(e.occurred_at) FILTER (WHERE e.kind = 'handling_plan') AS "planRecordedAt",
           min(e.occurred_at) FILTER (WHERE e.kind = 'site_survey') AS "surveyedAt",
           ((array_agg(e.details->>'agreedAt' ORDER BY e.occurred_at DESC, e.id DESC)
              FILTER (WHERE e.kind = 'survey_appointment'))[1])::timestamptz AS "surveyAgreedAt",
           (count(*) FILTER (WHERE e.kind = 'resolve'))::int AS resolutions,
           max(e.occurred_at) FILTER (WHERE e.kind = 'resolve') AS "resolvedAt",
           (array_agg(e.details->>'returnVisitRequestId' IS NOT NULL ORDER BY e.occurred_at DESC, e.id DESC)
              FILTER (WHERE e.kind = 'resolve'))[1] AS "ownerAsked",
           (array_agg(jsonb_build_object('loggedAt', e.occurred_at, 'ownResponsibility', (e.details->>'ownResponsibility')::boolean,
                                         'handledAt', e.details->>'handledAt') ORDER BY e.id)
              FILTER (WHERE e.kind = 'handed_over'))[1] AS handover,
           (array_agg(e.details->>'reason' ORDER BY e.occurred_at DESC, e.id DESC)
              FILTER (WHERE e.kind = 'escalated'))[1] AS "escalationReason"
    FROM case_events e WHERE e.case_id = c.id) ev
  WHERE c.id = $1`;

export interface PlannedDeadline {
  step: DeadlineStep;
  round: number;
  due: Date;
  provisional: boolean;
  /** Where the step's window starts (the advance reminder goes at a share of it). */
  from: Date;
  /** Done by a recorded act already. */
  doneAt: Date | null;
}

/** The step the promised reply date stands for, planned once as firstReply (not twice). */
const promiseStep: Record<string, DeadlineStep | undefined> = {
  'major.solution': 'solution',
  'repair.engineerContact': 'engineerContact',
  departmentPlan: 'departmentPlan',
};

const later = (a: Date, b: Date | null): Date => (b && b > a ? b : a);

/**
 * The deadlines the case has now, each figure from the SLA policy:
 * - the promised reply date (002 §7.2.1), one round per agreed move (002 §7.4.2);
 * - the department's reply and plan, 2 working days (003 §9.3.2);
 * - minor complaint: analysis and plan 1 hour from the hand-over to the responsible department (004 篇2 §4.D),
 *   done when the plan is recorded;
 * - major: report to the head in 10 minutes and the solution in 12 hours (004 篇2 §5.A–B), from the moment the
 *   case became major (on receipt, or when reclassified);
 * - repair: the engineer's call in 24 hours (001), the site survey in 2 working days or at the time agreed with the
 *   owner (003 §11.2.2), done when the survey is recorded;
 * - a complaint a department received itself: at customer service within 1 working day of receipt, or, handled by
 *   that department, filed within 2 working days of completion (003 §9.2.4) — met or missed when logged;
 * - repair finished: the owner asked to inspect within 2 days (000 §6.5.1(3)), done by the request sent with the
 *   result or by the return visit;
 * - return visit after each resolution: 24 hours for a complaint or claim (004 篇2 回访 §1), the repair figure
 *   (default 7 days, 000 §6.5.1(4)) for a repair; done when recorded.
 */
export function desiredDeadlines(
  calendar: BusinessCalendar,
  policy: SlaPolicy,
  c: CaseFacts,
  now: Date,
): PlannedDeadline[] {
  const at = (from: Date, d: Duration) => computeDeadline(calendar, from, d);
  const initial = initialDeadlines(calendar, policy, c);
  const out: PlannedDeadline[] = [];
  const add = (step: DeadlineStep, from: Date, d: { at: Date; provisional: boolean }, doneAt: Date | null = null) =>
    out.push({ step, round: 0, due: d.at, provisional: d.provisional, from, doneAt });

  const round = c.replyDateMoves;
  out.push({
    step: 'firstReply',
    round,
    due: c.promisedReplyAt ?? initial.firstReply.at,
    provisional: round === 0 && !c.promisedReplyAt && initial.firstReply.provisional,
    from: round === 0 ? c.receivedAt : now,
    doneAt: null,
  });
  const skip = promiseStep[initial.firstReplyRule];
  const unlessPromise = (step: DeadlineStep, f: () => void) => (step === skip ? undefined : f());

  unlessPromise('departmentPlan', () => add('departmentPlan', c.receivedAt, initial.departmentPlan));
  if (c.severity === 'major') {
    const since = later(c.receivedAt, c.majorSince);
    add('reportToHead', since, at(since, policy.major.reportToHead));
    unlessPromise('solution', () => add('solution', since, at(since, policy.major.solution)));
  } else if (c.type === 'complaint' && c.handedOverAt) {
    const from = later(c.receivedAt, c.handedOverAt);
    add('departmentAnalysis', from, at(from, policy.minor.departmentAnalysis), c.planRecordedAt);
  }
  if (c.type === 'repair') {
    const since = later(c.receivedAt, c.repairSince);
    unlessPromise('engineerContact', () => add('engineerContact', since, at(since, policy.repair.engineerContact)));
    const survey = c.surveyAgreedAt
      ? { at: new Date(c.surveyAgreedAt), provisional: false }
      : at(since, policy.repair.siteSurvey);
    add('siteSurvey', since, survey, c.surveyedAt);
  }
  if (c.handover) {
    // 003 §9.2.4, known the moment it is logged: done then, on time or not.
    const logged = new Date(c.handover.loggedAt);
    if (!c.handover.ownResponsibility) add('transferToCs', c.receivedAt, at(c.receivedAt, policy.transferToCs), logged);
    else if (c.handover.handledAt) {
      const handled = new Date(c.handover.handledAt);
      add('selfHandledFiling', handled, at(handled, policy.selfHandledFiling), logged);
    }
  }
  if (c.resolutions > 0 && c.resolvedAt && (c.type === 'complaint' || c.type === 'claim' || c.type === 'repair')) {
    const window = c.type === 'repair' ? policy.repair.returnVisit : policy.complaintReturnVisit;
    const due = at(c.resolvedAt, window);
    const visited = c.visitedRounds.includes(c.resolutions);
    if (c.type === 'repair') {
      // 000 §6.5.1(3): asked to inspect within 2 days — done at once when the request went with the result; else
      // staff must reach the owner (a phone return visit counts).
      const ask = at(c.resolvedAt, policy.repair.inspectionNotice);
      out.push({
        step: 'inspectionNotice',
        round: c.resolutions,
        due: ask.at,
        provisional: ask.provisional,
        from: c.resolvedAt,
        doneAt: c.ownerAsked ? c.resolvedAt : visited ? now : null,
      });
    }
    out.push({
      step: 'returnVisit',
      round: c.resolutions,
      due: due.at,
      provisional: due.provisional,
      from: c.resolvedAt,
      doneAt: visited ? now : null,
    });
  }
  return out;
}
