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
 * no retry (optOut: the recipient opted out of this channel); `retry`: transient (429, 5xx, network).
 */
export type SendOutcome =
  | { kind: 'sent'; providerId: string; segments?: number; detail?: string; raw?: Record<string, unknown> }
  | { kind: 'failed'; code: string; message: string; optOut?: boolean; undelivered?: boolean; raw?: Record<string, unknown> }
  | { kind: 'retry'; code: string; message: string; retryAfterMs?: number };

/** One per channel: SMS (Twilio), email (SMTP), letter (EMS). Provided under CHANNEL_SENDERS as a multi-provider list. */
export interface ChannelSender {
  readonly channel: NotifyChannel;
  send(notification: NotificationEntity, to: Destination, message: RenderedMessage): Promise<SendOutcome>;
}

/** Injection token for the array of ChannelSender implementations. */
export const CHANNEL_SENDERS = Symbol('CHANNEL_SENDERS');
