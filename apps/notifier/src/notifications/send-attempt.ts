import { NotificationEntity } from '@kefu/shared';
import type { ChannelSender, SendOutcome } from '../channels/channel-sender';
import type { Prepared } from './message-preparer.service';

type Ready = Extract<Prepared, { ok: true }>;

/** The row as its provider call sees it: claimed (sending, this attempt), with the rendered message and address. */
export function sendingEntity(row: NotificationEntity, p: Ready, attempts: number): NotificationEntity {
  return Object.assign(new NotificationEntity(), row, {
    status: 'sending',
    channel: p.channel,
    attempts,
    toAddress: p.to.address,
    subject: p.subject,
    body: p.body,
    html: p.html,
  });
}

/** One provider call. A sender that threw may have done so after the provider took the SMS: only a lookup can tell. */
export async function callSender(sender: ChannelSender, n: NotificationEntity, p: Ready): Promise<SendOutcome> {
  try {
    return await sender.send(n, p.to, { subject: p.subject, body: p.body, html: p.html });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { kind: p.channel === 'sms' ? 'unconfirmed' : 'retry', code: 'sender_error', message };
  }
}
