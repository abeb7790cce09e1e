import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { CLOCK, NotificationEntity, type Clock } from '@kefu/shared';
import { ChannelRegistry, type ChannelSender } from '../channels/channel-sender';
import { MessagePreparer, type Prepared } from './message-preparer.service';
import { NotificationDispatcher } from './notification-dispatcher.service';
import { CLAIM_MANY_SQL, loadManyForSend, RELEASE_MANY_SQL, updateReturning } from './notification-dispatcher.sql';
import { RecipientResolver } from './recipient-resolver';
import { writeSent, type SentAttempt } from './notification-writes';
import { callSender, sendingEntity } from './send-attempt';
import { SAME_TEXT_PER_DAY, sameTextMessage, type ProcessResult } from './notification-send.rules';

/** Ids per `notifications-send` job. */
export const NOTIFICATION_SEND_BATCH = 20;

type Ready = { row: NotificationEntity; p: Extract<Prepared, { ok: true }>; sender: ChannelSender };
type Tally = Partial<Record<ProcessResult, number>>;

/**
 * Many notifications in one job (a batch fanned out: an estate-wide notice, a warranty scan). The common case —
 * pending, due, rendered, outside quiet hours, its channel's sender here, not an acknowledgement (limited per
 * address) nor an email about a case (its Message-ID recorded) — takes one statement for the whole batch to load,
 * one to claim (notification_claim_many: the same per-number limits) and one to record what the provider took.
 * Provider calls are made one by one, throttled as the single path throttles them. Every other row, and every
 * outcome but "sent", goes through NotificationDispatcher exactly as a single job would.
 */
@Injectable()
export class NotificationBatchSender {
  /**
   * A batch's claimed rows still unsent this long after the claim go back to pending (sent by later jobs): far inside
   * the reconciler's STUCK_AFTER_MS, so it never takes a claimed row for a dead worker's while the batch still sends.
   */
  static sendClaimedWithinMs = 30_000;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly preparer: MessagePreparer,
    private readonly recipients: RecipientResolver,
    private readonly registry: ChannelRegistry,
    private readonly dispatcher: NotificationDispatcher,
  ) {}

  async processMany(ids: string[]): Promise<Tally> {
    const tally: Tally = {};
    const count = (r: ProcessResult, n = 1) => (tally[r] = (tally[r] ?? 0) + n);
    const loaded = await loadManyForSend(this.ds, this.recipients, ids);
    const now = this.clock.now();
    const ready: Ready[] = [];
    const single: string[] = [];
    for (const id of ids) {
      const l = loaded.get(id);
      if (!l) {
        count('skipped');
        continue;
      }
      const r = await this.readyToSend(l.row, l.recipient, now);
      if (r) ready.push(r);
      else single.push(id);
    }
    for (const id of single) count(await this.dispatcher.process(id));
    if (!ready.length) return tally;

    const claimed = await this.claim(ready, now);
    const claimedAt = Date.now();
    const sending: Array<{ n: NotificationEntity; r: Ready }> = [];
    for (const r of ready) {
      const c = claimed.get(r.row.id);
      if (c === undefined) count('skipped');
      else if (c.attempts === null) {
        const limit = { code: 'duplicate_limit', message: sameTextMessage(c.sameText) };
        const done = await this.ds.transaction((m) =>
          this.dispatcher.fail(m, r.row, 'pending', r.p.channel, limit, false),
        );
        count(done ? 'failed' : 'skipped');
      } else sending.push({ n: sendingEntity(r.row, r.p, c.attempts), r });
    }
    const sent: SentAttempt[] = [];
    try {
      for (let i = 0; i < sending.length; i++) {
        if (Date.now() - claimedAt > NotificationBatchSender.sendClaimedWithinMs) {
          count('deferred', await this.release(sending.slice(i).map((s) => s.n)));
          break;
        }
        const { n, r } = sending[i]!;
        await this.preparer.throttle(r.p.channel);
        const outcome = await callSender(r.sender, n, r.p);
        if (outcome.kind === 'sent') sent.push({ n, outcome });
        else count(await this.dispatcher.record(n, outcome));
      }
    } finally {
      // What the providers took is recorded even when a later step failed (the rest stay "sending": reconciled).
      if (sent.length) count('sent', await this.recordSent(sent));
    }
    return tally;
  }

  /** The row, rendered, when the batch path may send it; null when it must take the single path. */
  private async readyToSend(
    row: NotificationEntity,
    recipient: Parameters<MessagePreparer['prepare']>[1],
    now: Date,
  ): Promise<Ready | null> {
    if (row.notBefore.getTime() > now.getTime() || row.kind === 'case_acknowledgement') return null;
    const p = await this.preparer.prepare(row, recipient);
    if (!p.ok || (p.channel === 'email' && row.caseId) || this.preparer.quietUntil(row, p, now)) return null;
    const sender = this.registry.get(p.channel);
    return sender ? { row, p, sender } : null;
  }

  private async claim(ready: Ready[], now: Date): Promise<Map<string, { attempts: number | null; sameText: number }>> {
    const col = <T>(f: (r: Ready) => T) => ready.map(f);
    const rows = await this.ds.query<Array<{ id: string; attempts: number | null; sameText: number }>>(CLAIM_MANY_SQL, [
      col((r) => r.row.id),
      col((r) => r.p.channel),
      col((r) => r.p.to.address),
      col((r) => r.p.subject),
      col((r) => r.p.body),
      col((r) => r.p.html),
      col((r) => r.p.segments),
      now,
      SAME_TEXT_PER_DAY,
    ]);
    return new Map(rows.map((r) => [r.id, { attempts: r.attempts, sameText: r.sameText }]));
  }

  /** Claimed rows not sent in time: back to pending (their attempt undone), queued again. */
  private async release(ns: NotificationEntity[]): Promise<number> {
    const rows = await updateReturning(this.ds, RELEASE_MANY_SQL, [ns.map((n) => n.id), ns.map((n) => n.attempts)]);
    const now = this.clock.now();
    for (const r of rows) await this.dispatcher.requeue(r.id, now);
    return rows.length;
  }

  private async recordSent(sent: SentAttempt[]): Promise<number> {
    await writeSent(this.ds, sent, this.clock.now());
    return sent.length;
  }
}
