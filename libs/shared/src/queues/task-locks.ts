import { Client } from 'pg';
import { LockClass } from '../database/advisory-lock';

/** What a guarded run did: ran (with the task's result), or skipped because a run of that task is under way. */
export type TaskRun<T> = { ran: true; value: T } | { ran: false; reason: string };

/**
 * One run of each recurring task at a time across every replica. A BullMQ job scheduler fires each tick once per
 * deployment, but when a run outlasts its interval (a heating day's warranty scan, a `send-due` pass behind a slow
 * provider, a tick retried after a stall) the next tick is taken by another replica — or another worker slot of
 * this one — and the two would scan the same rows side by side: correct (unique keys, SKIP LOCKED), but twice the
 * load exactly when the database is busiest, and with ten replicas up to ten times. So each run first takes a
 * Postgres session advisory lock `(LockClass.Task, hashtext(queue:task))` with `pg_try_advisory_lock`: held
 * elsewhere, the tick is skipped at once (its work is what the running pass is doing; the next tick comes anyway).
 *
 * The locks live on one connection of their own per process, outside the pool (the pool's connections are the
 * tasks' own; a lock held on one of them could starve a task waiting for a lane). Session locks are reentrant, so
 * runs in this process are single-flighted in memory first. If the connection dies, Postgres frees its locks: a
 * crashed replica never blocks a task, and the worst case is one overlapping run, as before.
 */
export class TaskLocks {
  private client: Client | undefined;
  private connecting: Promise<Client> | undefined;
  private readonly running = new Set<string>();

  constructor(
    private readonly databaseUrl: string,
    private readonly applicationName: string,
  ) {}

  async run<T>(queue: string, task: string, fn: () => Promise<T>): Promise<TaskRun<T>> {
    const key = `${queue}:${task}`;
    if (this.running.has(key)) return { ran: false, reason: 'a run is under way in this process' };
    this.running.add(key);
    try {
      const client = await this.connection();
      const rows = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked', [
        LockClass.Task,
        key,
      ]);
      if (!rows.rows[0]?.locked) return { ran: false, reason: 'a run is under way on another replica' };
      try {
        return { ran: true, value: await fn() };
      } finally {
        // A dead connection has released it already.
        await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [LockClass.Task, key]).catch(() => undefined);
      }
    } finally {
      this.running.delete(key);
    }
  }

  async close(): Promise<void> {
    const client = this.client ?? (await this.connecting?.catch(() => undefined));
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private connection(): Promise<Client> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= (async () => {
      const client = new Client({
        connectionString: this.databaseUrl,
        application_name: this.applicationName,
        connectionTimeoutMillis: 5_000,
      });
      // A broken connection is dropped; the next run opens another (its locks died with it).
      const drop = () => {
        if (this.client === client) this.client = undefined;
      };
      client.on('error', drop);
      client.on('end', drop);
      try {
        await client.connect();
      } catch (err) {
        client.removeAllListeners();
        throw err;
      }
      this.client = client;
      return client;
    })().finally(() => (this.connecting = undefined));
    return this.connecting;
  }
}
