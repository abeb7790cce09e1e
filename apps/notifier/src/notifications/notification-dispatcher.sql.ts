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

const LOAD_COLUMNS = `SELECT n.id, n.idempotency_key AS "idempotencyKey", n.kind, n.channel,
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
   FROM notifications n LEFT JOIN owners o ON n.recipient_type = 'owner' AND o.id = n.owner_id`;

export const LOAD_SQL = `${LOAD_COLUMNS} WHERE n.id = $1`;
/** LOAD_SQL for many: $1 the ids. */
export const LOAD_MANY_SQL = `${LOAD_COLUMNS} WHERE n.id = ANY($1::uuid[])`;

/**
 * The row (LOAD_SQL), or null when there is nothing to send: gone, past pending, or its estate-wide notice is paused or
 * cancelled (a resume queues it again). An owner recipient comes with it (null when the owner no longer exists).
 */
export async function loadForSend(ds: DataSource, recipients: RecipientResolver, id: string): Promise<Loaded | null> {
  const [r] = await ds.query<LoadedRow[]>(LOAD_SQL, [id]);
  return r ? toLoaded(recipients, r) : null;
}

/** loadForSend for many rows in one statement: the ones there is something to send, by id. */
export async function loadManyForSend(
  ds: DataSource,
  recipients: RecipientResolver,
  ids: string[],
): Promise<Map<string, Loaded>> {
  const rows = await ds.query<LoadedRow[]>(LOAD_MANY_SQL, [ids]);
  const out = new Map<string, Loaded>();
  for (const r of rows) {
    const l = toLoaded(recipients, r);
    if (l) out.set(r.id, l);
  }
  return out;
}

export type Loaded = { row: NotificationEntity; recipient?: Recipient | null };

function toLoaded(recipients: RecipientResolver, r: LoadedRow): Loaded | null {
  if (r.status !== 'pending' || r.held) return null;
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
 * CLAIM_SQL for many rows in one statement (migration NotificationClaimMany), each as notification_claim would, in the
 * order of their per-number locks: the rows claimed (attempts) or limited (attempts null); a row not pending is left out.
 * $1…$7 arrays of ids, channels, addresses, subjects, bodies, html, segments; $8 sent_at, $9 the same-text limit.
 */
export const CLAIM_MANY_SQL = `SELECT n_id AS id, n_attempts AS attempts, n_same_text AS "sameText"
  FROM notification_claim_many($1::uuid[], $2::varchar[], $3::varchar[], $4::text[], $5::text[], $6::text[], $7::int[], $8, $9)`;

/** Claimed rows a batch did not get to send: back to pending with their attempt undone. $1 ids, $2 attempts. */
export const RELEASE_MANY_SQL = `UPDATE notifications n SET status = 'pending', attempts = n.attempts - 1, updated_at = now()
    FROM unnest($1::uuid[], $2::int[]) AS i(id, attempt)
   WHERE n.id = i.id AND n.attempts = i.attempt AND n.status = 'sending' RETURNING n.id`;

/**
 * Attempts the providers took (writeSent: a batch's, or the single path's one), in one statement: the rows locked in id
 * order first (as callbackManySql locks them: two statements never wait on each other in a cycle); each row fenced by
 * its attempt number (a callback may have moved it past sending already) gets its provider id, and its receipt once
 * (only when the row moved); answers `moved`. $1 ids, $2 attempts, $3 provider ids, $4 segments, $5
 * sources, $6 details, $7 raw (json text), $8 dedupe keys, $9 routes (arrays, one element per attempt); $10 occurred at.
 */
export const SENT_MANY_SQL = `WITH i AS (
    SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
      AS t(id, attempt, provider_id, segments, source, detail, raw, dedupe_key, route))
  , l AS (SELECT n.id FROM notifications n JOIN i ON n.id = i.id ORDER BY n.id FOR UPDATE OF n)
  , u AS (
    UPDATE notifications n SET status = CASE WHEN n.status = 'sending' THEN 'sent' ELSE n.status END,
           provider_id = i.provider_id, segments = COALESCE(i.segments, n.segments),
           sms_route = COALESCE(i.route, n.sms_route), updated_at = now()
      FROM i JOIN l ON l.id = i.id WHERE n.id = i.id AND n.attempts = i.attempt AND n.status <> 'pending' RETURNING n.id)
  , rec AS (
    INSERT INTO notification_receipts (notification_id, occurred_at, status, source, detail, raw, dedupe_key)
    SELECT i.id, $10, 'sent', i.source, i.detail, i.raw::jsonb, i.dedupe_key FROM i JOIN u ON u.id = i.id
    ON CONFLICT (dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING)
  SELECT (SELECT count(*) FROM u)::int AS moved`;

/**
 * Provider callbacks that move rows forward without a failure (sent, delivered), many in one statement (GroupCommit;
 * no two for the same row): each row locked (in id order), its receipt once per dedupe key (none when the row has
 * another provider id), and its status moved only when the receipt is new, the attempt matches (when given) and the
 * current status is one the new one may follow. Arrays, one element per callback: $1 notification id or provider id,
 * $2 provider id, $3 occurred at, $4 the status reported (and moved to), $5 detail, $6 raw (json text), $7 dedupe key,
 * $8 attempt or null, $9 the statuses it may move from (comma-separated), $10 delivered at or null. Answers `applied`
 * per callback, in order.
 */
export function callbackManySql(byId: boolean): string {
  return `WITH i AS (
      SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[],
                           $8::int[], $9::text[], $10::timestamptz[]) WITH ORDINALITY
        AS t(key, sid, at, reported, detail, raw, dedupe_key, attempt, from_statuses, delivered_at, ord)),
    r AS (
      SELECT n.id, n.status, n.attempts, i.ord FROM i JOIN notifications n
          ON ${byId ? 'n.id = i.key::uuid' : 'n.provider_id = i.key'} AND (n.provider_id IS NULL OR n.provider_id = i.sid)
       ORDER BY n.id FOR UPDATE OF n),
    rec AS (
      INSERT INTO notification_receipts (notification_id, occurred_at, status, source, detail, raw, dedupe_key)
      SELECT r.id, i.at, i.reported, 'twilio', i.detail, i.raw::jsonb, i.dedupe_key FROM r JOIN i ON i.ord = r.ord
      ON CONFLICT (dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING RETURNING dedupe_key),
    u AS (
      UPDATE notifications n SET status = i.reported, provider_id = COALESCE(n.provider_id, i.sid),
             delivered_at = COALESCE(i.delivered_at, n.delivered_at), updated_at = now()
        FROM r JOIN i ON i.ord = r.ord
       WHERE n.id = r.id AND EXISTS (SELECT 1 FROM rec WHERE rec.dedupe_key = i.dedupe_key)
         AND (i.attempt IS NULL OR r.attempts = i.attempt) AND n.status = ANY(string_to_array(i.from_statuses, ','))
      RETURNING i.ord)
    SELECT i.ord::int AS ord, EXISTS (SELECT 1 FROM u WHERE u.ord = i.ord) AS applied FROM i ORDER BY i.ord`;
}
