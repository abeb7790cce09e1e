import { getQueueToken } from '@nestjs/bullmq';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bullmq';
import type { PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import { jobQueue, type JobName, type JobPayloads } from '../queues/queue.contract';
import { QueueProducer } from '../queues/queue.module';
import { withTimeout } from '../util/with-timeout';

/** A relayed job is looked up once it has had this long to run (a fresh one is simply still queued). */
export const SWEEP_GRACE_MS = 60_000;
const EVERY_MS = 30_000;
const BATCH = 500;
const REDIS_TIMEOUT_MS = 5_000;

export interface SweepResult {
  checked: number;
  settled: number;
  requeued: number;
}

/** Outbox ids are bigints Postgres gave us; checked before they are spliced into a statement. */
function idList(ids: string[]): string {
  if (!ids.every((id) => /^\d+$/.test(id))) throw new Error('outbox ids must be integers');
  return `'{${ids.join(',')}}'::bigint[]`;
}

/**
 * The lost-job sweep. Postgres is the truth, Redis carries work: a job Redis loses after the relay handed it over
 * (a restart without persistence, a flush, a failover that dropped writes) must still run. A relayed row stays
 * unsettled until its worker reports the job done (JobRouter settles `ob-<id>`); after SWEEP_GRACE_MS the sweep
 * asks BullMQ for job `ob-<id>`: finished → settled; waiting, delayed or active → left alone; gone → queued again
 * under the same job id, so a job that is not lost is never doubled, and the consumer's own state check (and
 * Postgres unique keys) keep a re-run from doing anything twice. Rows are claimed FOR UPDATE SKIP LOCKED, so every
 * replica of every app may sweep at once without two of them checking the same row. A plain timer, like the relay:
 * it must run when Redis has lost the job schedulers too.
 */
@Injectable()
export class OutboxSweep implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxSweep.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly producer: QueueProducer,
    private readonly moduleRef: ModuleRef,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Marks relayed job `jobId` done (called by the worker that ran it); not an outbox job → nothing. */
  async settle(jobId: string | undefined): Promise<void> {
    const m = /^ob-(\d+)$/.exec(jobId ?? '');
    if (!m) return;
    await this.ds.query(`UPDATE outbox SET settled_at = now() WHERE id = $1 AND settled_at IS NULL`, [m[1]]);
  }

  /** One pass over up to BATCH unsettled rows past the grace period (`graceMs`: tests). */
  async sweepOnce(graceMs = SWEEP_GRACE_MS): Promise<SweepResult> {
    const runner = this.ds.createQueryRunner();
    const client = (await runner.connect()) as PoolClient;
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ id: string; job_name: JobName; payload: JobPayloads[JobName] }>(
        `SELECT id, job_name, payload FROM outbox
          WHERE relayed_at IS NOT NULL AND settled_at IS NULL AND relayed_at < now() - make_interval(secs => $1)
          ORDER BY relayed_at LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`,
        [graceMs / 1000],
      );
      const states = await withTimeout(
        Promise.all(rows.map((r) => this.queue(r.job_name).getJobState(`ob-${r.id}`))),
        REDIS_TIMEOUT_MS,
        `Redis did not answer within ${REDIS_TIMEOUT_MS} ms`,
      );
      const settled = rows.filter((_, i) => states[i] === 'completed' || states[i] === 'failed');
      const lost = rows.filter((_, i) => states[i] === 'unknown');
      if (lost.length) {
        await this.producer.enqueueBulk(lost.map((r) => ({ name: r.job_name, data: r.payload, jobId: `ob-${r.id}` })));
        // A new grace period from now; the row goes to the back of the sweep's order.
        await client.query(
          `UPDATE outbox SET relayed_at = now(), attempts = attempts + 1 WHERE id = ANY(${idList(lost.map((r) => String(r.id)))})`,
        );
        this.logger.warn(
          { requeued: lost.length, jobs: [...new Set(lost.map((r) => r.job_name))] },
          'Redis had lost relayed jobs; queued them again',
        );
      }
      if (settled.length)
        await client.query(
          `UPDATE outbox SET settled_at = now() WHERE id = ANY(${idList(settled.map((r) => String(r.id)))})`,
        );
      await client.query('COMMIT');
      return { checked: rows.length, settled: settled.length, requeued: lost.length };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      await runner.release();
    }
  }

  private queue(name: JobName): Queue {
    return this.moduleRef.get<Queue>(getQueueToken(jobQueue[name]), { strict: false });
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick().finally(() => {
        this.running = undefined;
        this.schedule();
      });
    }, EVERY_MS);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    try {
      let r: SweepResult;
      do r = await this.sweepOnce();
      while (r.checked === BATCH && r.settled + r.requeued > 0 && !this.stopped);
    } catch (err) {
      // Redis or Postgres away: the next tick tries again; the relay already says so loudly.
      this.logger.debug({ err: err instanceof Error ? err.message : String(err) }, 'outbox sweep skipped');
    }
  }
}
