import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { PoolClient, QueryResult } from 'pg';
import type { DataSource } from 'typeorm';
import type { JobName, JobPayloads } from '../queues/queue.contract';
import { QueueProducer } from '../queues/queue.module';
import { backoffDelay } from '../util/backoff';
import { withTimeout } from '../util/with-timeout';

const BATCH = 200;
const IDLE_MS = 1_000;
const MAX_BACKOFF_MS = 30_000;
const ADD_TIMEOUT_MS = 5_000;

/**
 * Moves committed outbox rows onto BullMQ. Rows are claimed with FOR UPDATE SKIP LOCKED, so several
 * relays (replicas, all three apps) never send a row twice at once; the BullMQ job id `ob-<id>` makes a
 * resend after a crash between add and commit collapse into the same job while it exists, and consumers
 * re-check state anyway. The loop is a plain timer, not a BullMQ job scheduler: it must keep running
 * while Redis is down, which is the point of the outbox.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private failures = 0;
  private kicked = false;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly producer: QueueProducer,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Relay soon (after a commit that added rows) instead of waiting for the next tick. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.kicked = true;
      return;
    }
    if (this.failures === 0) this.schedule(0);
  }

  /**
   * One pass: relays up to BATCH rows; returns how many. Exposed for tests and the benchmark. Two round
   * trips to Postgres, not four: BEGIN with the claim, and the mark with COMMIT, each one simple-protocol
   * query (the statements carry no client input: a constant limit, and ids Postgres gave us, checked).
   */
  async relayOnce(): Promise<number> {
    const runner = this.ds.createQueryRunner();
    // The driver's own client: TypeORM's query() drops the results of a multi-statement query.
    const client = (await runner.connect()) as PoolClient;
    try {
      const claimed = (await client.query(
        `BEGIN; SELECT id, job_name, payload FROM outbox WHERE relayed_at IS NULL ORDER BY id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`,
      )) as unknown as [QueryResult, QueryResult<{ id: string; job_name: JobName; payload: JobPayloads[JobName] }>];
      const rows = claimed[1].rows;
      if (rows.length === 0) {
        await client.query('COMMIT');
        return 0;
      }
      await withTimeout(
        this.producer.enqueueBulk(rows.map((r) => ({ name: r.job_name, data: r.payload, jobId: `ob-${r.id}` }))),
        ADD_TIMEOUT_MS,
        `Redis did not accept the jobs within ${ADD_TIMEOUT_MS} ms`,
      );
      const ids = rows.map((r) => String(r.id));
      if (!ids.every((id) => /^\d+$/.test(id))) throw new Error('outbox ids must be integers');
      await client.query(
        `UPDATE outbox SET relayed_at = now(), attempts = attempts + 1 WHERE id = ANY('{${ids.join(',')}}'::bigint[]); COMMIT`,
      );
      return rows.length;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      await runner.release();
    }
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick().finally(() => (this.running = undefined));
    }, ms);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    let next = IDLE_MS;
    try {
      let n: number;
      do {
        this.kicked = false;
        n = await this.relayOnce();
      } while ((n === BATCH || this.kicked) && !this.stopped);
      if (this.failures > 0) this.logger.log('outbox relay recovered; pending jobs delivered');
      this.failures = 0;
    } catch (err) {
      this.failures += 1;
      next = backoffDelay(this.failures, { baseMs: IDLE_MS, maxMs: MAX_BACKOFF_MS });
      const message = err instanceof Error ? err.message : String(err);
      if (this.failures === 1 || this.failures % 10 === 0)
        this.logger.warn(
          { failures: this.failures, retryInMs: next },
          `outbox relay failed, jobs stay in Postgres: ${message}`,
        );
      await this.ds
        .query(`UPDATE outbox SET last_error = $1 WHERE id = (SELECT min(id) FROM outbox WHERE relayed_at IS NULL)`, [
          message.slice(0, 500),
        ])
        .catch(() => undefined);
    }
    this.schedule(next);
  }
}
