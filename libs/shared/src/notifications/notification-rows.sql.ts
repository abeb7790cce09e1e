import type { NotificationKind } from '../database/entities';
import { notificationBatchOutboxKey, notificationOutboxKey } from './keys';
import type { NotificationVariables } from './variables';

/** What asked for a notification; cancelNotifications finds rows by it. */
export type NotificationSourceType =
  | 'case'
  | 'reminder'
  | 'digest'
  | 'warranty_notice'
  | 'certificate_notice'
  | 'survey_invitation'
  | 'notice'
  | 'case_writeup';

/** The columns a producer fills, in the order of the INSERT. */
export const notificationColumns = [
  'idempotency_key',
  'kind',
  'channel',
  'recipient_type',
  'owner_id',
  'staff_id',
  'case_id',
  'source_type',
  'source_id',
  'variables',
  'urgent',
  'not_before',
  'late',
  'fallback_of_id',
] as const;
export type NotificationColumn = (typeof notificationColumns)[number];

const columnTypes: Record<NotificationColumn, string> = {
  idempotency_key: 'text',
  kind: 'text',
  channel: 'text',
  recipient_type: 'text',
  owner_id: 'uuid',
  staff_id: 'uuid',
  case_id: 'uuid',
  source_type: 'text',
  source_id: 'uuid',
  variables: 'jsonb',
  urgent: 'boolean',
  not_before: 'timestamptz',
  late: 'boolean',
  fallback_of_id: 'uuid',
};

/** Notifications per `notifications-requested` job when a statement asks for several. */
export const NOTIFICATION_BATCH = 1000;

/**
 * The one INSERT INTO notifications: two CTEs, `<name>` (the rows inserted, RETURNING id and
 * idempotency_key; a key already present is skipped: ON CONFLICT (idempotency_key) DO NOTHING) and
 * `<name>_outbox` (the outbox rows that get them sent, RETURNING 1). `from` is everything after FROM
 * (joins, WHERE); `values` one SQL expression per column. `outbox`: 'each' (default), one
 * `notification-requested` row per notification; 'batch', one `notifications-requested` row per
 * NOTIFICATION_BATCH of them (the notifier fans it out into the same per-notification jobs).
 */
export function insertNotificationsCte(
  name: string,
  from: string,
  values: Record<NotificationColumn, string>,
  outbox: 'each' | 'batch' = 'each',
): string {
  const select = notificationColumns.map((c) => `(${values[c]})::${columnTypes[c]}`).join(',\n           ');
  const jobs =
    outbox === 'each'
      ? `SELECT 'notification-requested', jsonb_build_object('notificationId', id),
           ${notificationOutboxKey.sql({ notificationId: 'id' })}
    FROM ${name}`
      : `SELECT 'notifications-requested', jsonb_build_object('notificationIds', jsonb_agg(id ORDER BY n)),
           ${notificationBatchOutboxKey.sql({ firstNotificationId: '(array_agg(id ORDER BY n))[1]' })}
    FROM (SELECT id, row_number() OVER () - 1 AS n FROM ${name}) b
    GROUP BY n / ${NOTIFICATION_BATCH}`;
  return `${name} AS (
    INSERT INTO notifications (${notificationColumns.join(', ')})
    SELECT ${select}
    FROM ${from}
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING id, idempotency_key
  ),
  ${name}_outbox AS (
    INSERT INTO outbox (job_name, payload, dedupe_key)
    ${jobs}
    ON CONFLICT (dedupe_key) DO NOTHING
    RETURNING 1
  )`;
}

/** One SQL expression per template variable of kind K: every field named (pass 'NULL' for an absent optional one). */
export type VariablesSql<K extends NotificationKind> = { [F in keyof NotificationVariables<K>]-?: string };

/** A SQL expression per column of the rows a set-based producer asks for (see notificationsCte). */
export interface NotificationRowsSql<K extends NotificationKind> {
  kind: K;
  /** Build it with notificationKeys.<format>.sql(…). */
  idempotencyKey: string;
  recipient: { ownerId: string } | { staffId: string } | { caseReporterOf: string };
  /** Default NULL: the notifier chooses from the recipient's preferences and opt-outs. */
  channel?: string;
  caseId?: string;
  variables: VariablesSql<K>;
  source?: { type: NotificationSourceType; id: string };
  urgent?: string;
  /** Default now(). */
  notBefore?: string;
  late?: string;
  /**
   * Outbox rows: 'each' (default) one job per notification; 'batch' one job per NOTIFICATION_BATCH of them, for a
   * statement that may ask for thousands at once (a heating day's warranty notices).
   */
  outbox?: 'each' | 'batch';
}

const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;

/**
 * requestNotification, set-based and embeddable: the CTEs `<name>` and `<name>_outbox` (see
 * insertNotificationsCte) that ask for one notification of kind K per row of `FROM <from>`, to place in
 * a WITH clause of the caller's statement. Count `<name>` for the rows created.
 */
export function notificationsCte<K extends NotificationKind>(
  name: string,
  from: string,
  rows: NotificationRowsSql<K>,
): string {
  const r = rows.recipient;
  const recipientType = 'ownerId' in r ? 'owner' : 'staffId' in r ? 'staff' : 'case_reporter';
  const fields = Object.entries<string>(rows.variables).map(([k, v]) => `${literal(k)}, ${v}`);
  return insertNotificationsCte(
    name,
    from,
    {
      idempotency_key: rows.idempotencyKey,
      kind: literal(rows.kind),
      channel: rows.channel ?? 'NULL',
      recipient_type: literal(recipientType),
      owner_id: 'ownerId' in r ? r.ownerId : 'NULL',
      staff_id: 'staffId' in r ? r.staffId : 'NULL',
      case_id: 'caseReporterOf' in r ? r.caseReporterOf : (rows.caseId ?? 'NULL'),
      source_type: rows.source ? literal(rows.source.type) : 'NULL',
      source_id: rows.source?.id ?? 'NULL',
      variables: `jsonb_build_object(${fields.join(', ')})`,
      urgent: rows.urgent ?? 'false',
      not_before: rows.notBefore ?? 'now()',
      late: rows.late ?? 'false',
      fallback_of_id: 'NULL',
    },
    rows.outbox,
  );
}
