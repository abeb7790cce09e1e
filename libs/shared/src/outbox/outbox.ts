import type { EntityManager } from 'typeorm';
import type { JobName, JobPayloads } from '../queues/queue.contract';

/**
 * Records a job in the caller's transaction; the relay puts it on BullMQ after commit. The dedupe key
 * (default: job name and payload ids) is unique in Postgres, so the same fact is queued once however
 * often the transaction's work is retried. Returns false when the key was already there.
 */
export async function addToOutbox<N extends JobName>(
  m: EntityManager,
  name: N,
  payload: JobPayloads[N],
  dedupeKey?: string,
): Promise<boolean> {
  const key = dedupeKey ?? `${name}:${Object.values(payload).join(':')}`;
  const rows = await m.query<Array<{ id: string }>>(
    `INSERT INTO outbox (job_name, payload, dedupe_key) VALUES ($1, $2, $3) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
    [name, JSON.stringify(payload), key],
  );
  return rows.length > 0;
}
