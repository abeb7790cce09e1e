import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import {
  APP_CONFIG, CLOCK, fallbackKey, NotificationEntity, QueueProducer, requestNotification, type AppConfig, type Clock,
  type NotificationKind, type NotificationRequest, type NotificationSourceType, type NotificationStatus,
  type NotifyChannel,
} from '@kefu/shared';
import { ChannelRegistry, type Destination, type SendOutcome } from '../channels/channel-sender';
import { quietUntil } from './quiet-hours';
import { ProviderRateLimiter } from './rate-limiter';
import { forChannel, renderTemplate, smsSegments, TemplateVariablesError } from './templates';

/** Notices that must arrive: when one channel fails, the next is tried (SMS → email → letter). */
export const MUST_ARRIVE: ReadonlySet<NotificationKind> = new Set(['case_reply', 'warranty_expiry', 'certificate_collection']);
const NEXT_CHANNEL: Partial<Record<NotifyChannel, NotifyChannel>> = { sms: 'email', email: 'letter' };
/** Automatic attempts for transient errors (429, 5xx, network); a staff retry adds one more. */
export const MAX_ATTEMPTS = 5;
const SAME_TEXT_PER_DAY = 3;

export function backoffMs(attempt: number): number {
  return Math.min(3600_000, 30_000 * 2 ** Math.max(0, attempt - 1));
}

interface Recipient {
  name: string | null;
  ownerId: string | null;
  mobile: string | null;
  email: string | null;
  postalAddress: string | null;
  postcode: string | null;
  preferred: NotifyChannel[];
  optOuts: NotifyChannel[];
}

type Prepared =
  | { ok: true; channel: NotifyChannel; to: Destination; subject: string | null; body: string; html: string | null; segments: number | null }
  | { ok: false; code: string; message: string; fallback: boolean };

/** What a fallback row copies from the notification it replaces. */
export type FallbackSource = Pick<NotificationEntity, 'id' | 'kind' | 'idempotencyKey' | 'fallbackOfId' | 'recipientType' | 'ownerId' | 'staffId' | 'caseId' | 'sourceType' | 'sourceId' | 'variables' | 'urgent' | 'late'>;

export type ProcessResult = 'sent' | 'failed' | 'retry' | 'deferred' | 'skipped';

/** Rows an UPDATE … RETURNING touched (TypeORM's postgres driver answers [rows, affected count] for UPDATE). */
export async function updateReturning<T = { id: string }>(m: EntityManager | DataSource, sql: string, params: unknown[]): Promise<T[]> {
  const r = await m.query<[T[], number]>(sql, params);
  return r[0];
}

interface OwnerRow { name: string; mobiles: string[]; email: string | null; postal_address: string | null; postcode: string | null; preferred_channels: NotifyChannel[]; opt_outs: NotifyChannel[] }
interface CaseReporterRow {
  reporter_name: string | null; reporter_phone: string | null; reporter_email: string | null; owner_id: string | null; owner_name: string | null;
  postal_address: string | null; postcode: string | null; opt_outs: NotifyChannel[] | null; preferred_channels: NotifyChannel[] | null;
}

const isMobile = (p: string | null | undefined): p is string => !!p && (/^1\d{10}$/.test(p) || /^\+\d{8,15}$/.test(p));

/**
 * The notification state machine. Every write is guarded by the status it expects (and the attempt
 * number as a fence), so a job delivered twice, a sweep and a job racing, or a late worker do nothing
 * twice. "sending" is committed before the provider is called; a row stuck there is reconciled
 * (NotificationReconciler), never blindly sent again.
 */
@Injectable()
export class NotificationDispatcher {
  private readonly logger = new Logger(NotificationDispatcher.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly registry: ChannelRegistry,
    private readonly limiter: ProviderRateLimiter,
    private readonly producer: QueueProducer,
  ) {}

  async process(id: string): Promise<ProcessResult> {
    const row = await this.ds.getRepository(NotificationEntity).findOneBy({ id });
    if (!row || row.status !== 'pending') return 'skipped';
    const now = this.clock.now();
    if (row.notBefore.getTime() > now.getTime()) {
      await this.requeue(id, row.notBefore);
      return 'deferred';
    }
    const p = await this.prepare(row);
    if (!p.ok) {
      await this.ds.transaction((m) => this.fail(m, row, 'pending', row.channel, { code: p.code, message: p.message }, p.fallback));
      return 'failed';
    }
    if (p.channel === 'sms' && !row.urgent) {
      const until = quietUntil(now, this.config.SMS_QUIET_HOURS, this.config.BUSINESS_TIME_ZONE);
      if (until) {
        const moved = await this.ds.transaction(async (m) => {
          const r = await updateReturning(m, `UPDATE notifications SET not_before = $2, updated_at = now() WHERE id = $1 AND status = 'pending' RETURNING id`, [id, until]);
          if (!r.length) return false;
          await this.receipt(m, id, now, 'deferred', 'notifier', `quiet hours ${this.config.SMS_QUIET_HOURS}: sending at ${until.toISOString()}`);
          return true;
        });
        if (moved) await this.requeue(id, until);
        return 'deferred';
      }
    }
    const sender = this.registry.get(p.channel);
    if (!sender) {
      await this.ds.transaction((m) => this.fail(m, row, 'pending', p.channel, { code: 'no_sender', message: `no ${p.channel} sender is configured in this notifier` }, true));
      return 'failed';
    }
    await this.limiter.acquire(p.channel);
    const attempt = await this.claim(row, p, now);
    if (attempt === 'skipped') return 'skipped';
    if (attempt === 'limited') return 'failed';
    const sending = Object.assign(new NotificationEntity(), row, { status: 'sending', channel: p.channel, attempts: attempt, toAddress: p.to.address, subject: p.subject, body: p.body, html: p.html });
    let outcome: SendOutcome;
    try {
      outcome = await sender.send(sending, p.to, { subject: p.subject, body: p.body, html: p.html });
    } catch (err) {
      outcome = { kind: 'retry', code: 'sender_error', message: err instanceof Error ? err.message : String(err) };
    }
    return this.record(sending, outcome);
  }

  /** Recipient, channel, variables, rendering: everything that can fail before a provider is involved. */
  async prepare(row: NotificationEntity): Promise<Prepared> {
    const r = await this.recipient(row);
    if (!r) return { ok: false, code: 'no_recipient', message: `the ${row.recipientType} of this notification no longer exists`, fallback: false };
    const addressOf = (c: NotifyChannel): string | null => (c === 'sms' ? (isMobile(r.mobile) ? r.mobile : null) : c === 'email' ? r.email : r.postalAddress);
    let channel: NotifyChannel | undefined;
    if (row.channel) {
      if (r.optOuts.includes(row.channel)) return { ok: false, code: 'opted_out', message: `the recipient opted out of ${row.channel}`, fallback: true };
      if (!addressOf(row.channel)) return { ok: false, code: 'no_address', message: `the recipient has no ${row.channel === 'sms' ? 'mobile number' : row.channel === 'email' ? 'email address' : 'postal address'}`, fallback: true };
      channel = row.channel;
    } else {
      const usable = (c: NotifyChannel) => !r.optOuts.includes(c) && !!addressOf(c);
      channel = r.preferred.find(usable) ?? (['sms', 'email', 'letter'] as const).find(usable);
      if (!channel) return { ok: false, code: 'no_address', message: 'the recipient has no address on a channel they have not opted out of', fallback: false };
    }
    let rendered;
    try {
      rendered = renderTemplate(row.kind, row.variables, r.name);
    } catch (err) {
      if (err instanceof TemplateVariablesError) return { ok: false, code: 'bad_variables', message: err.message, fallback: false };
      throw err;
    }
    const msg = forChannel(channel, rendered, this.config.SMS_SIGNATURE);
    const address = addressOf(channel)!;
    return { ok: true, channel, to: { name: r.name ?? '', address, postcode: r.postcode }, ...msg, segments: channel === 'sms' ? smsSegments(msg.body) : null };
  }

  private async recipient(row: NotificationEntity): Promise<Recipient | null> {
    if (row.recipientType === 'owner') {
      const [o] = await this.ds.query<OwnerRow[]>(`SELECT name, mobiles, email, postal_address, postcode, preferred_channels, opt_outs FROM owners WHERE id = $1`, [row.ownerId]);
      return o ? { name: o.name, ownerId: row.ownerId, mobile: o.mobiles.find(isMobile) ?? null, email: o.email, postalAddress: o.postal_address, postcode: o.postcode, preferred: o.preferred_channels, optOuts: o.opt_outs } : null;
    }
    if (row.recipientType === 'staff') {
      const [s] = await this.ds.query<Array<{ name: string; mobile: string | null; email: string | null }>>(`SELECT name, mobile, email FROM staff WHERE id = $1`, [row.staffId]);
      return s ? { name: s.name, ownerId: null, mobile: s.mobile, email: s.email, postalAddress: null, postcode: null, preferred: ['sms', 'email'], optOuts: [] } : null;
    }
    // The case's reporter as they gave themselves; a matched owner's opt-outs and postal address still apply.
    const [c] = await this.ds.query<CaseReporterRow[]>(
      `SELECT c.reporter_name, c.reporter_phone, c.reporter_email, c.owner_id, o.name AS owner_name, o.postal_address, o.postcode, o.opt_outs, o.preferred_channels
         FROM cases c LEFT JOIN owners o ON o.id = c.owner_id WHERE c.id = $1`,
      [row.caseId],
    );
    if (!c) return null;
    return {
      name: c.reporter_name ?? c.owner_name ?? null, ownerId: c.owner_id, mobile: c.reporter_phone, email: c.reporter_email,
      postalAddress: c.postal_address ?? null, postcode: c.postcode ?? null, preferred: c.preferred_channels ?? ['sms', 'email'], optOuts: c.opt_outs ?? [],
    };
  }

  /**
   * pending → sending, committed before the provider call, with the rendered message and address. SMS:
   * the same text to the same number at most 3 times in 24 h, counted under a per-number advisory lock.
   */
  private claim(row: NotificationEntity, p: Extract<Prepared, { ok: true }>, now: Date): Promise<number | 'skipped' | 'limited'> {
    return this.ds.transaction(async (m) => {
      if (p.channel === 'sms') {
        await m.query(`SELECT pg_advisory_xact_lock(hashtextextended('kefu-sms:' || $1, 0))`, [p.to.address]);
        const [{ n }] = await m.query<[{ n: number }]>(
          `SELECT count(*)::int AS n FROM notifications WHERE to_address = $1 AND channel = 'sms' AND id <> $2 AND sent_at > $3::timestamptz - interval '24 hours'
              AND status IN ('sending', 'sent', 'delivered', 'undelivered') AND md5(body) = md5($4)`,
          [p.to.address, row.id, now, p.body],
        );
        if (n >= SAME_TEXT_PER_DAY) {
          const done = await this.fail(m, row, 'pending', p.channel, { code: 'duplicate_limit', message: `the same text was sent to this number ${n} times in the last 24 hours` }, false);
          return done ? 'limited' : 'skipped';
        }
      }
      const rows = await updateReturning<{ attempts: number }>(m,
        `UPDATE notifications SET status = 'sending', channel = $2, attempts = attempts + 1, to_address = $3, subject = $4, body = $5, html = $6, segments = $7,
                sent_at = $8, provider_id = NULL, error_code = NULL, error_message = NULL, updated_at = now()
          WHERE id = $1 AND status = 'pending' RETURNING attempts`,
        [row.id, p.channel, p.to.address, p.subject, p.body, p.html, p.segments, now],
      );
      return rows[0]?.attempts ?? 'skipped';
    });
  }

  /** What the provider said, recorded against this attempt only (the attempt number fences a late worker). */
  async record(n: NotificationEntity, outcome: SendOutcome): Promise<ProcessResult> {
    const now = this.clock.now();
    const channel = n.channel!;
    const source = channel === 'sms' ? 'twilio' : channel === 'email' ? 'smtp' : channel === 'letter' ? 'ems' : 'notifier';
    if (outcome.kind === 'sent') {
      await this.ds.transaction(async (m) => {
        const r = await updateReturning(m,
          `UPDATE notifications SET status = CASE WHEN status = 'sending' THEN 'sent' ELSE status END, provider_id = $3, segments = COALESCE($4, segments), updated_at = now()
            WHERE id = $1 AND attempts = $2 AND status <> 'pending' RETURNING id`,
          [n.id, n.attempts, outcome.providerId, outcome.segments ?? null],
        );
        if (!r.length) return;
        await this.receipt(m, n.id, now, 'sent', source, outcome.detail ?? null, outcome.raw ?? { providerId: outcome.providerId }, `${source}:sent:${n.id}:${n.attempts}`);
        if (channel === 'email' && n.caseId) await m.query(`INSERT INTO sent_messages (message_id, case_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [outcome.providerId, n.caseId]);
      });
      return 'sent';
    }
    if (outcome.kind === 'retry' && n.attempts < MAX_ATTEMPTS) {
      const at = new Date(now.getTime() + (outcome.retryAfterMs ?? backoffMs(n.attempts)));
      const moved = await this.ds.transaction(async (m) => {
        const r = await updateReturning(m,
          `UPDATE notifications SET status = 'pending', not_before = $3, error_code = $4, error_message = $5, updated_at = now() WHERE id = $1 AND attempts = $2 AND status = 'sending' RETURNING id`,
          [n.id, n.attempts, at, outcome.code, outcome.message],
        );
        if (!r.length) return false;
        await this.receipt(m, n.id, now, 'retry', source, `${outcome.code}: ${outcome.message}; attempt ${n.attempts + 1} at ${at.toISOString()}`, null);
        return true;
      });
      if (moved) await this.requeue(n.id, at);
      return 'retry';
    }
    const failure =
      outcome.kind === 'retry'
        ? { code: outcome.code, message: `gave up after ${n.attempts} attempts: ${outcome.message}` }
        : { code: outcome.code, message: outcome.message, optOut: outcome.optOut, undelivered: outcome.undelivered, raw: outcome.raw };
    await this.ds.transaction((m) => this.fail(m, n, 'sending', channel, failure, true, n.attempts));
    return 'failed';
  }

  /**
   * A final failure from `expected` (guarded): status failed (or undelivered), the reason, a receipt,
   * the owner's opt-out when the provider says so, and for a must-arrive notice the next channel's row.
   */
  async fail(
    m: EntityManager, n: NotificationEntity, expected: NotificationStatus, channel: NotifyChannel | null,
    f: { code: string; message: string; optOut?: boolean; undelivered?: boolean; raw?: Record<string, unknown> }, fallback: boolean, attempt?: number,
  ): Promise<boolean> {
    const status = f.undelivered ? 'undelivered' : 'failed';
    const r = await updateReturning(m,
      `UPDATE notifications SET status = $3, channel = COALESCE(channel, $4), error_code = $5, error_message = $6, updated_at = now()
        WHERE id = $1 AND status = $2 ${attempt !== undefined ? 'AND attempts = $7' : ''} RETURNING id`,
      [n.id, expected, status, channel, f.code, f.message.slice(0, 2000), ...(attempt !== undefined ? [attempt] : [])],
    );
    if (!r.length) return false;
    const source = expected === 'pending' ? 'notifier' : channel === 'sms' ? 'twilio' : channel === 'email' ? 'smtp' : 'notifier';
    await this.receipt(m, n.id, this.clock.now(), status, source, `${f.code}: ${f.message}`, f.raw ?? null);
    if (f.optOut) await this.optOut(m, n, channel ?? 'sms');
    if (fallback && channel) await this.fallback(m, n, channel);
    return true;
  }

  async optOut(m: EntityManager, n: Pick<NotificationEntity, 'ownerId' | 'caseId'>, channel: NotifyChannel): Promise<void> {
    const ownerId = n.ownerId ?? (n.caseId ? ((await m.query<Array<{ owner_id: string | null }>>(`SELECT owner_id FROM cases WHERE id = $1`, [n.caseId]))[0]?.owner_id ?? null) : null);
    if (ownerId) await m.query(`UPDATE owners SET opt_outs = array_append(opt_outs, $2), updated_at = now() WHERE id = $1 AND NOT ($2 = ANY(opt_outs))`, [ownerId, channel]);
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
        n.recipientType === 'owner' ? { ownerId: n.ownerId! }
        : n.recipientType === 'staff' ? { staffId: n.staffId! }
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

  async receipt(m: EntityManager, id: string, at: Date, status: string, source: string, detail: string | null, raw: Record<string, unknown> | null = null, dedupeKey: string | null = null): Promise<boolean> {
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
      await this.producer.enqueue('notification-requested', { notificationId: id }, { delay, jobId: `nr-${id}-${at.getTime()}` });
    } catch (err) {
      this.logger.warn({ notificationId: id, err: err instanceof Error ? err.message : String(err) }, 'could not queue the deferred send; the sweep will pick it up');
    }
  }
}
