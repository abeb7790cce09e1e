import { Inject, Injectable } from '@nestjs/common';
import twilio, { type Twilio } from 'twilio';
import RequestClient from 'twilio/lib/base/RequestClient';
import { APP_CONFIG, smsE164, type AppConfig, type NotificationEntity } from '@kefu/shared';
import type { ChannelSender, Destination, RenderedMessage, SendOutcome } from '../channels/channel-sender';
import { classifyTwilioError } from './twilio-errors';
import { smsSegments } from './templates';

/** Sends Twilio API calls somewhere other than api.twilio.com (TWILIO_API_BASE_URL: a stub or a proxy). */
export class RebasedRequestClient extends RequestClient {
  constructor(private readonly base: string) {
    super({ keepAlive: true, timeout: 15_000 });
  }
  override request<T>(opts: RequestClient.RequestOptions<T>) {
    return super.request({
      ...opts,
      uri: opts.uri.replace(/^https:\/\/[a-z0-9.-]*twilio\.com/, this.base.replace(/\/$/, '')),
    });
  }
}

export interface TwilioMessageLookup {
  sid: string;
  status: string;
  to: string;
  body: string;
  dateCreated: Date | null;
}

/** SMS through the twilio SDK: a Messaging Service or a sender number, a status callback on every message. */
@Injectable()
export class TwilioSmsSender implements ChannelSender {
  readonly channel = 'sms' as const;
  private readonly client: Twilio;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    const base = config.TWILIO_API_BASE_URL;
    this.client = twilio(config.TWILIO_ACCOUNT_SID, config.TWILIO_AUTH_TOKEN, {
      ...(base ? { httpClient: new RebasedRequestClient(base) } : {}),
      autoRetry: false,
    });
  }

  static configured(config: AppConfig): boolean {
    return !!(
      config.TWILIO_ACCOUNT_SID &&
      config.TWILIO_AUTH_TOKEN &&
      (config.TWILIO_MESSAGING_SERVICE_SID || config.TWILIO_FROM)
    );
  }

  /**
   * The URL Twilio posts status callbacks to: the notification id rides along so a callback finds its row
   * even before the SID is recorded, and the attempt so a late callback of an earlier attempt moves nothing.
   */
  callbackUrl(notificationId: string, attempt: number): string {
    return `${this.callbackBase()}?n=${notificationId}&a=${attempt}`;
  }

  callbackBase(): string {
    return (
      this.config.TWILIO_STATUS_CALLBACK_URL ??
      `${this.config.PUBLIC_BASE_URL.replace(/\/$/, '')}/webhooks/twilio/status`
    );
  }

  async send(n: NotificationEntity, to: Destination, message: RenderedMessage): Promise<SendOutcome> {
    try {
      const sender = this.config.TWILIO_MESSAGING_SERVICE_SID
        ? { messagingServiceSid: this.config.TWILIO_MESSAGING_SERVICE_SID }
        : { from: this.config.TWILIO_FROM! };
      const m = await this.client.messages.create({
        to: smsE164(to.address),
        body: message.body,
        statusCallback: this.callbackUrl(n.id, n.attempts),
        ...sender,
      });
      return {
        kind: 'sent',
        providerId: m.sid,
        segments: smsSegments(message.body),
        detail: m.status,
        raw: { sid: m.sid, status: m.status, numSegments: m.numSegments },
      };
    } catch (err) {
      return classifyTwilioError(describe(err));
    }
  }

  /**
   * Reconciling after a crash: the message by SID if we recorded it, else the messages Twilio has to this
   * number with exactly this text since the day before the attempt (DateSent filters by day). The caller
   * takes one whose SID no other notification has claimed.
   */
  async lookup(q: { sid?: string | null; to: string; body: string; since: Date }): Promise<TwilioMessageLookup[]> {
    const pick = (m: { sid: string; status: string; to: string; body: string; dateCreated: Date | null }) => ({
      sid: m.sid,
      status: m.status,
      to: m.to,
      body: m.body,
      dateCreated: m.dateCreated,
    });
    if (q.sid) return [pick(await this.client.messages(q.sid).fetch())];
    const since = new Date(q.since.getTime() - 24 * 3600_000);
    // Every page: a staff member's number gets hundreds of reminders a day, and the one sought may be far down.
    const list = await this.client.messages.list({
      to: smsE164(q.to),
      dateSentAfter: since,
      pageSize: 1000,
      limit: LOOKUP_LIMIT,
    });
    const found = list.filter((m) => m.body === q.body).map(pick);
    // Not among the first LOOKUP_LIMIT: absence proves nothing, and "absent" would send it again.
    if (!found.length && list.length >= LOOKUP_LIMIT)
      throw new Error(
        `over ${LOOKUP_LIMIT} messages to this number since the attempt; cannot tell whether it was sent`,
      );
    return found;
  }
}

/** At most this many of a number's messages are read when reconciling (5 pages of 1,000). */
const LOOKUP_LIMIT = 5_000;

function describe(err: unknown): { code?: number; status?: number; message?: string; networkCode?: string } {
  const e = err as { code?: unknown; status?: unknown; message?: unknown };
  const status = typeof e.status === 'number' ? e.status : undefined;
  if (status)
    return {
      status,
      code: typeof e.code === 'number' ? e.code : undefined,
      message: typeof e.message === 'string' ? e.message : '',
    };
  return {
    networkCode: typeof e.code === 'string' ? e.code : 'network_error',
    message: typeof e.message === 'string' ? e.message : String(err),
  };
}
