import type { EntityManager } from 'typeorm';
import type { NotificationEntity, NotifyChannel } from '@kefu/shared';
import { CASE_OWNER_SQL, OPT_OUT_SQL, RECEIPT_SQL } from './notification-dispatcher.sql';

/**
 * A receipt on a notification's record (what a provider, the notifier or staff said, when), once per dedupe key when
 * one is given. True when it was written (false: a replay).
 */
export async function writeReceipt(
  m: EntityManager,
  id: string,
  at: Date,
  status: string,
  source: string,
  detail: string | null,
  raw: Record<string, unknown> | null = null,
  dedupeKey: string | null = null,
): Promise<boolean> {
  const r = await m.query<unknown[]>(RECEIPT_SQL, [
    id,
    at,
    status,
    source,
    detail,
    raw ? JSON.stringify(raw) : null,
    dedupeKey,
  ]);
  return r.length > 0;
}

/** The provider says the owner opted out (STOP, a blacklist, a complaint): the owner's opt-outs get the channel. */
export async function optOutOwner(
  m: EntityManager,
  n: Pick<NotificationEntity, 'ownerId' | 'caseId'>,
  channel: NotifyChannel,
): Promise<void> {
  const ownerId =
    n.ownerId ??
    (n.caseId
      ? ((await m.query<Array<{ owner_id: string | null }>>(CASE_OWNER_SQL, [n.caseId]))[0]?.owner_id ?? null)
      : null);
  if (ownerId) await m.query(OPT_OUT_SQL, [ownerId, channel]);
}
