import type { EntityManager } from 'typeorm';
import type { NotificationKind, NotifyChannel } from '../database/entities';
import { insertNotificationsCte, notificationColumns, type NotificationSourceType } from './notification-rows.sql';
import type { NotificationVariables } from './variables';

export type NotificationRecipient = { ownerId: string } | { staffId: string } | { caseReporterOf: string };

interface RequestFields<K extends NotificationKind> {
  /** Exactly-once key, unique in Postgres: build it with notificationKeys (keys.ts). */
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
  source?: { type: NotificationSourceType; id: string };
  /** The notifier's next-channel row for a failed must-arrive notice (key: fallbackKey). */
  fallbackOf?: string;
}

/** One notification asked for; a union over the kinds: a list may mix kinds, each checked against its variables. */
export type NotificationRequest<K extends NotificationKind = NotificationKind> = K extends NotificationKind
  ? RequestFields<K>
  : never;

type Queryable = Pick<EntityManager, 'query'>;

function toRow(req: NotificationRequest): Record<(typeof notificationColumns)[number], unknown> {
  const r = req.recipient;
  return {
    idempotency_key: req.idempotencyKey,
    kind: req.kind,
    channel: req.channel ?? null,
    recipient_type: 'ownerId' in r ? 'owner' : 'staffId' in r ? 'staff' : 'case_reporter',
    owner_id: 'ownerId' in r ? r.ownerId : null,
    staff_id: 'staffId' in r ? r.staffId : null,
    case_id: 'caseReporterOf' in r ? r.caseReporterOf : (req.caseId ?? null),
    source_type: req.source?.type ?? null,
    source_id: req.source?.id ?? null,
    variables: req.variables,
    urgent: req.urgent ?? false,
    not_before: req.notBefore?.toISOString() ?? null,
    late: req.late ?? false,
    fallback_of_id: req.fallbackOf ?? null,
  };
}

const recordset = `jsonb_to_recordset($1::jsonb) AS r(${notificationColumns
  .map((c) => `${c} ${c === 'variables' ? 'jsonb' : c === 'urgent' || c === 'late' ? 'boolean' : 'text'}`)
  .join(', ')})`;

const requestValues = {
  ...Object.fromEntries(notificationColumns.map((c) => [c, `r.${c}`])),
  not_before: 'COALESCE(r.not_before::timestamptz, now())',
} as Record<(typeof notificationColumns)[number], string>;
// One message: its own `notification-requested` job; several: one `notifications-requested` job per thousand.
const REQUEST_ONE = insertNotificationsCte('ins', recordset, requestValues, 'each');
const REQUEST_MANY = insertNotificationsCte('ins', recordset, requestValues, 'batch');

/** The caller's own write, run in the same statement as the insert (one round trip, not two). */
export interface AlongsideWrite {
  /** A data-modifying statement (UPDATE …, INSERT …), placed in the statement's WITH clause; its parameters are numbered from $2. */
  sql: string;
  params: unknown[];
}

/**
 * Asks the notifier for messages, in the caller's transaction, in one statement whatever their number:
 * inserts the notification rows and their outbox entries (one message: a `notification-requested` job;
 * several: a `notifications-requested` job per thousand created, which the notifier fans out into one
 * `notification-requested` job each). The idempotency key is unique, so asking twice (a retried job, two
 * scheduler instances) yields one row and one job.
 * Returns, in the order asked, each row's id and whether this call created it. `alongside`: the caller's own
 * write in the same statement (e.g. marking what asked for the messages as done).
 */
export async function requestNotifications(
  m: Queryable,
  reqs: readonly NotificationRequest[],
  alongside?: AlongsideWrite,
): Promise<Array<{ id: string; created: boolean }>> {
  if (!reqs.length) {
    if (alongside)
      await m.query(`WITH alongside AS (${alongside.sql}) SELECT $1::jsonb IS NULL`, [null, ...alongside.params]);
    return [];
  }
  const sql = `WITH ${reqs.length === 1 ? REQUEST_ONE : REQUEST_MANY}${alongside ? `,\n  alongside AS (${alongside.sql})` : ''}
SELECT id, idempotency_key AS key FROM ins`;
  const inserted = await m.query<Array<{ id: string; key: string }>>(sql, [
    JSON.stringify(reqs.map(toRow)),
    ...(alongside?.params ?? []),
  ]);
  const ids = new Map(inserted.map((r) => [r.key, r.id]));
  const created = new Set(ids.keys());
  const missing = reqs.map((r) => r.idempotencyKey).filter((k) => !ids.has(k));
  if (missing.length) {
    // Rows another transaction committed (or committed while this one waited on the key): visible to a new statement.
    const existing = await m.query<Array<{ id: string; key: string }>>(
      `SELECT id, idempotency_key AS key FROM notifications WHERE idempotency_key = ANY($1::text[])`,
      [missing],
    );
    for (const r of existing) ids.set(r.key, r.id);
  }
  const seen = new Set<string>();
  return reqs.map((r) => {
    const first = created.has(r.idempotencyKey) && !seen.has(r.idempotencyKey);
    seen.add(r.idempotencyKey);
    return { id: ids.get(r.idempotencyKey)!, created: first };
  });
}

/** requestNotifications for one message. */
export async function requestNotification<K extends NotificationKind>(
  m: Queryable,
  req: NotificationRequest<K>,
): Promise<{ id: string; created: boolean }> {
  const [r] = await requestNotifications(m, [req]);
  return r!;
}
