import type { EntityManager } from 'typeorm';
import type { NotificationKind, NotifyChannel } from '../database/entities';
import { addToOutbox } from '../outbox/outbox';
import type { NotificationVariables } from './variables';

export type NotificationRecipient = { ownerId: string } | { staffId: string } | { caseReporterOf: string };

export interface NotificationRequest<K extends NotificationKind = NotificationKind> {
  /** Exactly-once key, unique in Postgres: e.g. `case-ack:<caseId>`, `warranty:<unit>:<item>:<expiry>:<owner>:<channel>`. */
  idempotencyKey: string;
  kind: K;
  recipient: NotificationRecipient;
  /** Omit to let the notifier choose from the recipient's preferences and opt-outs. */
  channel?: NotifyChannel;
  caseId?: string;
  /** Template variables (contract per kind in variables.ts); stay in Postgres (may hold personal data), never in the queue. */
  variables: NotificationVariables<K>;
  /** Urgent messages ignore SMS quiet hours. */
  urgent?: boolean;
  /** Not before this time (default now). */
  notBefore?: Date;
  /** The notice fell due during downtime and is sent on catching up. */
  late?: boolean;
  source?: { type: string; id: string };
}

/**
 * Asks the notifier for a message, in the caller's transaction: inserts the notification row and its
 * `notification-requested` outbox entry. The idempotency key is unique, so asking twice (a retried job,
 * two scheduler instances) yields one row and one job. Returns the row id and whether this call created it.
 */
export async function requestNotification<K extends NotificationKind>(m: EntityManager, req: NotificationRequest<K>): Promise<{ id: string; created: boolean }> {
  const r = req.recipient;
  const [recipientType, ownerId, staffId] =
    'ownerId' in r ? ['owner', r.ownerId, null] : 'staffId' in r ? ['staff', null, r.staffId] : ['case_reporter', null, null];
  const caseId = 'caseReporterOf' in r ? r.caseReporterOf : (req.caseId ?? null);
  const rows = await m.query<Array<{ id: string }>>(
    `INSERT INTO notifications (idempotency_key, kind, channel, recipient_type, owner_id, staff_id, case_id, source_type, source_id, variables, urgent, not_before, late)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, COALESCE($12, now()), $13)
     ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
    [
      req.idempotencyKey, req.kind, req.channel ?? null, recipientType, ownerId, staffId, caseId,
      req.source?.type ?? null, req.source?.id ?? null, JSON.stringify(req.variables), req.urgent ?? false, req.notBefore ?? null, req.late ?? false,
    ],
  );
  const inserted = rows[0];
  if (inserted) {
    await addToOutbox(m, 'notification-requested', { notificationId: inserted.id });
    return { id: inserted.id, created: true };
  }
  const existing = await m.query<Array<{ id: string }>>(`SELECT id FROM notifications WHERE idempotency_key = $1`, [req.idempotencyKey]);
  return { id: existing[0]!.id, created: false };
}
