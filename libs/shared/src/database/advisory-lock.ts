import type { DataSource } from 'typeorm';

/** Advisory-lock classes (the first key of the two-key form); the second key is a hash of a name within the class. */
export const LockClass = {
  /** One poller per mailbox across replicas; the name is the mailbox's. */
  MailboxPoll: 42_0317,
  /** One run of a recurring task at a time across replicas (queues/task-locks.ts); the name is `queue:task`. */
  Task: 42_0318,
} as const;

/**
 * Runs `fn` while holding a session-level advisory lock, or returns `{ locked: false }` at once when another
 * session holds it. The lock lives on one dedicated connection for the whole run: if that connection (or this
 * process) dies, Postgres releases it, so a crashed holder never blocks the others.
 */
export async function withTryAdvisoryLock<T>(
  ds: DataSource,
  lockClass: number,
  name: string,
  fn: () => Promise<T>,
): Promise<{ locked: true; value: T } | { locked: false }> {
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    const rows = (await runner.query(`SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked`, [
      lockClass,
      name,
    ])) as Array<{
      locked: boolean;
    }>;
    if (!rows[0]?.locked) return { locked: false };
    try {
      return { locked: true, value: await fn() };
    } finally {
      await runner.query(`SELECT pg_advisory_unlock($1, hashtext($2))`, [lockClass, name]).catch(() => undefined);
    }
  } finally {
    await runner.release();
  }
}
