import type { EntityManager } from 'typeorm';
import type { NoticeKind, NoticeStatus } from '../database/entities';
import { cancelNotifications, notificationKeys, notificationsCte } from '../notifications';
import { addToOutbox } from '../outbox';
import { noticePolicies, noticeReferenceSql } from './notice-policy';

export { noticeKindNames, noticePolicies, noticeReference, type NoticePolicy } from './notice-policy';
export { resolveNoticeAudience, type AudienceFilter } from './notice-audience';

type Queryable = Pick<EntityManager, 'query'>;

/** What a state change found: the notice as it is now, or why it could not change. */
export type NoticeChange = { ok: true; round: number } | { ok: false; status: NoticeStatus | null };

async function change(
  m: Queryable,
  id: string,
  sql: string,
  params: unknown[],
): Promise<{ ok: true; round: number } | { ok: false; status: NoticeStatus | null }> {
  const [rows] = await m.query<[Array<{ send_round: number }>, number]>(sql, [id, ...params]);
  if (rows.length) return { ok: true, round: rows[0]!.send_round };
  const [n] = await m.query<Array<{ status: NoticeStatus }>>(`SELECT status FROM notices WHERE id = $1`, [id]);
  return { ok: false, status: n?.status ?? null };
}

/**
 * draft → sending (or paused → sending on resume): a new send round and its `notice-send` job through the outbox,
 * in the caller's transaction. A second click finds the notice no longer in the expected status and changes nothing.
 */
export async function startNoticeRound(
  m: EntityManager,
  id: string,
  from: 'draft' | 'paused',
  by: { staffId: string; at: Date },
): Promise<NoticeChange> {
  const r = await change(
    m,
    id,
    `UPDATE notices SET status = 'sending', send_round = send_round + 1, updated_at = now(),
            sent_at = COALESCE(sent_at, $3), sent_by_id = COALESCE(sent_by_id, $4::uuid)
      WHERE id = $1 AND status = $2 AND ($2 <> 'draft' OR recipients > 0) RETURNING send_round`,
    [from, by.at, by.staffId],
  );
  if (r.ok) await addToOutbox(m, 'notice-send', { noticeId: id, round: r.round }, `notice-send:${id}:${r.round}`);
  return r;
}

/** sending → paused: the fan-out stops and the notifier holds the notice's unsent messages (noticeHeld). */
export function pauseNotice(m: Queryable, id: string): Promise<NoticeChange> {
  return change(
    m,
    id,
    `UPDATE notices SET status = 'paused', updated_at = now() WHERE id = $1 AND status = 'sending' RETURNING send_round`,
    [],
  );
}

/** draft / sending / paused → cancelled, and every message not yet started on is withdrawn. */
export async function cancelNotice(m: Queryable, id: string): Promise<NoticeChange & { withdrawn?: number }> {
  const r = await change(
    m,
    id,
    `UPDATE notices SET status = 'cancelled', finished_at = now(), updated_at = now()
      WHERE id = $1 AND status IN ('draft', 'sending', 'paused') RETURNING send_round`,
    [],
  );
  if (!r.ok) return r;
  return { ...r, withdrawn: await cancelNotifications(m, { type: 'notice', ids: [id] }) };
}

/** Whether a notice's messages are held: it is paused or cancelled (the notifier asks before sending one). */
export async function noticeHeld(m: Queryable, noticeId: string): Promise<boolean> {
  const [n] = await m.query<Array<{ status: NoticeStatus }>>(`SELECT status FROM notices WHERE id = $1`, [noticeId]);
  return n?.status === 'paused' || n?.status === 'cancelled';
}

/** SQL: notification row `n` belongs to a held notice (for the notifier's sweeps and its claim). */
export const noticeHeldSql = (n = 'notifications') =>
  `(${n}.source_type = 'notice' AND EXISTS (SELECT 1 FROM notices h WHERE h.id = ${n}.source_id AND h.status IN ('paused', 'cancelled')))`;

const fanOutSql = new Map<NoticeKind, string>();
function fanOutStatement(kind: NoticeKind): string {
  const cached = fanOutSql.get(kind);
  if (cached) return cached;
  const p = noticePolicies[kind];
  const cte = notificationsCte(
    'ins',
    `notice_recipients r JOIN notices n ON n.id = r.notice_id JOIN projects pj ON pj.id = n.project_id
      WHERE r.notice_id = $1 AND r.seq > $2 AND r.seq <= $3 AND r.excluded IS NULL`,
    {
      kind: p.notificationKind,
      idempotencyKey: notificationKeys.notice.sql({
        noticeId: 'r.notice_id',
        ownerId: 'r.owner_id',
        unitId: 'r.unit_id',
      }),
      recipient: { ownerId: 'r.owner_id' },
      channel: p.channel ? `'${p.channel}'` : 'NULL',
      variables: {
        estateName: 'pj.name',
        noticeKind: 'n.kind',
        title: 'n.title',
        body: 'n.body',
        reference: noticeReferenceSql('n.id'),
      },
      source: { type: 'notice', id: 'n.id' },
      urgent: String(p.urgent),
      notBefore: '$4::timestamptz',
      outbox: 'batch',
    },
  );
  const sql = `WITH ${cte} SELECT count(*)::int AS n FROM ins`;
  fanOutSql.set(kind, sql);
  return sql;
}

/** Notifications per fan-out transaction. */
export const NOTICE_FAN_OUT_CHUNK = 5000;

/**
 * One step of a notice's fan-out, in its own transaction: the next `chunk` recipients become notifications (one
 * per owner under the key notice:<notice>:<owner>:<unit>, so a step run twice creates nothing twice) with their
 * outbox jobs (one per thousand), and the cursor moves on. Only while the notice is sending in this round: a
 * paused, cancelled or newer round stops it. 'more' when recipients remain.
 */
export async function fanOutNoticeStep(
  m: EntityManager,
  noticeId: string,
  round: number,
  now: Date,
  chunk = NOTICE_FAN_OUT_CHUNK,
): Promise<{ state: 'more' | 'queued' | 'stopped'; created: number }> {
  const [n] = await m.query<
    Array<{ kind: NoticeKind; status: NoticeStatus; send_round: number; queued_through: number; total: number }>
  >(
    `SELECT kind, status, send_round, queued_through, recipients + excluded AS total FROM notices WHERE id = $1 FOR UPDATE`,
    [noticeId],
  );
  if (!n || n.status !== 'sending' || n.send_round !== round) return { state: 'stopped', created: 0 };
  if (n.queued_through >= n.total) {
    await m.query(`UPDATE notices SET queued_at = COALESCE(queued_at, $2) WHERE id = $1`, [noticeId, now]);
    return { state: 'queued', created: 0 };
  }
  const to = Math.min(n.total, n.queued_through + chunk);
  const [{ n: created }] = await m.query<[{ n: number }]>(fanOutStatement(n.kind), [
    noticeId,
    n.queued_through,
    to,
    now,
  ]);
  await m.query(
    `UPDATE notices SET queued_through = $2, queued_at = CASE WHEN $2 >= recipients + excluded THEN $3::timestamptz END,
            updated_at = now() WHERE id = $1`,
    [noticeId, to, now],
  );
  return { state: to >= n.total ? 'queued' : 'more', created };
}

/** sending → done once every recipient has a notification and none is pending or sending. */
export async function settleNotice(m: Queryable, noticeId: string, now: Date): Promise<boolean> {
  const [rows] = await m.query<[unknown[], number]>(
    `UPDATE notices SET status = 'done', finished_at = $2, updated_at = now()
      WHERE id = $1 AND status = 'sending' AND queued_at IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM notifications WHERE source_type = 'notice' AND source_id = $1 AND status IN ('pending', 'sending'))
      RETURNING id`,
    [noticeId, now],
  );
  return rows.length > 0;
}

/** A notice's messages by status (fallbacks included), from the partial index ix_notifications_notice_status alone. */
export interface NoticeProgress {
  queued: number;
  sending: number;
  sent: number;
  delivered: number;
  failed: number;
  cancelled: number;
  /** Rows counted (one per recipient, plus a row per fallback channel). */
  messages: number;
}

export async function noticeProgress(m: Queryable, noticeId: string): Promise<NoticeProgress> {
  const rows = await m.query<Array<{ status: string; n: number }>>(
    `SELECT status, count(*)::int AS n FROM notifications WHERE source_type = 'notice' AND source_id = $1 GROUP BY status`,
    [noticeId],
  );
  const p: NoticeProgress = { queued: 0, sending: 0, sent: 0, delivered: 0, failed: 0, cancelled: 0, messages: 0 };
  for (const { status, n } of rows) {
    p.messages += n;
    if (status === 'pending') p.queued += n;
    else if (status === 'sending') p.sending += n;
    else if (status === 'sent') p.sent += n;
    else if (status === 'delivered' || status === 'signed_for') p.delivered += n;
    else if (status === 'cancelled') p.cancelled += n;
    else p.failed += n;
  }
  return p;
}
