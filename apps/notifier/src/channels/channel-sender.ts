import { Injectable } from '@nestjs/common';
import type { NotificationEntity, NotifyChannel } from '@kefu/shared';

/** A rendered template (apps/notifier renders; senders never see template variables). */
export interface RenderedMessage {
  subject: string | null;
  body: string;
  html: string | null;
}

/** Where it goes: a normalised mobile, an email address, or a postal address block. */
export interface Destination {
  name: string;
  address: string;
  postcode?: string | null;
}

/**
 * What a provider said. `sent`: accepted (delivery comes later as a receipt); `failed`: permanent,
 * no retry (optOut: the recipient opted out of this channel); `retry`: transient and certainly not sent (429, 5xx,
 * a refused connection); `unconfirmed`: the request may have reached the provider but no answer came back (a timeout,
 * a connection dropped mid-request) — sending again could send twice, so the row stays "sending" until the
 * reconciler asks the provider (NotificationReconciler).
 */
export type SendOutcome = (
  | { kind: 'sent'; providerId: string; segments?: number; detail?: string; raw?: Record<string, unknown> }
  | {
      kind: 'failed';
      code: string;
      message: string;
      optOut?: boolean;
      undelivered?: boolean;
      raw?: Record<string, unknown>;
    }
  | { kind: 'retry'; code: string; message: string; retryAfterMs?: number }
  | { kind: 'unconfirmed'; code: string; message: string }
) & {
  /** SMS: the provider the attempt went through (twilio, aliyun, tencent), also recorded on the row. */
  route?: string;
};

/**
 * Network error codes that end a request before it can have reached the provider (no connection, no address, the
 * TLS handshake refused): safe to send again. Anything else without an answer — a timeout, a reset, a hang-up — may
 * have arrived.
 */
const NEVER_ARRIVED =
  /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EAI_NONAME|EHOSTUNREACH|ENETUNREACH|EADDRNOTAVAIL)$|CERT|TLS|SSL/;

export function mayHaveArrived(networkCode: string): boolean {
  return !NEVER_ARRIVED.test(networkCode);
}

/** One per channel: SMS (Twilio), email (SMTP), letter (EMS). Each sender's module registers it with the ChannelRegistry. */
export interface ChannelSender {
  readonly channel: NotifyChannel;
  send(notification: NotificationEntity, to: Destination, message: RenderedMessage): Promise<SendOutcome>;
}

/**
 * The senders this notifier has. Sender modules call `register` in onModuleInit; the dispatcher asks
 * `get(channel)` and fails a notification with a clear reason when no sender is configured for it.
 */
@Injectable()
export class ChannelRegistry {
  private readonly senders = new Map<NotifyChannel, ChannelSender>();

  register(sender: ChannelSender): void {
    if (this.senders.has(sender.channel)) throw new Error(`a ${sender.channel} sender is already registered`);
    this.senders.set(sender.channel, sender);
  }

  get(channel: NotifyChannel): ChannelSender | undefined {
    return this.senders.get(channel);
  }

  channels(): NotifyChannel[] {
    return [...this.senders.keys()];
  }
}
