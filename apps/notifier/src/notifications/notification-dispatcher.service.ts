import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import {
  CLOCK,
  NotificationEntity,
  QueueProducer,
  requestNotification,
  type Clock,
  type NotificationStatus,
  type NotifyChannel,
} from '@kefu/shared';
import { ChannelRegistry, type SendOutcome } from '../channels/channel-sender';
import { MessagePreparer, type Prepared } from './message-preparer.service';
import {
  CLAIM_SQL,
  DEFER_SQL,
  failSql,
  inTransaction,
  loadForSend,
  RETRY_SQL,
  SENT_MESSAGE_SQL,
  updateReturning,
} from './notification-dispatcher.sql';
import { RecipientResolver } from './recipient-resolver';
import { optOutOwner, writeReceipt, writeSent } from './notification-writes';
import { callSender, sendingEntity } from './send-attempt';
import {
  MAX_ATTEMPTS,
  MUST_ARRIVE,
  NEXT_CHANNEL,
  SAME_TEXT_PER_DAY,
  backoffMs,
  sameTextMessage,
  fallbackRequest,
  providerSource,
  type FinalFailure,
  type ClaimLimit,
  type FallbackSource,
  type ProcessResult,
} from './notification-send.rules';

export { MAX_ATTEMPTS, MUST_ARRIVE, backoffMs, updateReturning, type FallbackSource, type ProcessResult };

/**
 * The send state machine, the last step of sending (after RecipientResolver and MessagePreparer). Every
 * write is guarded by the status it expects (and the attempt number as a fence), so a job delivered
 * twice, a sweep and a job racing, or a late worker do nothing twice. "sending" is committed before the
 * provider is called; a row stuck there is reconciled (NotificationReconciler), never blindly sent again.
 */
@Injectable()
export class NotificationDispatcher {
  private readonly logger = new Logger(NotificationDispatcher.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly preparer: MessagePreparer,
    private readonly recipients: RecipientResolver,
    private readonly registry: ChannelRegistry,
    private readonly producer: QueueProducer,
  ) {}

  async process(id: string): Promise<ProcessResult> {
    const loaded = await loadForSend(this.ds, this.recipients, id);
    if (!loaded) return 'skipped';
    const { row, recipient } = loaded;
    const now = this.clock.now();
    if (row.notBefore.getTime() > now.getTime()) {
      await this.requeue(id, row.notBefore);
      return 'deferred';
    }
    const p = await this.preparer.prepare(row, recipient);
    if (!p.ok) {
      await this.ds.transaction((m) =>
        this.fail(m, row, 'pending', row.channel, { code: p.code, message: p.message }, p.fallback),
      );
      return 'failed';
    }
    const quiet = this.preparer.quietUntil(row, p, now);
    if (quiet) {
      const moved = await this.ds.transaction(async (m) => {
        const r = await updateReturning(m, DEFER_SQL, [id, quiet.until]);
        if (!r.length) return false;
        const detail = `quiet hours ${quiet.period}: sending at ${quiet.until.toISOString()}`;
        await writeReceipt(m, id, now, 'deferred', 'notifier', detail);
        return true;
      });
      if (moved) await this.requeue(id, quiet.until);
      return 'deferred';
    }
    const sender = this.registry.get(p.channel);
    if (!sender) {
      await this.ds.transaction((m) =>
        this.fail(
          m,
          row,
          'pending',
          p.channel,
          { code: 'no_sender', message: `no ${p.channel} sender is configured in this notifier` },
          true,
        ),
      );
      return 'failed';
    }
    await this.preparer.throttle(p.channel);
    const attempt = await this.claim(row, p, now);
    if (attempt === 'skipped') return 'skipped';
    if (attempt === 'limited') return 'failed';
    const sending = sendingEntity(row, p, attempt);
    const outcome = await callSender(sender, sending, p);
    return this.record(sending, outcome);
  }

  /**
   * pending → sending, committed before the provider call, with the rendered message and address. SMS: the same text
   * to the same number at most SAME_TEXT_PER_DAY times in 24 h, counted under a per-number advisory lock, all in one
   * statement (notification_claim); an acknowledgement also under its per-address limit, in one transaction.
   */
  private async claim(
    row: NotificationEntity,
    p: Extract<Prepared, { ok: true }>,
    now: Date,
  ): Promise<number | 'skipped' | 'limited'> {
    const params = [row.id, p.channel, p.to.address, p.subject, p.body, p.html, p.segments, now, SAME_TEXT_PER_DAY];
    const ack = row.kind === 'case_acknowledgement';
    const claimed = await inTransaction(this.ds, ack, async (m): Promise<number | 'skipped' | ClaimLimit> => {
      const tooMany = ack && (await this.preparer.acknowledgementLimit(m, row, p, now));
      if (tooMany) return { code: 'recipient_limit', message: tooMany };
      const [c] = await m.query<Array<{ attempts: number | null; sameText: number }>>(CLAIM_SQL, params);
      if (!c) return 'skipped';
      return c.attempts ?? { code: 'duplicate_limit', message: sameTextMessage(c.sameText) };
    });
    if (typeof claimed !== 'object') return claimed;
    const done = await this.ds.transaction((m) => this.fail(m, row, 'pending', p.channel, claimed, false));
    return done ? 'limited' : 'skipped';
  }

  /** What the provider said, recorded against this attempt only (the attempt number fences a late worker). */
  async record(n: NotificationEntity, outcome: SendOutcome): Promise<ProcessResult> {
    const now = this.clock.now();
    const channel = n.channel!;
    const source = outcome.route ?? providerSource(channel);
    if (outcome.kind === 'sent') {
      // The row and its receipt in one statement; an email about a case also records its Message-ID with them.
      const caseEmail = channel === 'email' && !!n.caseId;
      await inTransaction(this.ds, caseEmail, async (m) => {
        const moved = await writeSent(m, [{ n, outcome }], now);
        if (moved && caseEmail) await m.query(SENT_MESSAGE_SQL, [outcome.providerId, n.caseId]);
      });
      return 'sent';
    }
    if (outcome.kind === 'unconfirmed') {
      // Left "sending": a status callback or the reconciler's lookup settles it; sending again could send twice.
      const detail = `${outcome.code}: ${outcome.message}; left for the provider's answer or the reconciler's lookup`;
      await writeReceipt(
        this.ds.manager,
        n.id,
        now,
        'unconfirmed',
        source,
        detail,
        null,
        `${source}:unconfirmed:${n.id}:${n.attempts}`,
      );
      this.logger.warn(
        { notificationId: n.id, attempt: n.attempts, code: outcome.code },
        'no answer from the provider; not sending again until it is asked',
      );
      return 'unconfirmed';
    }
    if (outcome.kind === 'retry' && n.attempts < MAX_ATTEMPTS) {
      const at = new Date(now.getTime() + (outcome.retryAfterMs ?? backoffMs(n.attempts)));
      const moved = await this.ds.transaction(async (m) => {
        const r = await updateReturning(m, RETRY_SQL, [n.id, n.attempts, at, outcome.code, outcome.message]);
        if (!r.length) return false;
        await writeReceipt(
          m,
          n.id,
          now,
          'retry',
          source,
          `${outcome.code}: ${outcome.message}; attempt ${n.attempts + 1} at ${at.toISOString()}`,
          null,
        );
        return true;
      });
      if (moved) await this.requeue(n.id, at);
      return 'retry';
    }
    const failure =
      outcome.kind === 'retry'
        ? {
            code: outcome.code,
            message: `gave up after ${n.attempts} attempts: ${outcome.message}`,
            route: outcome.route,
          }
        : {
            route: outcome.route,
            code: outcome.code,
            message: outcome.message,
            optOut: outcome.optOut,
            undelivered: outcome.undelivered,
            raw: outcome.raw,
          };
    await this.ds.transaction((m) => this.fail(m, n, 'sending', channel, failure, true, n.attempts));
    return 'failed';
  }

  /**
   * A final failure from `expected` (guarded): status failed (or undelivered), the reason, a receipt,
   * the owner's opt-out when the provider says so, and for a must-arrive notice the next channel's row.
   */
  async fail(
    m: EntityManager,
    n: NotificationEntity,
    expected: NotificationStatus,
    channel: NotifyChannel | null,
    f: FinalFailure,
    fallback: boolean,
    attempt?: number,
  ): Promise<boolean> {
    const status = f.undelivered ? 'undelivered' : 'failed';
    const r = await updateReturning(m, failSql(attempt !== undefined), [
      n.id,
      expected,
      status,
      channel,
      f.code,
      f.message.slice(0, 2000),
      ...(attempt !== undefined ? [attempt] : []),
    ]);
    if (!r.length) return false;
    const source =
      expected === 'pending'
        ? 'notifier'
        : (f.route ?? (channel === 'sms' ? 'twilio' : channel === 'email' ? 'smtp' : 'notifier'));
    await writeReceipt(m, n.id, this.clock.now(), status, source, `${f.code}: ${f.message}`, f.raw ?? null);
    if (f.optOut) await optOutOwner(m, n, channel ?? 'sms');
    if (fallback && channel) await this.fallback(m, n, channel);
    return true;
  }

  /** SMS failed → email → letter, for notices that must arrive: a new row, `<original key>/fallback:<channel>`, once. */
  async fallback(m: EntityManager, n: FallbackSource, failed: NotifyChannel): Promise<string | null> {
    const next = NEXT_CHANNEL[failed];
    if (!next || !(MUST_ARRIVE.has(n.kind) || n.fallbackOfId)) return null;
    const r = await requestNotification(m, fallbackRequest(n, next, this.clock.now()));
    return r.created ? r.id : null;
  }

  /** A delayed job for a row due later (retry backoff, quiet hours). Best effort: the send-due sweep finds it anyway. */
  async requeue(id: string, at: Date): Promise<void> {
    const delay = Math.max(0, at.getTime() - this.clock.now().getTime());
    try {
      await this.producer.enqueue(
        'notification-requested',
        { notificationId: id },
        { delay, jobId: `nr-${id}-${at.getTime()}` },
      );
    } catch (err) {
      this.logger.warn(
        { notificationId: id, err: err instanceof Error ? err.message : String(err) },
        'could not queue the deferred send; the sweep will pick it up',
      );
    }
  }
}
