import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import {
  APP_CONFIG,
  computeDeadline,
  dutyDayOf,
  levelName,
  loadEscalationChain,
  notificationKeys,
  requestNotifications,
  type AppConfig,
  type BusinessCalendar,
  type CaseSeverity,
  type CaseType,
  type DeadlineStep,
  type Duration,
  type EscalationChain,
  type NotificationRequest,
  type ReminderKind,
} from '@kefu/shared';
import { atLevel, channelsOf, headOf, prefetchAssignees, responsibleFor, type ChainStaff } from './chain';
import { ReminderAcks } from './reminder-ack.service';
import { ReminderEscalations } from './reminder-escalation.service';
import { ackWindow, stepDoneSql, stepLabel } from './steps';

/** A reminder sent this much after its time is marked late (it fell due while the scheduler was down). */
export const LATE_AFTER_MS = 5 * 60_000;

interface SentMark {
  id: string;
  recipientId: string | null;
  late: boolean;
  ackDueAt: Date;
}

/** A due reminder with its deadline and case, as a send pass takes it. */
export interface DueRow {
  id: string;
  kind: ReminderKind;
  level: number;
  sendAt: Date;
  reason: string | null;
  deadlineId: string;
  step: DeadlineStep;
  round: number;
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

/**
 * Sending: due reminders become notifications (one statement per batch), missed deadlines are raised up
 * the chain (ReminderEscalations), unacknowledged reminders escalate, messages about steps already done are
 * withdrawn. Each pass takes its rows with FOR UPDATE SKIP LOCKED in batches of one transaction each.
 */
@Injectable()
export class ReminderSender {
  private readonly logger = new Logger(ReminderSender.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly acks: ReminderAcks,
    private readonly escalations: ReminderEscalations,
  ) {}

  async sendDue(
    calendar: BusinessCalendar,
    now: Date,
    batchSize: number,
    budget: { left: number },
    parallel: number,
  ): Promise<{ sent: number; cancelled: number }> {
    let sent = 0;
    let cancelled = 0;
    // Staff rarely change within a scan: who answers for an (assignee, department) and who is n levels up,
    // looked up once.
    const people = new Map<string, Promise<ChainStaff | null>>();
    // The escalation chain is read once per scan (a change through the API counts from the next scan).
    const chain = await loadEscalationChain(this.ds.manager);
    const loop = async (): Promise<void> => {
      for (;;) {
        const n = await this.retryDeadlock(() =>
          this.ds.transaction(async (m) => {
            const rows = await m.query<DueRow[]>(
              `SELECT r.id, r.kind, r.level, r.send_at AS "sendAt", r.reason, d.id AS "deadlineId", d.step, d.round,
                    d.due_at AS "dueAt", d.state AS "deadlineState", d.responsible_staff_id AS "responsibleStaffId",
                    c.id AS "caseId", c.number AS "caseNumber", c.type, c.severity, c.assignee_id AS "assigneeId",
                    c.department_id AS "departmentId", c.escalation_level AS "escalationLevel", ${stepDoneSql()} AS done
             FROM reminders r JOIN case_deadlines d ON d.id = r.deadline_id JOIN cases c ON c.id = r.case_id
             WHERE r.sent_at IS NULL AND r.cancelled_at IS NULL AND r.send_at <= $1
             ORDER BY r.send_at LIMIT $2
             FOR UPDATE OF r SKIP LOCKED`,
              [now, batchSize],
            );
            const done: SentMark[] = [];
            const moot: DueRow[] = [];
            const messages: NotificationRequest[] = [];
            const responsibles = new Map<string, string>();
            await prefetchAssignees(m, rows, people);
            for (const r of rows) {
              if (budget.left-- <= 0) throw new Error('scan aborted (test fault)');
              if (r.done || r.deadlineState === 'superseded') moot.push(r);
              else done.push(await this.send(m, calendar, chain, r, now, people, messages, responsibles));
            }
            // Who answers for each deadline now: one statement for the batch (one per reminder was a round trip each).
            if (responsibles.size) {
              // In id order, as parallel batches lock rows in the same order.
              const ids = [...responsibles.keys()].sort();
              await m.query(
                `UPDATE case_deadlines d SET responsible_staff_id = v.staff
                 FROM (SELECT unnest($1::uuid[]) AS id, unnest($2::uuid[]) AS staff) v WHERE d.id = v.id`,
                [ids, ids.map((id) => responsibles.get(id))],
              );
            }
            if (moot.length) {
              const mootIds = moot.map((r) => r.id);
              await m.query(`UPDATE reminders SET cancelled_at = $2 WHERE id = ANY($1::uuid[])`, [mootIds, now]);
              await m.query(
                `UPDATE case_deadlines SET state = 'met', closed_at = $2 WHERE id = ANY($1::uuid[]) AND state = 'open'`,
                [moot.map((r) => r.deadlineId), now],
              );
            }
            // The batch's messages and the sent marks in one statement (one per reminder and channel cost a round
            // trip each; the marks as a second statement, one more per batch).
            const marks = done.length
              ? {
                  sql: `UPDATE reminders r
                   SET sent_at = $2, recipient_staff_id = v.recipient, late = v.late, ack_due_at = v.ack_due_at
                   FROM (SELECT unnest($3::uuid[]) AS id, unnest($4::uuid[]) AS recipient, unnest($5::boolean[]) AS late,
                                unnest($6::timestamptz[]) AS ack_due_at) v
                   WHERE r.id = v.id`,
                  params: [
                    now,
                    done.map((d) => d.id),
                    done.map((d) => d.recipientId),
                    done.map((d) => d.late),
                    done.map((d) => d.ackDueAt),
                  ],
                }
              : undefined;
            await requestNotifications(m, messages, marks);
            sent += done.length;
            cancelled += moot.length;
            // A missed deadline ('due', sent) raises an escalation that is due at once.
            return { taken: rows.length, raised: rows.some((r) => r.kind === 'due' && !moot.includes(r)) };
          }),
        );
        // Until a batch comes back short with nothing raised: the rest is taken by the other transactions
        // (SKIP LOCKED), which go on themselves, or is not due. (Not one more query to find none.)
        if (n.taken < batchSize && !n.raised) return;
      }
    };
    // Several transactions at once, each taking its own rows (SKIP LOCKED): the work is round trips, not CPU.
    const results = await Promise.allSettled(Array.from({ length: parallel }, loop));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    return { sent, cancelled };
  }

  /** A scan's acknowledgement deadlines: the same for every reminder sent at `now` with the same window (two windows). */
  private ackDue: { calendar: BusinessCalendar | null; at: number; byWindow: Map<string, Date> } = {
    calendar: null,
    at: NaN,
    byWindow: new Map(),
  };

  private ackDueAt(calendar: BusinessCalendar, now: Date, window: Duration): Date {
    if (this.ackDue.calendar !== calendar || this.ackDue.at !== now.getTime())
      this.ackDue = { calendar, at: now.getTime(), byWindow: new Map() };
    const key = `${window.amount}:${window.unit}`;
    let at = this.ackDue.byWindow.get(key);
    if (!at) this.ackDue.byWindow.set(key, (at = computeDeadline(calendar, now, window).at));
    return at;
  }

  /**
   * Parallel batches may touch the same case or deadline in another order; Postgres then aborts one, which
   * simply runs again.
   */
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
    m: EntityManager,
    calendar: BusinessCalendar,
    chain: EscalationChain,
    r: DueRow,
    now: Date,
    people: Map<string, Promise<ChainStaff | null>>,
    messages: NotificationRequest[],
    /** Deadline id → the staff member who now answers for it, where that changed (written by the caller, per batch). */
    responsibles: Map<string, string>,
  ): Promise<SentMark> {
    const memo = (key: string, find: () => Promise<ChainStaff | null>) => {
      let p = people.get(key);
      if (!p) people.set(key, (p = find()));
      return p;
    };
    const who = `${r.assigneeId}|${r.departmentId}`;
    const responsible = await memo(who, () => responsibleFor(m, r, dutyDayOf(calendar, now)));
    // The report to the head goes to the head of the responsible department (004 篇2 §5.A), whoever handles it.
    const recipient =
      r.step === 'reportToHead' && r.kind !== 'escalation'
        ? await memo(`${who}|head`, () => headOf(m, r, responsible))
        : r.level === 0
          ? responsible
          : await memo(`${who}|${r.level}`, () => atLevel(m, chain, r, responsible, r.level));
    if (responsible && responsible.id !== r.responsibleStaffId) responsibles.set(r.deadlineId, responsible.id);
    const late = now.getTime() - new Date(r.sendAt).getTime() > LATE_AFTER_MS;
    const dueAt = new Date(r.dueAt);
    const ackUrl = this.acks.ackUrl(r.id, now);
    if (recipient) {
      const common = {
        caseNumber: r.caseNumber,
        step: r.step,
        stepLabel: stepLabel[r.step],
        dueAt: dueAt.toISOString(),
        ackUrl,
      };
      for (const channel of channelsOf(recipient)) {
        const base = {
          idempotencyKey: notificationKeys.reminder({ reminderId: r.id, channel }),
          recipient: { staffId: recipient.id },
          channel,
          caseId: r.caseId,
          urgent: r.severity === 'major',
          late,
          source: { type: 'reminder', id: r.id },
        } as const;
        if (r.kind === 'escalation') {
          const reason = r.reason ?? '未在时限内确认';
          const fromName = responsible?.name ?? null;
          // The name of the level that found the recipient (a level nobody fills passes to the next one up).
          const name = levelName(chain, recipient.chainLevel ?? r.level);
          const variables = { ...common, level: r.level, levelName: name, fromName, reason };
          messages.push({ ...base, kind: 'escalation', variables });
        } else {
          const overdue = r.kind === 'due' || now >= dueAt;
          messages.push({ ...base, kind: 'staff_reminder', variables: { ...common, overdue } });
        }
      }
    } else {
      const about = { reminderId: r.id, caseId: r.caseId, level: r.level };
      this.logger.warn(about, 'no active staff member to remind; recorded as sent to nobody');
    }
    const ackDueAt = this.ackDueAt(calendar, now, ackWindow(this.config.SLA_POLICY, r));

    if (r.kind === 'escalation' && r.level > r.escalationLevel)
      await this.escalations.raiseCase(m, chain, r, recipient);
    if (r.kind === 'due') await this.escalations.missed(m, chain, r, now);
    return { id: r.id, recipientId: recipient?.id ?? null, late, ackDueAt };
  }

  /**
   * Sent, not acknowledged within the window: raised one level up (the new reminder goes out in the same or
   * the next scan).
   */
  escalateUnacknowledged(now: Date, batchSize: number, budget: { left: number }): Promise<number> {
    return this.escalations.escalateUnacknowledged(now, batchSize, budget);
  }

  /**
   * Reminder messages still waiting at the notifier (quiet hours, retries) whose case has moved past the
   * step: cancelled.
   */
  cancelStaleNotifications(now: Date): Promise<number> {
    return this.escalations.cancelStaleNotifications(now);
  }
}
