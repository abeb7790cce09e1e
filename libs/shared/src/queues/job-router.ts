import { getQueueToken } from '@nestjs/bullmq';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { UnrecoverableError, type Job, type Queue, type RepeatOptions } from 'bullmq';
import { taskJobName, type JobName, type JobPayloads, type TaskQueue } from './queue.contract';

type Handler<N extends JobName> = (data: JobPayloads[N], job: Job<JobPayloads[N]>) => Promise<unknown>;
type TaskJob = Job<{ task: string }>;
type TaskHandler = (job: TaskJob) => Promise<unknown>;
const taskJobNames = new Set<string>(Object.values(taskJobName));

const SCHEDULE_TIMEOUT_MS = 5_000;

/**
 * Lets several feature modules share their app's one queue worker: each registers the job names it
 * handles (in `onModuleInit`), and recurring tasks whose clock is a BullMQ job scheduler. The app's
 * `@Processor` calls `dispatch`. A job nobody handles fails for good (a routing bug, not a retry).
 */
@Injectable()
export class JobRouter implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(JobRouter.name);
  private readonly handlers = new Map<string, Handler<JobName>>();
  private readonly tasks = new Map<string, { queue: TaskQueue; repeat: Omit<RepeatOptions, 'key'>; run: TaskHandler }>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly moduleRef: ModuleRef) {}

  handle<N extends JobName>(name: N, handler: Handler<N>): void {
    if (taskJobNames.has(name)) throw new Error('register recurring work with every(), not handle()');
    if (this.handlers.has(name)) throw new Error(`job ${name} already has a handler`);
    this.handlers.set(name, handler as unknown as Handler<JobName>);
  }

  /**
   * A recurring task on `queue`: `repeat` is BullMQ's `{ every: ms }` or `{ pattern: cron, tz }`. The job
   * scheduler's key is the task name, so any number of replicas upsert one schedule. The handler gets
   * the job (its `timestamp` is when the tick was due); it must read "now" from the injected clock.
   */
  every(queue: TaskQueue, task: string, repeat: Omit<RepeatOptions, 'key'>, run: TaskHandler): void {
    if (this.tasks.has(task)) throw new Error(`task ${task} already registered`);
    this.tasks.set(task, { queue, repeat, run });
  }

  /** Registered recurring task names (tests and /healthz-style listings). */
  taskNames(): string[] {
    return [...this.tasks.keys()];
  }

  /** Runs a registered task now, as its scheduler would (tests; an admin "run now"). */
  async runTask(task: string, job?: Partial<TaskJob>): Promise<unknown> {
    const t = this.tasks.get(task);
    if (!t) throw new Error(`no task ${task}`);
    return t.run({ name: taskJobName[t.queue], data: { task }, timestamp: Date.now(), ...job } as TaskJob);
  }

  async dispatch(job: Job): Promise<unknown> {
    if (taskJobNames.has(job.name)) {
      const task = (job.data as { task: string }).task;
      const t = this.tasks.get(task);
      if (!t) throw new UnrecoverableError(`no task ${task} registered here`);
      return t.run(job as TaskJob);
    }
    const handler = this.handlers.get(job.name);
    if (!handler) throw new UnrecoverableError(`job ${job.name} has no handler on this queue`);
    return handler(job.data as JobPayloads[JobName], job as Job<JobPayloads[JobName]>);
  }

  onApplicationBootstrap(): void {
    for (const [task, { queue, repeat }] of this.tasks) void this.upsert(queue, task, repeat, 0);
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
  }

  /** If Redis is down at boot, keeps trying with backoff; the app serves meanwhile. */
  private async upsert(queueName: TaskQueue, task: string, repeat: Omit<RepeatOptions, 'key'>, failures: number): Promise<void> {
    if (this.stopped) return;
    const queue = this.moduleRef.get<Queue>(getQueueToken(queueName), { strict: false });
    let timeout: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        queue.upsertJobScheduler(task, repeat, {
          name: taskJobName[queueName],
          data: { task },
          opts: { attempts: 3, backoff: { type: 'exponential', delay: 5_000 }, removeOnComplete: { count: 100 }, removeOnFail: { count: 500 } },
        }),
        new Promise<never>((_, reject) => (timeout = setTimeout(() => reject(new Error(`Redis did not answer within ${SCHEDULE_TIMEOUT_MS} ms`)), SCHEDULE_TIMEOUT_MS))),
      ]);
    } catch (err) {
      if (failures === 0 || failures % 10 === 0) this.logger.warn({ task, err: err instanceof Error ? err.message : String(err) }, 'cannot schedule the task yet; retrying');
      const retry = setTimeout(() => {
        this.timers.delete(retry);
        void this.upsert(queueName, task, repeat, failures + 1);
      }, Math.min(60_000, 1_000 * 2 ** Math.min(failures, 6)));
      retry.unref();
      this.timers.add(retry);
    } finally {
      clearTimeout(timeout);
    }
  }
}
