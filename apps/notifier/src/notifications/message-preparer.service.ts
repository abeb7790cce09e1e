import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig, type NotificationEntity, type NotifyChannel } from '@kefu/shared';
import type { Destination } from '../channels/channel-sender';
import { quietUntil } from './quiet-hours';
import { ProviderRateLimiter } from './rate-limiter';
import { RecipientResolver, type Recipient } from './recipient-resolver';
import { forChannel, renderTemplate, smsSegments, TemplateVariablesError } from './templates';

/** A message ready for its provider, or why there is none (and whether the next channel should be tried). */
export type Prepared =
  | {
      ok: true;
      channel: NotifyChannel;
      to: Destination;
      subject: string | null;
      body: string;
      html: string | null;
      segments: number | null;
    }
  | { ok: false; code: string; message: string; fallback: boolean };

/**
 * Message preparation, between resolving the recipient and the send state machine: the channel, the
 * rendered message and the address; and the rules on when and how often it may go (SMS quiet hours, the
 * same-text limit, the providers' rates).
 */
@Injectable()
export class MessagePreparer {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly recipients: RecipientResolver,
    private readonly limiter: ProviderRateLimiter,
  ) {}

  /**
   * Recipient, channel, variables, rendering: everything that can fail before a provider is involved. `resolved`: the
   * recipient when the caller already read it (null: no longer exists), else it is read here.
   */
  async prepare(row: NotificationEntity, resolved?: Recipient | null): Promise<Prepared> {
    const r = resolved === undefined ? await this.recipients.resolve(row) : resolved;
    if (!r) {
      const message = `the ${row.recipientType} of this notification no longer exists`;
      return { ok: false, code: 'no_recipient', message, fallback: false };
    }
    const addressOf = (c: NotifyChannel): string | null => this.recipients.addressOf(r, c);
    let channel: NotifyChannel | undefined;
    if (row.channel) {
      if (r.optOuts.includes(row.channel)) {
        return { ok: false, code: 'opted_out', message: `the recipient opted out of ${row.channel}`, fallback: true };
      }
      if (!addressOf(row.channel)) {
        const what =
          row.channel === 'sms' ? 'mobile number' : row.channel === 'email' ? 'email address' : 'postal address';
        return { ok: false, code: 'no_address', message: `the recipient has no ${what}`, fallback: true };
      }
      channel = row.channel;
    } else {
      const usable = (c: NotifyChannel) => !r.optOuts.includes(c) && !!addressOf(c);
      channel = r.preferred.find(usable) ?? (['sms', 'email', 'letter'] as const).find(usable);
      if (!channel) {
        const message = 'the recipient has no address on a channel they have not opted out of';
        return { ok: false, code: 'no_address', message, fallback: false };
      }
    }
    let rendered;
    try {
      rendered = renderTemplate(row.kind, row.variables, r.name);
    } catch (err) {
      if (err instanceof TemplateVariablesError) {
        return { ok: false, code: 'bad_variables', message: err.message, fallback: false };
      }
      throw err;
    }
    const msg = forChannel(channel, rendered, this.config.SMS_SIGNATURE);
    const address = addressOf(channel)!;
    const to = { name: r.name ?? '', address, postcode: r.postcode };
    return { ok: true, channel, to, ...msg, segments: channel === 'sms' ? smsSegments(msg.body) : null };
  }

  /** Until when a prepared message must wait (a non-urgent SMS in quiet hours, `period`), or null to send now. */
  quietUntil(
    row: Pick<NotificationEntity, 'urgent'>,
    p: { channel: NotifyChannel },
    now: Date,
  ): { until: Date; period: string } | null {
    if (p.channel !== 'sms' || row.urgent) return null;
    const until = quietUntil(now, this.config.SMS_QUIET_HOURS, this.config.BUSINESS_TIME_ZONE);
    return until ? { until, period: this.config.SMS_QUIET_HOURS } : null;
  }

  /** Waits for the channel's provider rate (per second, across replicas) to allow one more call. */
  async throttle(channel: NotifyChannel): Promise<void> {
    await this.limiter.acquire(channel);
  }

  /**
   * Why this acknowledgement may not go to this address (already ACKS_PER_RECIPIENT_PER_DAY in 24 h, any channel),
   * or null: a stranger can type anyone's number into the web form. Counted, like the same-text limit, under a
   * per-address advisory lock held until the claiming transaction commits.
   */
  async acknowledgementLimit(
    m: EntityManager,
    row: Pick<NotificationEntity, 'id' | 'kind'>,
    p: Extract<Prepared, { ok: true }>,
    now: Date,
  ): Promise<string | null> {
    if (row.kind !== 'case_acknowledgement') return null;
    await m.query(`SELECT pg_advisory_xact_lock(hashtextextended('kefu-ack:' || $1, 0))`, [p.to.address]);
    const [{ n }] = await m.query<[{ n: number }]>(
      `SELECT count(*)::int AS n FROM notifications
        WHERE to_address = $1 AND kind = 'case_acknowledgement' AND id <> $2 AND sent_at > $3::timestamptz - interval '24 hours'
          AND status IN ('sending', 'sent', 'delivered', 'undelivered', 'bounced')`,
      [p.to.address, row.id, now],
    );
    const max = this.config.ACKS_PER_RECIPIENT_PER_DAY;
    return n >= max ? `${n} acknowledgements went to this address in the last 24 hours (at most ${max})` : null;
  }
}
