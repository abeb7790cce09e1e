import type { EntityManager } from 'typeorm';
import {
  fallbackKey,
  notificationOutboxKey,
  requestNotifications,
  type NotificationRequest,
  type NotificationStatus,
  type NotifyChannel,
} from '@kefu/shared';
import { forChannel, renderTemplate, smsSegments } from '../../apps/notifier/src/notifications/templates';
import type { Rng } from './random';

/** The notifier's default SMS signature (SMS_SIGNATURE). */
const SMS_SIGNATURE = '【客户服务部】';

/** How a historic message ended; never pending, so nothing is sent again when the apps start. */
export type Outcome = 'delivered' | 'sent' | 'undelivered' | 'failed' | 'bounced' | 'signed_for';

export interface HistoricMessage {
  req: NotificationRequest;
  /** The channel it went by (a request may leave it to the notifier). */
  channel: NotifyChannel;
  /** When it was asked for and sent (the notifier sends within seconds). */
  at: Date;
  to: string;
  /** As the notifier resolves the recipient (owner or staff name; the reporter's name for an acknowledgement). */
  recipientName: string | null;
  outcome: Outcome;
  /** The next channel's row the notifier would have written for a failed must-arrive notice. */
  fallback?: Omit<HistoricMessage, 'req' | 'recipientName' | 'fallback'>;
}

const failures: Partial<Record<Outcome, { code: string; message: string; source: string }>> = {
  undelivered: { code: '30003', message: 'carrier: Unreachable destination handset', source: 'twilio' },
  failed: { code: '21614', message: "'To' number is not a valid mobile number", source: 'twilio' },
  bounced: { code: '5.1.1', message: 'mailbox unavailable: user unknown', source: 'dsn' },
};

interface Row {
  id: string;
  key: string;
  channel: NotifyChannel;
  status: NotificationStatus;
  asked: string;
  sent: string;
  done: string;
  delivered: string | null;
  to: string;
  provider: string;
  segments: number | null;
  subject: string | null;
  body: string;
  html: string | null;
  error_code: string | null;
  error_message: string | null;
}

/**
 * Asks for the messages through requestNotifications (the product's keys, variable contracts and outbox
 * rows), then records what the notifier and its providers would have: the destination, provider id, final
 * status and the receipts (sent, then delivered / signed for / undelivered / bounced). Outbox entries are
 * marked relayed. Failed must-arrive notices get their fallback row (fallbackKey), recorded the same way.
 */
export async function writeHistoricMessages(m: EntityManager, rand: Rng, messages: HistoricMessage[]): Promise<number> {
  if (!messages.length) return 0;
  const seen = new Set<string>();
  for (const x of messages) {
    if (seen.has(x.req.idempotencyKey)) throw new Error(`demo data asks twice for ${x.req.idempotencyKey}`);
    seen.add(x.req.idempotencyKey);
  }
  const ids = await requestNotifications(
    m,
    messages.map((x) => x.req),
  );
  const rows: Row[] = messages.map((x, i) => row(rand, ids[i]!.id, x.req.idempotencyKey, x.channel, x));
  await record(m, rows);
  const fallbacks = messages
    .map((x, i) => ({ x, id: ids[i]!.id }))
    .filter(({ x }) => x.fallback)
    .map(({ x, id }) => ({
      ...x,
      ...x.fallback!,
      fallback: undefined,
      req: {
        ...x.req,
        channel: x.fallback!.channel,
        idempotencyKey: fallbackKey(x.req.idempotencyKey, x.fallback!.channel),
        fallbackOf: id,
      },
    })) as HistoricMessage[];
  return rows.length + (await writeHistoricMessages(m, rand, fallbacks));
}

function row(rand: Rng, id: string, key: string, channel: NotifyChannel, x: HistoricMessage): Row {
  const t = x.at.getTime();
  const sent = new Date(t + 2_000 + Math.floor(rand() * 3_000));
  const done = new Date(sent.getTime() + (channel === 'letter' ? 2 * 86_400_000 : 5_000 + Math.floor(rand() * 20_000)));
  const hex = () => Math.floor(rand() * 16).toString(16);
  const provider =
    channel === 'sms'
      ? `SM${Array.from({ length: 32 }, hex).join('')}`
      : channel === 'email'
        ? `kefu.${id}.1@kefu.example`
        : `EA${String(100_000_000 + Math.floor(rand() * 899_999_999))}CN`;
  const f = failures[x.outcome];
  // Rendered as the notifier renders it: the kind's variable contract is checked here too.
  const msg = forChannel(channel, renderTemplate(x.req.kind, x.req.variables, x.recipientName), SMS_SIGNATURE);
  return {
    ...msg,
    id,
    key,
    channel,
    status: x.outcome,
    asked: x.at.toISOString(),
    sent: sent.toISOString(),
    done: done.toISOString(),
    delivered: x.outcome === 'delivered' || x.outcome === 'signed_for' ? done.toISOString() : null,
    to: x.to,
    provider,
    segments: channel === 'sms' ? smsSegments(msg.body) : null,
    error_code: f?.code ?? null,
    error_message: f?.message ?? null,
  };
}

async function record(m: EntityManager, rows: Row[]): Promise<void> {
  const json = JSON.stringify(rows);
  const recordset = `jsonb_to_recordset($1::jsonb) AS v(id uuid, key text, channel text, status text, asked timestamptz, sent timestamptz,
    done timestamptz, delivered timestamptz, "to" text, provider text, segments int, subject text, body text, html text, error_code text, error_message text)`;
  await m.query(
    `UPDATE notifications n
        SET channel = v.channel, status = v.status, attempts = 1, to_address = v."to", provider_id = v.provider,
            segments = v.segments, subject = v.subject, body = v.body, html = v.html, error_code = v.error_code, error_message = v.error_message, sent_at = v.sent,
            delivered_at = v.delivered, not_before = v.asked, created_at = v.asked, updated_at = v.done
       FROM ${recordset} WHERE n.id = v.id`,
    [json],
  );
  // The receipts the notifier records: its own "sent" (with the provider's answer), then the provider's report.
  await m.query(
    `INSERT INTO notification_receipts (notification_id, occurred_at, status, source, detail, raw, dedupe_key, created_at)
     SELECT v.id, v.sent, 'sent', CASE v.channel WHEN 'sms' THEN 'twilio' WHEN 'email' THEN 'smtp' ELSE 'ems' END,
            CASE v.channel WHEN 'email' THEN '250 2.0.0 Ok: queued' WHEN 'letter' THEN '已交寄 EMS ' || v.provider END,
            jsonb_build_object('providerId', v.provider),
            CASE v.channel WHEN 'sms' THEN 'twilio' WHEN 'email' THEN 'smtp' ELSE 'ems' END || ':sent:' || v.id || ':1', v.sent
       FROM ${recordset} WHERE v.status <> 'failed'
     UNION ALL
     SELECT v.id, v.done, v.status,
            CASE WHEN v.status = 'bounced' THEN 'dsn' WHEN v.channel = 'sms' THEN 'twilio' WHEN v.channel = 'letter' THEN 'ems' ELSE 'smtp' END,
            CASE WHEN v.error_code IS NOT NULL THEN v.error_code || ': ' || v.error_message WHEN v.status = 'signed_for' THEN '妥投 本人签收' END,
            CASE WHEN v.channel = 'sms' THEN jsonb_build_object('MessageSid', v.provider, 'MessageStatus', v.status) END,
            NULL, v.done
       FROM ${recordset} WHERE v.status <> 'sent'`,
    [json],
  );
  // Their jobs went through long ago (settled: the lost-job sweep has nothing to look for).
  await m.query(
    `UPDATE outbox o SET created_at = v.asked, relayed_at = v.asked + interval '1 second', settled_at = v.asked + interval '2 seconds'
       FROM ${recordset} WHERE o.dedupe_key = ${notificationOutboxKey.sql({ notificationId: 'v.id' })}`,
    [json],
  );
  // Several asked for in one statement share a `notifications-requested` job (one per thousand): relayed too.
  await m.query(
    `UPDATE outbox o SET created_at = b.asked, relayed_at = b.asked + interval '1 second', settled_at = b.asked + interval '2 seconds'
       FROM (SELECT o2.id, min(v.asked) AS asked FROM outbox o2 JOIN ${recordset} ON o2.payload->'notificationIds' ? v.id::text
              WHERE o2.job_name = 'notifications-requested' AND o2.relayed_at IS NULL GROUP BY o2.id) b
      WHERE o.id = b.id`,
    [json],
  );
}
