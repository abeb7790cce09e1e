import {
  computeDeadline,
  defaultSlaPolicy,
  initialDeadlines,
  type BusinessCalendar,
  type CaseStatus,
  type DeadlineState,
  type DeadlineStep,
  type ReminderKind,
} from '@kefu/shared';
import { ackWindow, advanceReminderAt, stepLabel } from '../../apps/scheduler/src/reminders/steps';
import type { PlannedCase, PlannedEvent } from './cases';
import type { DemoEstate, DemoStaffMember } from './estate';
import { MINUTE, type Rng } from './random';

export interface PlannedDeadline {
  id: string;
  caseId: string;
  step: DeadlineStep;
  round: number;
  dueAt: Date;
  responsibleStaffId: string;
  state: DeadlineState;
  closedAt: Date | null;
  createdAt: Date;
}
export interface PlannedReminder {
  id: string;
  deadlineId: string;
  caseId: string;
  kind: ReminderKind;
  level: number;
  sendAt: Date;
  recipient: DemoStaffMember | null;
  reason: string | null;
  sentAt: Date | null;
  ackDueAt: Date | null;
  acknowledgedAt: Date | null;
  acknowledgedById: string | null;
  acknowledgedVia: 'link' | 'api' | null;
  escalatedAt: Date | null;
  cancelledAt: Date | null;
  createdAt: Date;
  /** For the message: the deadline's step and due time. */
  step: DeadlineStep;
  dueAt: Date;
  major: boolean;
}

const rankOf: Partial<Record<CaseStatus, number>> = {
  accepted: 1,
  assigned: 2,
  replied: 3,
  resolved: 4,
  return_visited: 5,
  closed: 6,
};
/**
 * The status rank at which the demo's history counts each step done: steps.ts's doneAtRank, except for the steps
 * the scheduler counts done by a recorded act, which the demo's staff do at these points — the head acknowledges
 * the report as the case is accepted, the department records its plan by the time it replies.
 */
const doneAtRank: Record<DeadlineStep, number> = {
  reportToHead: 1,
  departmentAnalysis: 3,
  returnVisit: 5,
  transferToCs: 99,
  selfHandledFiling: 99,
  inspectionNotice: 5,
  firstReply: 3,
  departmentPlan: 3,
  solution: 3,
  engineerContact: 3,
  siteSurvey: 4,
};
const firstReplyDuplicates: Record<string, DeadlineStep | undefined> = {
  'major.solution': 'solution',
  'repair.engineerContact': 'engineerContact',
  departmentPlan: 'departmentPlan',
};
const otherSteps = [
  'departmentPlan',
  'departmentAnalysis',
  'reportToHead',
  'solution',
  'engineerContact',
  'siteSurvey',
] as const;

/**
 * What the scheduler (ReminderPlanner, ReminderSender, the acknowledgement links) would have recorded for a
 * case between its receipt and `now`, scanning every minute: its deadlines (met, missed, superseded by a moved
 * reply date, or still open), the reminders before and at each (sent then acknowledged, or cancelled once the
 * step was done), escalations up the chain for missed deadlines and unacknowledged reminders, and the
 * scheduler's `escalated` events. Nothing is left due: the first real scan finds only what falls due later.
 */
export function simulateDeadlines(
  rand: Rng,
  e: DemoEstate,
  c: PlannedCase,
  calendar: BusinessCalendar,
  now: Date,
): { deadlines: PlannedDeadline[]; reminders: PlannedReminder[] } {
  const chain = [e.staff.rep, e.staff.manager, e.staff.vicegm, e.staff.gm];
  const rankTime = (need: number): number => {
    let t = Infinity;
    for (const [s, at] of Object.entries(c.reached)) {
      const r = s === 'rejected' ? 99 : (rankOf[s as CaseStatus] ?? 0);
      if (r >= need) t = Math.min(t, at.getTime());
    }
    return t;
  };
  const manualEscalation = c.events.find((ev) => ev.kind === 'escalated')?.at.getTime() ?? Infinity;
  const doneAt = (step: DeadlineStep) =>
    Math.min(rankTime(doneAtRank[step]), step === 'reportToHead' ? manualEscalation : Infinity);
  const ackFor = (t: Date) =>
    computeDeadline(calendar, t, ackWindow(defaultSlaPolicy, { type: c.type, severity: c.severity })).at;

  const deadlines: PlannedDeadline[] = [];
  const reminders: PlannedReminder[] = [];
  const escalationSends: EscalationSend[] = [];

  const d = initialDeadlines(calendar, defaultSlaPolicy, {
    type: c.type,
    severity: c.severity,
    receivedAt: c.receivedAt,
  });
  const plannedAt = new Date(c.receivedAt.getTime() + 5_000);
  const plan: Array<{ step: DeadlineStep; round: number; due: Date; from: Date; at: Date; supersededAt: number }> = [
    { step: 'firstReply', round: 0, due: c.initialPromised, from: c.receivedAt, at: plannedAt, supersededAt: Infinity },
  ];
  c.moves.forEach((mv, k) => {
    plan[k]!.supersededAt = mv.at.getTime() + 30_000;
    plan.push({
      step: 'firstReply',
      round: k + 1,
      due: mv.to,
      from: mv.at,
      at: new Date(mv.at.getTime() + 30_000),
      supersededAt: Infinity,
    });
  });
  for (const step of otherSteps) {
    const x = d[step];
    if (x && step !== firstReplyDuplicates[d.firstReplyRule])
      plan.push({ step, round: 0, due: x.at, from: c.receivedAt, at: plannedAt, supersededAt: Infinity });
  }

  let missedReplies = 0;
  for (const p of plan) {
    const dl: PlannedDeadline = {
      id: rand.uuid(),
      caseId: c.id,
      step: p.step,
      round: p.round,
      dueAt: p.due,
      responsibleStaffId: e.staff.rep.id,
      state: 'open',
      closedAt: null,
      createdAt: p.at,
    };
    deadlines.push(dl);
    const done = doneAt(p.step);
    const moot = (t: number) => done <= t || p.supersededAt <= t;
    const close = (state: DeadlineState, t: number) => {
      if (dl.state !== 'open') return;
      dl.state = p.supersededAt <= t ? 'superseded' : state;
      dl.closedAt = new Date(p.supersededAt <= t ? p.supersededAt : t);
    };
    const escalations = new Set<number>();

    const remind = (kind: ReminderKind, level: number, sendAt: Date, reason: string | null): void => {
      if (kind === 'escalation') {
        if (escalations.has(level)) return; // (deadline, kind, level) is unique
        escalations.add(level);
      }
      const r: PlannedReminder = {
        id: rand.uuid(),
        deadlineId: dl.id,
        caseId: c.id,
        kind,
        level,
        sendAt,
        recipient: null,
        reason,
        sentAt: null,
        ackDueAt: null,
        acknowledgedAt: null,
        acknowledgedById: null,
        acknowledgedVia: null,
        escalatedAt: null,
        cancelledAt: null,
        createdAt: kind === 'escalation' ? sendAt : p.at,
        step: p.step,
        dueAt: p.due,
        major: c.severity === 'major',
      };
      reminders.push(r);
      const s = sendAt.getTime();
      if (s > now.getTime()) return; // still to come: the live scheduler sends it
      if (moot(s)) {
        r.cancelledAt = sendAt;
        close('met', s);
        return;
      }
      r.sentAt = sendAt;
      r.recipient = chain[level]!;
      r.ackDueAt = ackFor(sendAt);
      if (kind === 'escalation')
        escalationSends.push({
          at: sendAt,
          level,
          step: p.step,
          reason: reason!,
          reminderId: r.id,
          toStaffId: r.recipient.id,
        });
      if (kind === 'due') {
        close('missed', s);
        if (p.step === 'firstReply') missedReplies++;
        const to = p.step === 'firstReply' && missedReplies >= 2 ? 3 : Math.min(3, Math.max(0, ...escalations) + 1);
        const why =
          to === 3 && p.step === 'firstReply' && missedReplies >= 2
            ? `第${missedReplies}次错过承诺答复日期，直接升级至总经理`
            : `已超过${stepLabel[p.step]}时限`;
        remind('escalation', to, sendAt, why);
      }
      const ackDue = r.ackDueAt.getTime();
      const window = Math.max(ackDue - s, 2 * MINUTE);
      const ackAt = s + Math.max(MINUTE, Math.floor(rand() * window * 0.8));
      if (ackDue > now.getTime()) {
        // Within its window: acknowledged already, or waiting in the recipient's list.
        if (ackAt <= now.getTime() && rand.chance(0.5)) acknowledge(r, ackAt);
      } else if (rand.chance(level === 0 ? 0.85 : 0.9)) {
        acknowledge(r, ackAt);
      } else if (moot(ackDue)) {
        r.cancelledAt = new Date(ackDue);
        close('met', ackDue);
      } else {
        r.escalatedAt = new Date(ackDue);
        if (level < 3) remind('escalation', level + 1, new Date(ackDue), '未在时限内确认提醒');
      }
    };
    const acknowledge = (r: PlannedReminder, t: number) => {
      r.acknowledgedAt = new Date(t);
      r.acknowledgedById = r.recipient!.id;
      r.acknowledgedVia = rand.chance(0.7) ? 'link' : 'api';
    };

    const before = advanceReminderAt(calendar, p.from, p.due, 80);
    if (before.getTime() - p.from.getTime() >= MINUTE && p.due.getTime() - before.getTime() >= MINUTE)
      remind('before', 0, before, null);
    remind('due', 0, p.due, null);
    if (p.supersededAt <= now.getTime()) close('superseded', p.supersededAt);
  }

  schedulerEvents(c, escalationSends);
  return { deadlines, reminders };
}

interface EscalationSend {
  at: Date;
  level: number;
  step: DeadlineStep;
  reason: string;
  reminderId: string;
  toStaffId: string;
}

/** The scheduler's `escalated` events (an escalation reminder above the case's level), merged with staff escalations. */
function schedulerEvents(c: PlannedCase, sends: EscalationSend[]): void {
  const timeline: Array<{ at: Date; manual?: PlannedEvent; send?: (typeof sends)[number] }> = [
    ...c.events.filter((ev) => ev.kind === 'escalated').map((ev) => ({ at: ev.at, manual: ev })),
    ...sends.map((s) => ({ at: s.at, send: s })),
  ].sort((a, b) => a.at.getTime() - b.at.getTime());
  let level = 0;
  for (const x of timeline) {
    if (x.manual) {
      if (level >= 3) continue;
      Object.assign(x.manual.details, { from: level, to: level + 1 });
      level += 1;
    } else if (x.send && x.send.level > level) {
      c.events.push({
        kind: 'escalated',
        at: x.at,
        actor: { id: null, label: 'scheduler' },
        details: {
          from: level,
          to: x.send.level,
          step: x.send.step,
          reason: x.send.reason,
          reminderId: x.send.reminderId,
          toStaffId: x.send.toStaffId,
        },
      });
      level = x.send.level;
    }
  }
  c.escalationLevel = level;
  c.events.sort((a, b) => a.at.getTime() - b.at.getTime());
}
