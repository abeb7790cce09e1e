import { Inject, Injectable } from '@nestjs/common';
import { CalendarService, CLOCK, type Clock } from '@kefu/shared';
import type { AckTokens } from './ack-token';
import { ReminderAcks } from './reminder-ack.service';
import { ReminderPlanner } from './reminder-planner.service';
import { ReminderSender } from './reminder-sender.service';

export { channelsOf } from './chain';
export { LATE_AFTER_MS } from './reminder-sender.service';

// A batch's messages are one statement whatever its size: fewer, larger batches cost fewer round trips, and
// more transactions at once than the database has cores only contend (bench/scheduler-reminders.ts:
// 100 × 4 took twice as long as 500 × 2).
const BATCH = 500;
const PARALLEL = 2;

export interface ScanOptions {
  batchSize?: number;
  /** Tests: throw after this many rows were handled, as a scheduler killed mid-scan would stop. */
  abortAfterRows?: number;
  /** Transactions working at once in the send pass (default 2). */
  parallel?: number;
}

export interface ScanResult {
  planned: number;
  sent: number;
  cancelled: number;
  escalated: number;
  notificationsCancelled: number;
}

/**
 * Deadlines and reminders: planning (ReminderPlanner), sending and escalating (ReminderSender),
 * acknowledgement (ReminderAcks). Postgres holds every decision under a unique key; each pass takes its rows
 * with FOR UPDATE SKIP LOCKED in batches of one transaction each (notification rows included), so two
 * instances split the work, and a scan killed midway leaves whole batches done or undone, never half.
 */
@Injectable()
export class ReminderService {
  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly calendars: CalendarService,
    private readonly planner: ReminderPlanner,
    private readonly sender: ReminderSender,
    private readonly acks: ReminderAcks,
  ) {}

  get tokens(): AckTokens {
    return this.acks.tokens;
  }

  /** case-received: plan the case's deadlines and reminders (nothing twice: unique (case, step, round)). */
  planCase(caseId: string): Promise<number> {
    return this.planner.planCase(caseId);
  }

  /**
   * One scan: upgrade complaints unresolved too long, plan what is missing (new cases, moved reply dates), send what is due, escalate what was not
   * acknowledged, cancel what is moot.
   */
  async scan(opts: ScanOptions = {}): Promise<ScanResult> {
    const now = this.clock.now();
    const calendar = await this.calendars.current();
    const budget = { left: opts.abortAfterRows ?? Infinity };
    await this.planner.upgradeUnresolved(calendar, now);
    const planned = await this.planner.planMissing(calendar, now);
    // Escalations first: what they raise goes out in the send pass of this same scan.
    const escalated = await this.sender.escalateUnacknowledged(now, opts.batchSize ?? BATCH, budget);
    // Messages still waiting from earlier scans whose step is done, before this scan asks for more: those the
    // send pass asks for were just checked against their case (a step done makes the reminder moot), and are
    // checked again by the next scan; checking them here too would look up each of this scan's reminders twice.
    const notificationsCancelled = await this.sender.cancelStaleNotifications(now);
    const batch = opts.batchSize ?? BATCH;
    const { sent, cancelled } = await this.sender.sendDue(calendar, now, batch, budget, opts.parallel ?? PARALLEL);
    return { planned, sent, cancelled, escalated, notificationsCancelled };
  }

  now(): Date {
    return this.clock.now();
  }

  ackUrl(reminderId: string, now: Date): string {
    return this.acks.ackUrl(reminderId, now);
  }

  /**
   * Acknowledge once: acknowledged_at is the guard. Pending messages about it are withdrawn.
   * 'done' the first time, 'already' (with when) after that, 'unknown' for no such sent reminder.
   */
  acknowledge(
    reminderId: string,
    by: { staffId: string | null; via: 'api' | 'link' },
  ): Promise<{ outcome: 'done' | 'already' | 'unknown'; acknowledgedAt?: Date }> {
    return this.acks.acknowledge(reminderId, by);
  }

  /** What a sent reminder is about, for its link's confirmation page; null for no such sent reminder. */
  describe(
    reminderId: string,
  ): Promise<{ caseNumber: string; stepLabel: string; dueAt: Date; acknowledgedAt: Date | null } | null> {
    return this.acks.describe(reminderId);
  }
}
