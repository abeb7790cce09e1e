import {
  addDays,
  type BusinessCalendar,
  type CaseSeverity,
  type CaseType,
  type DeadlineStep,
  type SlaPolicy,
  type Duration,
} from '@kefu/shared';

/** How each step is named to staff (templates, lists, digests). */
export const stepLabel: Record<DeadlineStep, string> = {
  firstReply: '答复客户（承诺答复日期）',
  departmentPlan: '责任部门答复并提出处理方案',
  departmentAnalysis: '责任部门分析并填写处理方案',
  reportToHead: '重大投诉报告部门负责人（请确认知悉）',
  solution: '与客户商定解决方案',
  engineerContact: '工程师联系业主',
  siteSurvey: '现场查勘',
  returnVisit: '回访客户',
  transferToCs: '他部门受理的投诉移交客户服务部',
  selfHandledFiling: '本部门处理完毕的投诉移交客户服务部备案',
  inspectionNotice: '维修完成，通知业主验收',
};

/**
 * A step is behind the case once its status has reached this rank (new 0, accepted 1, assigned 2,
 * replied 3, resolved 4, return_visited 5, closed 6), or once it was done by a recorded act (`done_at`: the
 * handling plan, the site survey, the head's acknowledgement, the return visit). Closed and rejected cases are
 * past every step. The report to the head is done only when the head (or someone above) acknowledges it or an
 * escalation of the case; a promised reply date is superseded once it has been moved (a later round replaces it).
 */
const doneAtRank: Record<DeadlineStep, number> = {
  reportToHead: 99,
  departmentAnalysis: 4,
  firstReply: 3,
  departmentPlan: 3,
  solution: 3,
  engineerContact: 3,
  siteSurvey: 4,
  returnVisit: 5,
  // Known when logged: planned already done (met or missed).
  transferToCs: 99,
  selfHandledFiling: 99,
  inspectionNotice: 5,
};

/** SQL: true when case `c` has moved past deadline `d`'s step (or closed). One definition for the scan, the list and the digest. */
export function stepDoneSql(c = 'c', d = 'd'): string {
  const rank = `array_position(ARRAY['new','accepted','assigned','replied','resolved','return_visited','closed']::varchar[], ${c}.status) - 1`;
  const need = `CASE ${d}.step ${Object.entries(doneAtRank)
    .map(([s, r]) => `WHEN '${s}' THEN ${r}`)
    .join(' ')} END`;
  return `(${c}.status IN ('closed', 'rejected') OR ${d}.done_at IS NOT NULL OR ${rank} >= ${need} OR (${d}.step = 'firstReply' AND ${d}.round < ${c}.reply_date_moves))`;
}

/**
 * The first level a step's escalation goes to: the report to the head is already addressed to the head (level
 * 1), so not acknowledging or missing it goes above the head (level 2).
 */
export function firstEscalation(step: DeadlineStep): number {
  return step === 'reportToHead' ? 2 : 1;
}

/**
 * SQL SET list: a deadline done by a recorded act at `at` — closed as met when done by its due time, as missed when
 * later (a deadline already closed keeps its state).
 */
export function markDoneSql(at: string, d?: string): string {
  const of = (c: string) => (d ? `${d}.${c}` : c);
  return `done_at = ${at}, state = CASE WHEN ${of('state')} = 'open' THEN CASE WHEN ${at} <= ${of('due_at')} THEN 'met' ELSE 'missed' END ELSE ${of('state')} END, closed_at = COALESCE(${of('closed_at')}, ${at})`;
}

/** The acknowledgement window: 10 minutes for a major complaint (the seeds), else the policy default (2 working hours). */
export function ackWindow(policy: SlaPolicy, c: { type: CaseType; severity: CaseSeverity }): Duration {
  return c.type === 'complaint' && c.severity === 'major'
    ? policy.reminder.acknowledgeMajor
    : policy.reminder.acknowledge;
}

/** Working milliseconds between two instants (working periods of working days only). */
export function workingMsBetween(calendar: BusinessCalendar, from: Date, to: Date): number {
  if (to <= from) return 0;
  let total = 0;
  const last = calendar.dayOf(to);
  let day = calendar.dayOf(from);
  for (let i = 0; i < 400 && day <= last; i++, day = addDays(day, 1)) {
    for (const p of calendar.workingPeriods(day)) {
      const s = Math.max(p.start.getTime(), from.getTime());
      const e = Math.min(p.end.getTime(), to.getTime());
      if (e > s) total += e - s;
    }
  }
  return total;
}

/**
 * When the advance reminder goes: once `percent` of the window's working time has passed, so it
 * never lands in a holiday or a night when the window has working time in it; a window with none
 * (a 10-minute report at night) is split in clock time.
 */
export function advanceReminderAt(calendar: BusinessCalendar, from: Date, due: Date, percent: number): Date {
  const working = workingMsBetween(calendar, from, due);
  if (working <= 0) return new Date(from.getTime() + ((due.getTime() - from.getTime()) * percent) / 100);
  const at = calendar.addWorkingMinutes(from, (working * percent) / 100 / 60_000).at;
  return at > due ? due : at;
}
