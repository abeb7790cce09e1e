import type { DataSource, EntityManager } from 'typeorm';
import { NotificationEntity, noticeHeldSql, type NotifyChannel } from '@kefu/shared';
import type { Recipient, RecipientResolver } from './recipient-resolver';

/** Rows an UPDATE … RETURNING touched (TypeORM's postgres driver answers [rows, affected count] for UPDATE). */
export async function updateReturning<T = { id: string }>(
  m: EntityManager | DataSource,
  sql: string,
  params: unknown[],
): Promise<T[]> {
  const r = await m.query<[T[], number]>(sql, params);
  return r[0];
}

/** `fn` in a transaction when it runs more than one statement that must commit together, else on its own. */
export function inTransaction<T>(ds: DataSource, needed: boolean, fn: (m: EntityManager) => Promise<T>): Promise<T> {
  return needed ? ds.transaction(fn) : fn(ds.manager);
}

/** $1 id, $2 the new not_before: a pending row moved past quiet hours. */
export const DEFER_SQL = `UPDATE notifications SET not_before = $2, updated_at = now()
            WHERE id = $1 AND status = 'pending' RETURNING id`;

export const SENT_MESSAGE_SQL = `INSERT INTO sent_messages (message_id, case_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`;

/** $1 id, $2 attempt, $3 not_before, $4 code, $5 message. */
export const RETRY_SQL = `UPDATE notifications SET status = 'pending', not_before = $3, error_code = $4, error_message = $5, updated_at = now() WHERE id = $1 AND attempts = $2 AND status = 'sending' RETURNING id`;

/** $1 id, $2 expected status, $3 new status, $4 channel, $5 code, $6 message, and $7 the attempt when fenced. */
export function failSql(fenced: boolean): string {
  return `UPDATE notifications SET status = $3, channel = COALESCE(channel, $4), error_code = $5, error_message = $6, updated_at = now()
        WHERE id = $1 AND status = $2 ${fenced ? 'AND attempts = $7' : ''} RETURNING id`;
}

export const CASE_OWNER_SQL = `SELECT owner_id FROM cases WHERE id = $1`;

export const OPT_OUT_SQL = `UPDATE owners SET opt_outs = array_append(opt_outs, $2), updated_at = now() WHERE id = $1 AND NOT ($2 = ANY(opt_outs))`;

export const RECEIPT_SQL = `INSERT INTO notification_receipts (notification_id, occurred_at, status, source, detail, raw, dedupe_key) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING RETURNING id`;

/**
 * A notification to send and what sending it needs, in one statement: the row, whether its notice holds it, and an
 * owner recipient's names and addresses (re-read now; `o_found` false when the owner no longer exists).
 */
/** What LOAD_SQL answers: the notification's columns, `held`, and the owner's columns prefixed o_. */
type LoadedRow = Omit<NotificationEntity, 'owner' | 'staff' | 'case' | 'fallbackOf'> & {
  held: boolean;
  o_found: boolean;
  o_name: string | null;
  o_mobiles: string[] | null;
  o_email: string | null;
  o_postal_address: string | null;
  o_postcode: string | null;
  o_preferred_channels: NotifyChannel[] | null;
  o_opt_outs: NotifyChannel[] | null;
};

export const LOAD_SQL = `SELECT n.id, n.idempotency_key AS "idempotencyKey", n.kind, n.channel,
        n.recipient_type AS "recipientType",
        n.owner_id AS "ownerId", n.staff_id AS "staffId", n.case_id AS "caseId", n.source_type AS "sourceType",
        n.source_id AS "sourceId", n.variables, n.urgent, n.not_before AS "notBefore", n.late, n.status, n.attempts,
        n.to_address AS "toAddress", n.subject, n.body, n.html, n.segments, n.provider_id AS "providerId",
        n.error_code AS "errorCode", n.error_message AS "errorMessage", n.fallback_of_id AS "fallbackOfId",
        n.sent_at AS "sentAt", n.delivered_at AS "deliveredAt", n.created_at AS "createdAt",
        n.updated_at AS "updatedAt",
        ${noticeHeldSql('n')} AS held, o.id IS NOT NULL AS o_found, o.name AS o_name, o.mobiles AS o_mobiles,
        o.email AS o_email, o.postal_address AS o_postal_address, o.postcode AS o_postcode,
        o.preferred_channels AS o_preferred_channels, o.opt_outs AS o_opt_outs
   FROM notifications n LEFT JOIN owners o ON n.recipient_type = 'owner' AND o.id = n.owner_id
  WHERE n.id = $1`;

/**
 * The row (LOAD_SQL), or null when there is nothing to send: gone, past pending, or its estate-wide notice is paused or
 * cancelled (a resume queues it again). An owner recipient comes with it (null when the owner no longer exists).
 */
export async function loadForSend(
  ds: DataSource,
  recipients: RecipientResolver,
  id: string,
): Promise<{ row: NotificationEntity; recipient?: Recipient | null } | null> {
  const [r] = await ds.query<LoadedRow[]>(LOAD_SQL, [id]);
  if (!r || r.status !== 'pending' || r.held) return null;
  const { held: _held, o_found, o_name, o_mobiles, o_email, o_postal_address, o_postcode, ...n } = r;
  const { o_preferred_channels, o_opt_outs, ...fields } = n;
  const row = Object.assign(new NotificationEntity(), fields);
  if (row.recipientType !== 'owner') return { row };
  if (!o_found) return { row, recipient: null };
  return {
    row,
    recipient: recipients.fromOwner(row.ownerId!, {
      name: o_name!,
      mobiles: o_mobiles!,
      email: o_email,
      postal_address: o_postal_address,
      postcode: o_postcode,
      preferred_channels: o_preferred_channels!,
      opt_outs: o_opt_outs!,
    }),
  };
}

/**
 * pending → sending with the rendered message, unless its notice holds it; for an SMS only while the same text went to
 * the number fewer than $9 times in 24 h (counted under a per-number advisory lock: migration NotificationClaim).
 * $1 id, $2 channel, $3 address, $4 subject, $5 body, $6 html, $7 segments, $8 sent_at, $9 the same-text limit.
 */
export const CLAIM_SQL = `SELECT attempts, same_text AS "sameText"
  FROM notification_claim($1, $2, $3, $4, $5, $6, $7, $8, $9)`;

/**
 * The provider took it: the attempt's row (fenced by its number; a callback may have moved it past sending already)
 * gets the provider id, and its receipt, in one statement (the receipt only when the row moved); answers `moved`.
 * $1 id, $2 attempt, $3 provider id, $4 segments, $5 occurred at, $6 source, $7 detail, $8 raw, $9 dedupe key,
 * $10 the SMS route taken (null: unchanged).
 */
export const SENT_WITH_RECEIPT_SQL = `WITH u AS (
    UPDATE notifications SET status = CASE WHEN status = 'sending' THEN 'sent' ELSE status END, provider_id = $3,
           segments = COALESCE($4, segments), sms_route = COALESCE($10, sms_route), updated_at = now()
     WHERE id = $1 AND attempts = $2 AND status <> 'pending' RETURNING id)
  , rec AS (
    INSERT INTO notification_receipts (notification_id, occurred_at, status, source, detail, raw, dedupe_key)
    SELECT id, $5, 'sent', $6, $7, $8, $9 FROM u
    ON CONFLICT (dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING)
  SELECT (SELECT count(*) FROM u)::int AS moved`;

/**
 * A provider callback that moves a row forward without a failure (sent, delivered), in one statement: the row locked,
 * the receipt once per dedupe key (none when the row has another provider id), and the status moved only when the
 * receipt is new, the attempt matches (when given) and the current status is one `to` may follow ($10).
 * $1 notification id or provider id, $2 provider id, $3 occurred at, $4 reported, $5 detail, $6 raw, $7 dedupe key,
 * $8 new status, $9 attempt or null, $10 statuses it may move from, $11 delivered at or null.
 */
export function callbackSql(byId: boolean): string {
  return `WITH r AS (
      SELECT id, status, attempts FROM notifications
       WHERE ${byId ? 'id = $1::uuid' : 'provider_id = $1'} AND (provider_id IS NULL OR provider_id = $2) FOR UPDATE),
    rec AS (
      INSERT INTO notification_receipts (notification_id, occurred_at, status, source, detail, raw, dedupe_key)
      SELECT id, $3, $4, 'twilio', $5, $6, $7 FROM r
      ON CONFLICT (dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING RETURNING notification_id),
    u AS (
      UPDATE notifications n SET status = $8, provider_id = COALESCE(n.provider_id, $2),
             delivered_at = COALESCE($11, n.delivered_at), updated_at = now()
        FROM r WHERE n.id = r.id AND EXISTS (SELECT 1 FROM rec) AND ($9::int IS NULL OR r.attempts = $9::int)
         AND n.status = ANY($10::text[]) RETURNING n.id)
    SELECT (SELECT count(*) FROM u)::int AS applied`;
}
