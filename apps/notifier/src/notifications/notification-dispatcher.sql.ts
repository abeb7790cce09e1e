import type { DataSource, EntityManager } from 'typeorm';
import { noticeHeldSql } from '@kefu/shared';

/** Rows an UPDATE … RETURNING touched (TypeORM's postgres driver answers [rows, affected count] for UPDATE). */
export async function updateReturning<T = { id: string }>(
  m: EntityManager | DataSource,
  sql: string,
  params: unknown[],
): Promise<T[]> {
  const r = await m.query<[T[], number]>(sql, params);
  return r[0];
}

/** $1 id, $2 the new not_before: a pending row moved past quiet hours. */
export const DEFER_SQL = `UPDATE notifications SET not_before = $2, updated_at = now()
            WHERE id = $1 AND status = 'pending' RETURNING id`;

/** pending → sending with the rendered message ($1 id … $8 sent_at), unless its notice holds it. */
export function claimSql(): string {
  return `UPDATE notifications SET status = 'sending', channel = $2, attempts = attempts + 1, to_address = $3, subject = $4, body = $5, html = $6, segments = $7,
                sent_at = $8, provider_id = NULL, error_code = NULL, error_message = NULL, updated_at = now()
          WHERE id = $1 AND status = 'pending' AND NOT ${noticeHeldSql()} RETURNING attempts`;
}

/** $1 id, $2 attempt, $3 provider id, $4 segments, $5 SMS route (null: unchanged). */
export const SENT_SQL = `UPDATE notifications SET status = CASE WHEN status = 'sending' THEN 'sent' ELSE status END, provider_id = $3, segments = COALESCE($4, segments), sms_route = COALESCE($5, sms_route), updated_at = now()
            WHERE id = $1 AND attempts = $2 AND status <> 'pending' RETURNING id`;

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
