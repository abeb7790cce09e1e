import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import {
  APP_CONFIG, CalendarService, cancelNotifications, CLOCK, computeDeadline, initialDeadlines, notificationKeys,
  requestNotifications, type NotificationRequest,
  type AppConfig, type BusinessCalendar, type CaseSeverity, type CaseStatus, type CaseType, type Clock, type DeadlineStep, type ReminderKind,
} from '@kefu/shared';
import { AckTokens } from './ack-token';
import { atLevel, responsibleFor, staffByIds, type ChainStaff } from './chain';
import { ackWindow, advanceReminderAt, stepDoneSql, stepLabel } from './steps';

/** A reminder sent this much after its time is marked late (it fell due while the scheduler was down). */
export const LATE_AFTER_MS = 5 * 60_000;
const BATCH = 100;
const PARALLEL = 4;

export interface ScanOptions {
  batchSize?: number;
  /** Tests: throw after this many rows were handled, as a scheduler killed mid-scan would stop. */
  abortAfterRows?: number;
  /** Transactions working at once in the send pass (default 4). */
  parallel?: number;
}

export interface ScanResult {
  planned: number;
  sent: number;
  cancelled: number;
  escalated: number;
  notificationsCancelled: number;
}

interface CaseRow {
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
}

interface SentMark {
  id: string;
  recipientId: string | null;
  late: boolean;
  ackDueAt: Date;
}

interface DueRow {
  id: string;
  kind: ReminderKind;
  level: number;
  sendAt: Date;
  reason: string | null;
  deadlineId: string;
  step: DeadlineStep;
  dueAt: Date;
  deadlineState: string;
  responsibleStaffId: string | null;
  caseId: string;
  caseNumber: string;
  type: CaseType;
  severity: CaseSeverity;
  assigneeId: string | null;
  departmentId: string | null;
  escalationLevel: number;
  done: boolean;
}

const firstReplyDuplicates: Record<string, DeadlineStep | undefined> = {
  'major.solution': 'solution',
  'repair.engineerContact': 'engineerContact',
  departmentPlan: 'departmentPlan',
};

/**
 * Deadlines and reminders. Postgres holds every decision under a unique key; each pass takes its rows
 * with FOR UPDATE SKIP LOCKED in batches of one transaction each (notification rows included), so two
 * instances split the work, and a scan killed midway leaves whole batches done or undone, never half.
 */
@Injectable()
export class ReminderService {
  private readonly logger = new Logger(ReminderService.name);
  readonly tokens: AckTokens;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly calendars: CalendarService,
  ) {
    this.tokens = new AckTokens(config.AUTH_TOKEN_SECRET);
  }

  /** case-received: plan the case's deadlines and reminders (nothing twice: unique (case, step, round)). */
  async planCase(caseId: string): Promise<number> {
    const calendar = await this.calendars.current();
    return this.ds.transaction((m) => this.plan(m, calendar, caseId, this.clock.now()));
  }

  /** One scan: plan what is missing (new cases, moved reply dates), send what is due, escalate what was not acknowledged, cancel what is moot. */
  async scan(opts: ScanOptions = {}): Promise<ScanResult> {
    const now = this.clock.now();
    const calendar = await this.calendars.current();
    const budget = { left: opts.abortAfterRows ?? Infinity };
    const planned = await this.planMissing(calendar, now);
    // Escalations first: what they raise goes out in the send pass of this same scan.
    const escalated = await this.escalateUnacknowledged(now, opts.batchSize ?? BATCH, budget);
    const { sent, cancelled } = await this.sendDue(calendar, now, opts.batchSize ?? BATCH, budget, opts.parallel ?? PARALLEL);
    const notificationsCancelled = await this.cancelStaleNotifications(now);
    return { planned, sent, cancelled, escalated, notificationsCancelled };
  }

  private async plan(m: EntityManager, calendar: BusinessCalendar, caseId: string, now: Date): Promise<number> {
    const rows = await m.query<CaseRow[]>(
      `SELECT id, number, type, severity, status, received_at AS "receivedAt", promised_reply_at AS "promisedReplyAt", reply_date_moves AS "replyDateMoves",
              assignee_id AS "assigneeId", department_id AS "departmentId"
       FROM cases WHERE id = $1`,
      [caseId],
    );
    const c = rows[0];
    if (!c || c.status === 'closed' || c.status === 'rejected') return 0;
    const policy = this.config.SLA_POLICY;
    const d = initialDeadlines(calendar, policy, { type: c.type, severity: c.severity, receivedAt: c.receivedAt });
    const round = c.replyDateMoves;
    const plan: Array<{ step: DeadlineStep; round: number; due: Date; provisional: boolean; from: Date }> = [
      { step: 'firstReply', round, due: c.promisedReplyAt ?? d.firstReply.at, provisional: round === 0 && d.firstReply.provisional, from: round === 0 ? c.receivedAt : now },
    ];
    // The other steps have one round; planned with the first, a no-op (unique key) when a moved date is planned.
    const skip = firstReplyDuplicates[d.firstReplyRule];
    for (const step of ['departmentPlan', 'departmentAnalysis', 'reportToHead', 'solution', 'engineerContact', 'siteSurvey'] as const) {
      const at = d[step];
      if (at && step !== skip) plan.push({ step, round: 0, due: at.at, provisional: at.provisional, from: c.receivedAt });
    }
    const responsible = await responsibleFor(m, c);
    const inserted = await m.query<Array<{ id: string; step: DeadlineStep }>>(
      `INSERT INTO case_deadlines (case_id, step, round, due_at, provisional, responsible_staff_id)
       SELECT $1, unnest($2::varchar[]), unnest($3::smallint[]), unnest($4::timestamptz[]), unnest($5::boolean[]), $6
       ON CONFLICT (case_id, step, round) DO NOTHING RETURNING id, step`,
      [c.id, plan.map((p) => p.step), plan.map((p) => p.round), plan.map((p) => p.due), plan.map((p) => p.provisional), responsible?.id ?? null],
    );
    if (!inserted.length) return 0;
    if (round > 0) {
      await m.query(`UPDATE case_deadlines SET state = 'superseded', closed_at = $3 WHERE case_id = $1 AND step = 'firstReply' AND round < $2 AND state = 'open'`, [c.id, round, now]);
    }
    const reminders: Array<[string, ReminderKind, Date]> = [];
    for (const row of inserted) {
      const p = plan.find((x) => x.step === row.step)!;
      const before = advanceReminderAt(calendar, p.from, p.due, this.config.REMINDER_LEAD_PERCENT);
      if (before.getTime() - p.from.getTime() >= 60_000 && p.due.getTime() - before.getTime() >= 60_000) reminders.push([row.id, 'before', before]);
      reminders.push([row.id, 'due', p.due]);
    }
    await m.query(
      `INSERT INTO reminders (deadline_id, case_id, kind, level, send_at)
       SELECT unnest($1::uuid[]), $2, unnest($3::varchar[]), 0, unnest($4::timestamptz[])
       ON CONFLICT (deadline_id, kind, level) DO NOTHING`,
      [reminders.map((r) => r[0]), c.id, reminders.map((r) => r[1]), reminders.map((r) => r[2])],
    );
    return inserted.length;
  }

  /** Open cases without a deadline for their current promised reply date: created while we were down, or the date was moved. */
  private async planMissing(calendar: BusinessCalendar, now: Date): Promise<number> {
    let planned = 0;
    for (;;) {
      const ids = await this.ds.query<Array<{ id: string }>>(
        `SELECT c.id FROM cases c
         WHERE c.status NOT IN ('closed', 'rejected')
           AND NOT EXISTS (SELECT 1 FROM case_deadlines d WHERE d.case_id = c.id AND d.step = 'firstReply' AND d.round = c.reply_date_moves)
         LIMIT 500`,
      );
      if (!ids.length) return planned;
      let progress = 0;
      for (const { id } of ids) progress += await this.ds.transaction((m) => this.plan(m, calendar, id, now));
      planned += progress;
      if (progress === 0) return planned; // another instance is planning the same cases
    }
  }

  private async sendDue(calendar: BusinessCalendar, now: Date, batchSize: number, budget: { left: number }, parallel: number): Promise<{ sent: number; cancelled: number }> {
    let sent = 0;
    let cancelled = 0;
    // Staff rarely change within a scan: who answers for an (assignee, department) and who is n levels up, looked up once.
    const people = new Map<string, Promise<ChainStaff | null>>();
    const loop = async (): Promise<void> => {
      for (;;) {
        const n = await this.retryDeadlock(() => this.ds.transaction(async (m) => {
          const rows = await m.query<DueRow[]>(
            `SELECT r.id, r.kind, r.level, r.send_at AS "sendAt", r.reason, d.id AS "deadlineId", d.step, d.due_at AS "dueAt", d.state AS "deadlineState",
                    d.responsible_staff_id AS "responsibleStaffId", c.id AS "caseId", c.number AS "caseNumber", c.type, c.severity,
                    c.assignee_id AS "assigneeId", c.department_id AS "departmentId", c.escalation_level AS "escalationLevel", ${stepDoneSql()} AS done
             FROM reminders r JOIN case_deadlines d ON d.id = r.deadline_id JOIN cases c ON c.id = r.case_id
             WHERE r.sent_at IS NULL AND r.cancelled_at IS NULL AND r.send_at <= $1
             ORDER BY r.send_at LIMIT $2
             FOR UPDATE OF r SKIP LOCKED`,
            [now, batchSize],
          );
          const done: SentMark[] = [];
          const moot: DueRow[] = [];
          const messages: NotificationRequest[] = [];
          await prefetchAssignees(m, rows, people);
          for (const r of rows) {
            if (budget.left-- <= 0) throw new Error('scan aborted (test fault)');
            if (r.done || r.deadlineState === 'superseded') moot.push(r);
            else done.push(await this.send(m, calendar, r, now, people, messages));
          }
          // The batch's messages in one statement (one per reminder and channel cost a round trip each).
          await requestNotifications(m, messages);
          if (moot.length) {
            await m.query(`UPDATE reminders SET cancelled_at = $2 WHERE id = ANY($1::uuid[])`, [moot.map((r) => r.id), now]);
            await m.query(`UPDATE case_deadlines SET state = 'met', closed_at = $2 WHERE id = ANY($1::uuid[]) AND state = 'open'`, [moot.map((r) => r.deadlineId), now]);
          }
          if (done.length) {
            await m.query(
              `UPDATE reminders r SET sent_at = $1, recipient_staff_id = v.recipient, late = v.late, ack_due_at = v.ack_due_at
               FROM (SELECT unnest($2::uuid[]) AS id, unnest($3::uuid[]) AS recipient, unnest($4::boolean[]) AS late, unnest($5::timestamptz[]) AS ack_due_at) v
               WHERE r.id = v.id`,
              [now, done.map((d) => d.id), done.map((d) => d.recipientId), done.map((d) => d.late), done.map((d) => d.ackDueAt)],
            );
          }
          sent += done.length;
          cancelled += moot.length;
          return rows.length;
        }));
        // Until a batch comes back empty: a missed deadline raises an escalation that is due at once.
        if (n === 0) return;
      }
    };
    // Several transactions at once, each taking its own rows (SKIP LOCKED): the work is round trips, not CPU.
    const results = await Promise.allSettled(Array.from({ length: parallel }, loop));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    return { sent, cancelled };
  }

  /** Parallel batches may touch the same case or deadline in another order; Postgres then aborts one, which simply runs again. */
  private async retryDeadlock<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (attempt >= 3 || (err as { code?: string }).code !== '40P01') throw err;
      }
    }
  }

  /**
   * Adds the messages of one due reminder to `messages` and does what a missed deadline entails; the caller
   * asks for the messages and marks the reminder sent.
   */
  private async send(
    m: EntityManager, calendar: BusinessCalendar, r: DueRow, now: Date,
    people: Map<string, Promise<ChainStaff | null>>, messages: NotificationRequest[],
  ): Promise<SentMark> {
    const memo = (key: string, find: () => Promise<ChainStaff | null>) => {
      let p = people.get(key);
      if (!p) people.set(key, (p = find()));
      return p;
    };
    const who = `${r.assigneeId}|${r.departmentId}`;
    const responsible = await memo(who, () => responsibleFor(m, r));
    const recipient = r.level === 0 ? responsible : await memo(`${who}|${r.level}`, () => atLevel(m, responsible, r.level));
    if (responsible && responsible.id !== r.responsibleStaffId) {
      await m.query(`UPDATE case_deadlines SET responsible_staff_id = $2 WHERE id = $1`, [r.deadlineId, responsible.id]);
    }
    const late = now.getTime() - new Date(r.sendAt).getTime() > LATE_AFTER_MS;
    const dueAt = new Date(r.dueAt);
    const ackUrl = this.ackUrl(r.id, now);
    if (recipient) {
      const common = { caseNumber: r.caseNumber, step: r.step, stepLabel: stepLabel[r.step], dueAt: dueAt.toISOString(), ackUrl };
      for (const channel of channelsOf(recipient)) {
        const base = {
          idempotencyKey: notificationKeys.reminder({ reminderId: r.id, channel }),
          recipient: { staffId: recipient.id }, channel, caseId: r.caseId, urgent: r.severity === 'major', late,
          source: { type: 'reminder', id: r.id },
        } as const;
        if (r.kind === 'escalation') {
          const reason = r.reason ?? '未在时限内确认';
          const fromName = responsible?.name ?? null;
          messages.push({ ...base, kind: 'escalation', variables: { ...common, level: r.level, fromName, reason } });
        } else {
          const overdue = r.kind === 'due' || now >= dueAt;
          messages.push({ ...base, kind: 'staff_reminder', variables: { ...common, overdue } });
        }
      }
    } else {
      this.logger.warn({ reminderId: r.id, caseId: r.caseId, level: r.level }, 'no active staff member to remind; recorded as sent to nobody');
    }
    const ackDueAt = computeDeadline(calendar, now, ackWindow(this.config.SLA_POLICY, r)).at;

    if (r.kind === 'escalation' && r.level > r.escalationLevel) {
      await m.query(`UPDATE cases SET escalation_level = GREATEST(escalation_level, $2) WHERE id = $1`, [r.caseId, r.level]);
      await m.query(
        `INSERT INTO case_events (case_id, kind, actor_id, actor_label, details) VALUES ($1, 'escalated', NULL, 'scheduler', $2)`,
        [r.caseId, JSON.stringify({ from: r.escalationLevel, to: r.level, step: r.step, reason: r.reason, reminderId: r.id, toStaffId: recipient?.id ?? null })],
      );
    }
    if (r.kind === 'due') {
      // The deadline has passed with the step not done: missed, and raised one level further up.
      await m.query(`UPDATE case_deadlines SET state = 'missed', closed_at = $2 WHERE id = $1 AND state = 'open'`, [r.deadlineId, now]);
      let level: number;
      let reason: string;
      const missedReplies =
        r.step === 'firstReply'
          ? Number((await m.query<Array<{ n: string }>>(`SELECT count(*) AS n FROM case_deadlines WHERE case_id = $1 AND step = 'firstReply' AND state = 'missed'`, [r.caseId]))[0]!.n)
          : 0;
      if (missedReplies >= 2) {
        level = 3;
        reason = `第${missedReplies}次错过承诺答复日期，直接升级至总经理`;
      } else {
        const top = await m.query<Array<{ level: number | null }>>(`SELECT max(level) AS level FROM reminders WHERE deadline_id = $1 AND kind = 'escalation'`, [r.deadlineId]);
        level = Math.min(3, (top[0]?.level ?? 0) + 1);
        reason = `已超过${stepLabel[r.step]}时限`;
      }
      await this.raise(m, r, level, reason, now);
    }
    return { id: r.id, recipientId: recipient?.id ?? null, late, ackDueAt };
  }

  private raise(m: EntityManager, r: { deadlineId: string; caseId: string }, level: number, reason: string, now: Date): Promise<unknown> {
    return m.query(
      `INSERT INTO reminders (deadline_id, case_id, kind, level, send_at, reason) VALUES ($1, $2, 'escalation', $3, $4, $5)
       ON CONFLICT (deadline_id, kind, level) DO NOTHING`,
      [r.deadlineId, r.caseId, level, now, reason],
    );
  }

  /** Sent, not acknowledged within the window: raised one level up (the new reminder goes out in the same or the next scan). */
  private async escalateUnacknowledged(now: Date, batchSize: number, budget: { left: number }): Promise<number> {
    let escalated = 0;
    for (;;) {
      const n = await this.ds.transaction(async (m) => {
        const rows = await m.query<Array<{ id: string; level: number; deadlineId: string; caseId: string; step: DeadlineStep; done: boolean }>>(
          `SELECT r.id, r.level, r.deadline_id AS "deadlineId", r.case_id AS "caseId", d.step, (${stepDoneSql()} OR d.state = 'superseded') AS done
           FROM reminders r JOIN case_deadlines d ON d.id = r.deadline_id JOIN cases c ON c.id = r.case_id
           WHERE r.sent_at IS NOT NULL AND r.acknowledged_at IS NULL AND r.escalated_at IS NULL AND r.cancelled_at IS NULL AND r.ack_due_at <= $1
           ORDER BY r.ack_due_at LIMIT $2
           FOR UPDATE OF r SKIP LOCKED`,
          [now, batchSize],
        );
        for (const r of rows) {
          if (budget.left-- <= 0) throw new Error('scan aborted (test fault)');
          if (r.done) {
            await m.query(`UPDATE reminders SET cancelled_at = $2 WHERE id = $1`, [r.id, now]);
            await m.query(`UPDATE case_deadlines SET state = 'met', closed_at = $2 WHERE id = $1 AND state = 'open'`, [r.deadlineId, now]);
            await cancelNotifications(m, { type: 'reminder', ids: [r.id] });
            continue;
          }
          if (r.level < 3) await this.raise(m, r, r.level + 1, '未在时限内确认提醒', now);
          await m.query(`UPDATE reminders SET escalated_at = $2 WHERE id = $1`, [r.id, now]);
          escalated++;
        }
        return rows.length;
      });
      if (n < batchSize) break;
    }
    return escalated;
  }

  /** Reminder messages still waiting at the notifier (quiet hours, retries) whose case has moved past the step: cancelled. */
  private async cancelStaleNotifications(now: Date): Promise<number> {
    return this.ds.transaction(async (m) => {
      const stale = await m.query<Array<{ id: string }>>(
        `SELECT DISTINCT r.id FROM notifications n
         JOIN reminders r ON r.id = n.source_id JOIN case_deadlines d ON d.id = r.deadline_id JOIN cases c ON c.id = r.case_id
         WHERE n.status = 'pending' AND n.source_type = 'reminder' AND (${stepDoneSql()} OR d.state = 'superseded')`,
      );
      if (!stale.length) return 0;
      const ids = stale.map((s) => s.id);
      await m.query(`UPDATE reminders SET cancelled_at = $2 WHERE id = ANY($1::uuid[]) AND cancelled_at IS NULL AND acknowledged_at IS NULL`, [ids, now]);
      return cancelNotifications(m, { type: 'reminder', ids });
    });
  }

  now(): Date {
    return this.clock.now();
  }

  ackUrl(reminderId: string, now: Date): string {
    const token = this.tokens.sign(reminderId, new Date(now.getTime() + this.config.REMINDER_ACK_LINK_TTL_HOURS * 3_600_000));
    return `${this.config.SCHEDULER_PUBLIC_URL.replace(/\/+$/, '')}/ack/${token}`;
  }

  /**
   * Acknowledge once: acknowledged_at is the guard. Pending messages about it are withdrawn.
   * 'done' the first time, 'already' (with when) after that, 'unknown' for no such sent reminder.
   */
  async acknowledge(reminderId: string, by: { staffId: string | null; via: 'api' | 'link' }): Promise<{ outcome: 'done' | 'already' | 'unknown'; acknowledgedAt?: Date }> {
    const now = this.clock.now();
    return this.ds.transaction(async (m) => {
      const [rows] = await m.query<[Array<{ acknowledged_at: Date }>, number]>(
        `UPDATE reminders SET acknowledged_at = $2, acknowledged_by_id = COALESCE($3, recipient_staff_id), acknowledged_via = $4
         WHERE id = $1 AND sent_at IS NOT NULL AND acknowledged_at IS NULL RETURNING acknowledged_at`,
        [reminderId, now, by.staffId, by.via],
      );
      if (rows[0]) {
        await cancelNotifications(m, { type: 'reminder', ids: [reminderId] });
        return { outcome: 'done', acknowledgedAt: rows[0].acknowledged_at };
      }
      const existing = await m.query<Array<{ acknowledged_at: Date | null }>>(`SELECT acknowledged_at FROM reminders WHERE id = $1 AND sent_at IS NOT NULL`, [reminderId]);
      if (existing[0]?.acknowledged_at) return { outcome: 'already', acknowledgedAt: existing[0].acknowledged_at };
      return { outcome: 'unknown' };
    });
  }
}

/** The batch's assignees not known yet, in one query: responsibleFor's first answer, for the whole batch. */
async function prefetchAssignees(
  m: EntityManager, rows: DueRow[], people: Map<string, Promise<ChainStaff | null>>,
): Promise<void> {
  const key = (r: DueRow) => `${r.assigneeId}|${r.departmentId}`;
  const wanted = rows.filter((r) => r.assigneeId && !people.has(key(r)));
  if (!wanted.length) return;
  const found = await staffByIds(m, [...new Set(wanted.map((r) => r.assigneeId!))]);
  for (const r of wanted) {
    const s = found.get(r.assigneeId!);
    if (s && !people.has(key(r))) people.set(key(r), Promise.resolve(s));
  }
}

export function channelsOf(s: Pick<ChainStaff, 'email' | 'mobile'>): Array<'email' | 'sms'> {
  const out: Array<'email' | 'sms'> = [];
  if (s.email) out.push('email');
  if (s.mobile) out.push('sms');
  return out;
}

