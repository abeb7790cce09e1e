import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import {
  backoffDelay,
  CLOCK,
  fallbackKey,
  noticeHeld,
  noticeHeldSql,
  NotificationEntity,
  QueueProducer,
  requestNotification,
  type Clock,
  type NotificationKind,
  type NotificationRequest,
  type NotificationSourceType,
  type NotificationStatus,
  type NotifyChannel,
} from '@kefu/shared';
import { ChannelRegistry, type SendOutcome } from '../channels/channel-sender';
import { MessagePreparer, type Prepared } from './message-preparer.service';

/** Notices that must arrive: when one channel fails, the next is tried (SMS → email → letter). */
export const MUST_ARRIVE: ReadonlySet<NotificationKind> = new Set([
  'case_reply',
  'warranty_expiry',
  'certificate_collection',
  'estate_notice',
]);
const NEXT_CHANNEL: Partial<Record<NotifyChannel, NotifyChannel>> = { sms: 'email', email: 'letter' };
/** Automatic attempts for transient errors (429, 5xx, network); a staff retry adds one more. */
export const MAX_ATTEMPTS = 5;

/** Wait before automatic attempt `attempt + 1`: 30 s, doubling, at most an hour. */
export function backoffMs(attempt: number): number {
  return backoffDelay(Math.max(0, attempt - 1), { baseMs: 30_000, maxMs: 3_600_000 });
}

/** What a fallback row copies from the notification it replaces. */
export type FallbackSource = Pick<
  NotificationEntity,
  | 'id'
  | 'kind'
  | 'idempotencyKey'
  | 'fallbackOfId'
  | 'recipientType'
  | 'ownerId'
  | 'staffId'
  | 'caseId'
  | 'sourceType'
  | 'sourceId'
  | 'variables'
  | 'urgent'
  | 'late'
>;

export type ProcessResult = 'sent' | 'failed' | 'retry' | 'deferred' | 'skipped';

/** Rows an UPDATE … RETURNING touched (TypeORM's postgres driver answers [rows, affected count] for UPDATE). */
export async function updateReturning<T = { id: string }>(
  m: EntityManager | DataSource,
  sql: string,
  params: unknown[],
): Promise<T[]> {
  const r = await m.query<[T[], number]>(sql, params);
  return r[0];
}

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
    private readonly registry: ChannelRegistry,
    private readonly producer: QueueProducer,
  ) {}

  async process(id: string): Promise<ProcessResult> {
    const row = await this.ds.getRepository(NotificationEntity).findOneBy({ id });
    if (!row || row.status !== 'pending') return 'skipped';
    // A paused or cancelled estate-wide notice holds its unsent messages (a resume queues them again).
    if (row.sourceType === 'notice' && row.sourceId && (await noticeHeld(this.ds, row.sourceId))) return 'skipped';
    const now = this.clock.now();
    if (row.notBefore.getTime() > now.getTime()) {
      await this.requeue(id, row.notBefore);
      return 'deferred';
    }
    const p = await this.preparer.prepare(row);
    if (!p.ok) {
      await this.ds.transaction((m) =>
        this.fail(m, row, 'pending', row.channel, { code: p.code, message: p.message }, p.fallback),
      );
      return 'failed';
    }
    const quiet = this.preparer.quietUntil(row, p, now);
    if (quiet) {
      const moved = await this.ds.transaction(async (m) => {
        const r = await updateReturning(
          m,
          `UPDATE notifications SET not_before = $2, updated_at = now()
            WHERE id = $1 AND status = 'pending' RETURNING id`,
          [id, quiet.until],
        );
        if (!r.length) return false;
        const detail = `quiet hours ${quiet.period}: sending at ${quiet.until.toISOString()}`;
        await this.receipt(m, id, now, 'deferred', 'notifier', detail);
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
    const sending = Object.assign(new NotificationEntity(), row, {
      status: 'sending',
      channel: p.channel,
      attempts: attempt,
      toAddress: p.to.address,
      subject: p.subject,
      body: p.body,
      html: p.html,
    });
    let outcome: SendOutcome;
    try {
      outcome = await sender.send(sending, p.to, { subject: p.subject, body: p.body, html: p.html });
    } catch (err) {
      outcome = { kind: 'retry', code: 'sender_error', message: err instanceof Error ? err.message : String(err) };
    }
    return this.record(sending, outcome);
  }

  /**
   * pending → sending, committed before the provider call, with the rendered message and address. SMS:
   * the same text to the same number at most 3 times in 24 h, counted under a per-number advisory lock.
   */
  private claim(
    row: NotificationEntity,
    p: Extract<Prepared, { ok: true }>,
    now: Date,
  ): Promise<number | 'skipped' | 'limited'> {
    return this.ds.transaction(async (m) => {
      const tooMany = await this.preparer.acknowledgementLimit(m, row, p, now);
      const limited = tooMany ?? (await this.preparer.sameTextLimit(m, row, p, now));
      if (limited) {
        const failure = { code: tooMany ? 'recipient_limit' : 'duplicate_limit', message: limited };
        const done = await this.fail(m, row, 'pending', p.channel, failure, false);
        return done ? 'limited' : 'skipped';
      }
      const rows = await updateReturning<{ attempts: number }>(
        m,
        `UPDATE notifications SET status = 'sending', channel = $2, attempts = attempts + 1, to_address = $3, subject = $4, body = $5, html = $6, segments = $7,
                sent_at = $8, provider_id = NULL, error_code = NULL, error_message = NULL, updated_at = now()
          WHERE id = $1 AND status = 'pending' AND NOT ${noticeHeldSql()} RETURNING attempts`,
        [row.id, p.channel, p.to.address, p.subject, p.body, p.html, p.segments, now],
      );
      return rows[0]?.attempts ?? 'skipped';
    });
  }

  /** What the provider said, recorded against this attempt only (the attempt number fences a late worker). */
  async record(n: NotificationEntity, outcome: SendOutcome): Promise<ProcessResult> {
    const now = this.clock.now();
    const channel = n.channel!;
    const source =
      channel === 'sms' ? 'twilio' : channel === 'email' ? 'smtp' : channel === 'letter' ? 'ems' : 'notifier';
    if (outcome.kind === 'sent') {
      await this.ds.transaction(async (m) => {
        const r = await updateReturning(
          m,
          `UPDATE notifications SET status = CASE WHEN status = 'sending' THEN 'sent' ELSE status END, provider_id = $3, segments = COALESCE($4, segments), updated_at = now()
            WHERE id = $1 AND attempts = $2 AND status <> 'pending' RETURNING id`,
          [n.id, n.attempts, outcome.providerId, outcome.segments ?? null],
        );
        if (!r.length) return;
        await this.receipt(
          m,
          n.id,
          now,
          'sent',
          source,
          outcome.detail ?? null,
          outcome.raw ?? { providerId: outcome.providerId },
          `${source}:sent:${n.id}:${n.attempts}`,
        );
        if (channel === 'email' && n.caseId)
          await m.query(`INSERT INTO sent_messages (message_id, case_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [
            outcome.providerId,
            n.caseId,
          ]);
      });
      return 'sent';
    }
    if (outcome.kind === 'retry' && n.attempts < MAX_ATTEMPTS) {
      const at = new Date(now.getTime() + (outcome.retryAfterMs ?? backoffMs(n.attempts)));
      const moved = await this.ds.transaction(async (m) => {
        const r = await updateReturning(
          m,
          `UPDATE notifications SET status = 'pending', not_before = $3, error_code = $4, error_message = $5, updated_at = now() WHERE id = $1 AND attempts = $2 AND status = 'sending' RETURNING id`,
          [n.id, n.attempts, at, outcome.code, outcome.message],
        );
        if (!r.length) return false;
        await this.receipt(
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
        ? { code: outcome.code, message: `gave up after ${n.attempts} attempts: ${outcome.message}` }
        : {
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
    f: { code: string; message: string; optOut?: boolean; undelivered?: boolean; raw?: Record<string, unknown> },
    fallback: boolean,
    attempt?: number,
  ): Promise<boolean> {
    const status = f.undelivered ? 'undelivered' : 'failed';
    const r = await updateReturning(
      m,
      `UPDATE notifications SET status = $3, channel = COALESCE(channel, $4), error_code = $5, error_message = $6, updated_at = now()
        WHERE id = $1 AND status = $2 ${attempt !== undefined ? 'AND attempts = $7' : ''} RETURNING id`,
      [n.id, expected, status, channel, f.code, f.message.slice(0, 2000), ...(attempt !== undefined ? [attempt] : [])],
    );
    if (!r.length) return false;
    const source =
      expected === 'pending' ? 'notifier' : channel === 'sms' ? 'twilio' : channel === 'email' ? 'smtp' : 'notifier';
    await this.receipt(m, n.id, this.clock.now(), status, source, `${f.code}: ${f.message}`, f.raw ?? null);
    if (f.optOut) await this.optOut(m, n, channel ?? 'sms');
    if (fallback && channel) await this.fallback(m, n, channel);
    return true;
  }

  async optOut(
    m: EntityManager,
    n: Pick<NotificationEntity, 'ownerId' | 'caseId'>,
    channel: NotifyChannel,
  ): Promise<void> {
    const ownerId =
      n.ownerId ??
      (n.caseId
        ? ((
            await m.query<Array<{ owner_id: string | null }>>(`SELECT owner_id FROM cases WHERE id = $1`, [n.caseId])
          )[0]?.owner_id ?? null)
        : null);
    if (ownerId)
      await m.query(
        `UPDATE owners SET opt_outs = array_append(opt_outs, $2), updated_at = now() WHERE id = $1 AND NOT ($2 = ANY(opt_outs))`,
        [ownerId, channel],
      );
  }

  /** SMS failed → email → letter, for notices that must arrive: a new row, `<original key>/fallback:<channel>`, once. */
  async fallback(m: EntityManager, n: FallbackSource, failed: NotifyChannel): Promise<string | null> {
    const next = NEXT_CHANNEL[failed];
    if (!next || !(MUST_ARRIVE.has(n.kind) || n.fallbackOfId)) return null;
    // The failed row's variables already passed its kind's contract (rendered before the provider was called).
    const r = await requestNotification(m, {
      idempotencyKey: fallbackKey(n.idempotencyKey, next),
      kind: n.kind,
      channel: next,
      recipient:
        n.recipientType === 'owner'
          ? { ownerId: n.ownerId! }
          : n.recipientType === 'staff'
            ? { staffId: n.staffId! }
            : { caseReporterOf: n.caseId! },
      ...(n.caseId ? { caseId: n.caseId } : {}),
      variables: n.variables,
      urgent: n.urgent,
      notBefore: this.clock.now(),
      late: n.late,
      ...(n.sourceType && n.sourceId
        ? { source: { type: n.sourceType as NotificationSourceType, id: n.sourceId } }
        : {}),
      fallbackOf: n.id,
    } as NotificationRequest);
    return r.created ? r.id : null;
  }

  async receipt(
    m: EntityManager,
    id: string,
    at: Date,
    status: string,
    source: string,
    detail: string | null,
    raw: Record<string, unknown> | null = null,
    dedupeKey: string | null = null,
  ): Promise<boolean> {
    const r = await m.query<unknown[]>(
      `INSERT INTO notification_receipts (notification_id, occurred_at, status, source, detail, raw, dedupe_key) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING RETURNING id`,
      [id, at, status, source, detail, raw ? JSON.stringify(raw) : null, dedupeKey],
    );
    return r.length > 0;
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
