import type { EntityManager } from 'typeorm';
import type { NotificationEntity, NotifyChannel } from '@kefu/shared';
import type { SendOutcome } from '../channels/channel-sender';
import { CASE_OWNER_SQL, OPT_OUT_SQL, RECEIPT_SQL, SENT_MANY_SQL } from './notification-dispatcher.sql';
import { providerSource } from './notification-send.rules';

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

/** An attempt the provider took: the claimed row and what the provider answered. */
export interface SentAttempt {
  n: Pick<NotificationEntity, 'id' | 'attempts' | 'channel'>;
  outcome: Extract<SendOutcome, { kind: 'sent' }>;
}

/**
 * Attempts the providers took, recorded in one statement whatever their number (the single path passes one, a batch
 * its twenty): each row `sent` with its provider id (the attempt number fences a late worker) and its `sent` receipt
 * once. Answers how many rows it moved.
 */
export async function writeSent(m: Pick<EntityManager, 'query'>, sent: SentAttempt[], now: Date): Promise<number> {
  const col = <T>(f: (s: SentAttempt) => T) => sent.map(f);
  const source = (s: SentAttempt) => s.outcome.route ?? providerSource(s.n.channel);
  const [r] = await m.query<[{ moved: number }]>(SENT_MANY_SQL, [
    col((s) => s.n.id),
    col((s) => s.n.attempts),
    col((s) => s.outcome.providerId),
    col((s) => s.outcome.segments ?? null),
    col(source),
    col((s) => s.outcome.detail ?? null),
    col((s) => JSON.stringify(s.outcome.raw ?? { providerId: s.outcome.providerId })),
    col((s) => `${source(s)}:sent:${s.n.id}:${s.n.attempts}`),
    col((s) => s.outcome.route ?? null),
    now,
  ]);
  return r.moved;
}
