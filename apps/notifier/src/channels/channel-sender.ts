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
 * no retry (optOut: the recipient opted out of this channel); `retry`: transient (429, 5xx, network).
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
) & {
  /** SMS: the provider the attempt went through (twilio, aliyun, tencent), also recorded on the row. */
  route?: string;
};

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
