import type { BusinessCalendar, CalendarResult } from '../calendar/business-calendar';
import { addDays, addMonths } from '../calendar/zoned-time';
import type { CaseSeverity, CaseType } from '../database/entities/enums';
import type { Duration, LeadTime, SlaPolicy } from './sla-policy';

/** A deadline instant (UTC), provisional when it rests on calendar days the holiday data does not cover yet. */
export type Deadline = CalendarResult;

/**
 * minutes / hours: elapsed clock time (the 24-hour hotline runs round the clock);
 * working_hours: time inside working periods only; days: calendar days, moved off a day off;
 * working_days: end of the n-th working day after the start day.
 */
export function computeDeadline(calendar: BusinessCalendar, start: Date, d: Duration): Deadline {
  switch (d.unit) {
    case 'minutes':
      return { at: calendar.addHours(start, d.amount / 60), provisional: false };
    case 'hours':
      return { at: calendar.addHours(start, d.amount), provisional: false };
    case 'working_hours':
      return calendar.addWorkingHours(start, d.amount);
    case 'days':
      return calendar.addCalendarDays(start, d.amount);
    case 'working_days':
      return calendar.addWorkingDays(start, d.amount);
  }
}

export interface NewCaseTiming {
  type: CaseType;
  severity: CaseSeverity;
  receivedAt: Date;
}

/**
 * The policy figure the promised reply date was taken from, for the case's audit trail.
 * WARNING: persisted in cases.promised_reply_rule and translated by the console (lib/terms.js): add, never rename.
 */
export const firstReplyRules = [
  'minor.firstFeedback',
  'major.solution',
  'repair.engineerContact',
  'departmentPlan',
] as const;
export type FirstReplyRule = (typeof firstReplyRules)[number];

export interface InitialDeadlines {
  /** The promised reply date told to the customer at intake (002 §7.2.1). */
  firstReply: Deadline;
  firstReplyRule: FirstReplyRule;
  /** Responsible department replies and proposes a plan (003 §9.3.2). */
  departmentPlan: Deadline;
  /** Minor complaints: department analysis and plan filled in (004 篇2 §4.D). */
  departmentAnalysis?: Deadline;
  /** Major cases: reported to the department head (004 篇2 §5.A). */
  reportToHead?: Deadline;
  /** Major cases: solution agreed with the customer (004 篇2 §5.B). */
  solution?: Deadline;
  /** Repairs: engineer contacts the owner (001). */
  engineerContact?: Deadline;
  /** Repairs: site survey (003 §11.2.2). */
  siteSurvey?: Deadline;
}

/**
 * The deadlines a new case starts with.
 *
 * Promised reply date = the earliest customer-facing commitment the seeds impose on this case:
 * minor complaint → first feedback (24 h); major case → solution agreed (12 h), the first time the
 * customer must hear back, since the 10-minute report to the head is internal; repair → the
 * engineer's call (24 h); enquiry, suggestion, claim → the department's reply (2 working days).
 * The department plan also caps every promise, so a company that lengthens one figure can never
 * promise later than the plan is due. Internal steps (report to head, analysis) are never promised.
 */
export function initialDeadlines(calendar: BusinessCalendar, policy: SlaPolicy, c: NewCaseTiming): InitialDeadlines {
  const at = (d: Duration): Deadline => computeDeadline(calendar, c.receivedAt, d);
  const out: Omit<InitialDeadlines, 'firstReply' | 'firstReplyRule'> = { departmentPlan: at(policy.departmentPlan) };
  const promises: Array<[FirstReplyRule, Deadline]> = [['departmentPlan', out.departmentPlan]];

  // Severity is judged on every case type: a major case gets the fast track whatever its type.
  if (c.severity === 'major') {
    out.reportToHead = at(policy.major.reportToHead);
    out.solution = at(policy.major.solution);
    promises.push(['major.solution', out.solution]);
  } else if (c.type === 'complaint') {
    out.departmentAnalysis = at(policy.minor.departmentAnalysis);
    promises.push(['minor.firstFeedback', at(policy.minor.firstFeedback)]);
  }
  if (c.type === 'repair') {
    out.engineerContact = at(policy.repair.engineerContact);
    out.siteSurvey = at(policy.repair.siteSurvey);
    promises.push(['repair.engineerContact', out.engineerContact]);
  }

  // Earliest wins; on a tie the later-pushed, more specific rule is named.
  let [firstReplyRule, firstReply] = promises[0]!;
  for (const [rule, deadline] of promises.slice(1)) {
    if (deadline.at.getTime() <= firstReply.at.getTime()) [firstReplyRule, firstReply] = [rule, deadline];
  }
  return { firstReply, firstReplyRule, ...out };
}

/**
 * The business day on which to send the warranty-expiry reminder (000 §6.6.3): the lead counted
 * back from the last day of the warranty. Not moved off days off: the scheduler sends on the next
 * working day if it must, which is still before expiry.
 */
export function warrantyNoticeDay(warrantyEndDay: string, lead: LeadTime): string {
  return lead.unit === 'months' ? addMonths(warrantyEndDay, -lead.amount) : addDays(warrantyEndDay, -lead.amount);
}
