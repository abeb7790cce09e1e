import { getQueueToken } from '@nestjs/bullmq';
import {
  Inject,
  Injectable,
  Logger,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { DiscoveryModule, DiscoveryService, MetadataScanner, ModuleRef } from '@nestjs/core';
import { UnrecoverableError, type Job, type JobsOptions, type Queue } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '../config';
import { OutboxSweep } from '../outbox/outbox-sweep.service';
import { retryWithBackoff } from '../util/backoff';
import { withTimeout } from '../util/with-timeout';
import { TaskLocks } from './task-locks';
import {
  JOB_HANDLER_METADATA,
  type JobHandlerMeta,
  type TaskHandler,
  type TaskJob,
  type TaskRepeat,
} from './job-handler.decorators';
import {
  jobQueue,
  taskJobName,
  type JobName,
  type JobPayloads,
  type QueueName,
  type TaskQueue,
} from './queue.contract';

/** The queue this app's JobRouter serves (JobsModule.forQueue). */
export const JOB_QUEUE = 'kefu:job-queue';

const SCHEDULE_TIMEOUT_MS = 5_000;
/** How often each replica checks that Redis still has this queue's job schedulers. */
export const RESTORE_EVERY_MS = 60_000;
const TASK_JOB_OPTS: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 5_000 },
  removeOnComplete: { count: 100 },
  removeOnFail: { count: 500 },
};
const taskJobNames = new Set<string>(Object.values(taskJobName));

type Run = (job: Job) => Promise<unknown>;
interface Found {
  meta: JobHandlerMeta;
  run: Run;
  owner: string;
}
interface Task {
  queue: TaskQueue;
  repeat: TaskRepeat;
  run: TaskHandler;
}
/** What each tick of a job scheduler enqueues. */
export interface ScheduledJob<N extends JobName> {
  name: N;
  data: JobPayloads[N];
  opts: JobsOptions;
}

/** The boot check failed: the app must not start (one line, naming each job). */
export class JobWiringError extends Error {
  override readonly name = 'JobWiringError';
}

/** The `@OnJob` / `@OnTask` marks of a prototype's methods. */
function marked(scanner: MetadataScanner, proto: object): Array<{ method: string; metas: JobHandlerMeta[] }> {
  return scanner.getAllMethodNames(proto).flatMap((method) => {
    const fn: unknown = (proto as Record<string, unknown>)[method];
    if (typeof fn !== 'function') return [];
    const metas = Reflect.getMetadata(JOB_HANDLER_METADATA, fn) as JobHandlerMeta[] | undefined;
    return metas ? [{ method, metas }] : [];
  });
}

/** Every `@OnJob` / `@OnTask` method of the app's providers, bound to its instance; singletons only. */
function discover(discovery: DiscoveryService, scanner: MetadataScanner): { found: Found[]; problems: string[] } {
  const found: Found[] = [];
  const problems: string[] = [];
  for (const wrapper of discovery.getProviders()) {
    if (!wrapper.isDependencyTreeStatic()) {
      // Request-scoped or transient: no instance to call from a worker.
      const proto = (wrapper.metatype as { prototype?: object } | null)?.prototype;
      if (proto && marked(scanner, proto).length) {
        problems.push(`${String(wrapper.name)} has job handlers but is not a singleton`);
      }
      continue;
    }
    const instance: unknown = wrapper.instance;
    if (!instance || typeof instance !== 'object') continue;
    const proto = Object.getPrototypeOf(instance) as object | null;
    if (!proto) continue;
    for (const { method, metas } of marked(scanner, proto)) {
      const owner = `${instance.constructor.name}.${method}`;
      const fn = (proto as Record<string, (...args: unknown[]) => Promise<unknown>>)[method]!;
      const bound = fn.bind(instance);
      for (const meta of metas) {
        const run: Run = meta.kind === 'job' ? (job) => bound(job.data, job) : (job) => bound(job);
        found.push({ meta, run, owner });
      }
    }
  }
  return { found, problems };
}

/**
 * Routes the app's one queue to its handlers, found at boot: `@OnJob(name)` and `@OnTask(queue, task,
 * schedule)` on provider methods (job-handler.decorators.ts). At module init it checks that every job the
 * contract routes to this queue (`jobQueue`) has exactly one handler, that no handler is for another
 * queue's job, and that no task is declared twice; otherwise it throws and the app does not start.
 * The app's thin `@Processor` worker calls `dispatch`. Recurring tasks get a BullMQ job scheduler each.
 */
@Injectable()
export class JobRouter implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(JobRouter.name);
  private readonly handlers = new Map<string, Run>();
  private readonly tasks = new Map<string, Task>();
  private readonly stop = new AbortController();
  private watchTimer: NodeJS.Timeout | undefined;
  private readonly scheduled = new Map<string, { repeat: TaskRepeat; job: ScheduledJob<JobName> }>();
  // Workers may start (BullMQ's own onModuleInit) before discovery: a job waits for it instead of failing.
  private routed!: () => void;
  private readonly ready = new Promise<void>((resolve) => (this.routed = resolve));
  private readonly locks: TaskLocks;

  constructor(
    @Inject(JOB_QUEUE) readonly queue: QueueName,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly moduleRef: ModuleRef,
  ) {
    this.locks = new TaskLocks(config.DATABASE_URL, `kefu-${queue}-tasks`);
  }

  onModuleInit(): void {
    const { found, problems } = discover(this.discovery, this.scanner);
    this.route(found, problems);
    this.routed();
  }

  private route(found: Found[], problems: string[]): void {
    const byJob = new Map<string, string[]>();
    const byTask = new Map<string, string[]>();
    for (const { meta, run, owner } of found) {
      if (meta.kind === 'job') {
        if (jobQueue[meta.name] !== this.queue) {
          const to = jobQueue[meta.name];
          problems.push(`${owner} handles job '${meta.name}', which goes to queue '${to}', not '${this.queue}'`);
          continue;
        }
        byJob.set(meta.name, [...(byJob.get(meta.name) ?? []), owner]);
        this.handlers.set(meta.name, run);
        continue;
      }
      if (meta.queue !== this.queue) {
        problems.push(`${owner} runs task '${meta.task}' on queue '${meta.queue}', not '${this.queue}'`);
        continue;
      }
      byTask.set(meta.task, [...(byTask.get(meta.task) ?? []), owner]);
      const repeat = typeof meta.schedule === 'function' ? meta.schedule(this.config) : meta.schedule;
      if (repeat) this.tasks.set(meta.task, { queue: meta.queue, repeat, run });
    }
    for (const name of Object.keys(jobQueue) as JobName[]) {
      if (jobQueue[name] !== this.queue || taskJobNames.has(name)) continue;
      const owners = byJob.get(name) ?? [];
      if (owners.length === 0) problems.push(`job '${name}' (queue '${this.queue}') has no @OnJob handler`);
      if (owners.length > 1) problems.push(`job '${name}' has ${owners.length} @OnJob handlers (${owners.join(', ')})`);
    }
    for (const [task, owners] of byTask) {
      if (owners.length > 1) problems.push(`task '${task}' is declared ${owners.length} times (${owners.join(', ')})`);
    }
    if (problems.length) throw new JobWiringError(`job wiring on queue '${this.queue}': ${problems.join('; ')}`);
  }

  /** Jobs with a handler here (tests, listings). */
  jobNames(): string[] {
    return [...this.handlers.keys()];
  }

  /** Recurring tasks scheduled here (tests, listings). */
  taskNames(): string[] {
    return [...this.tasks.keys()];
  }

  /** Runs a task now, as its scheduler would (tests; an admin "run now"). */
  async runTask(task: string, job?: Partial<TaskJob>): Promise<unknown> {
    const t = this.tasks.get(task);
    if (!t) throw new Error(`no task ${task}`);
    return t.run({ name: taskJobName[t.queue], data: { task }, timestamp: Date.now(), ...job } as TaskJob);
  }

  /** A job nobody handles here fails for good (a routing bug, not a retry). */
  async dispatch(job: Job): Promise<unknown> {
    await this.ready;
    if (taskJobNames.has(job.name)) {
      const task = (job.data as { task: string }).task;
      const t = this.tasks.get(task);
      if (!t) throw new UnrecoverableError(`no task ${task} registered here`);
      // One run of a task at a time across replicas: a tick that finds one under way is skipped (task-locks.ts).
      const result = await this.locks.run(this.queue, task, () => t.run(job as TaskJob));
      if (result.ran) return result.value;
      this.logger.debug({ task, reason: result.reason }, 'tick skipped');
      return { skipped: result.reason };
    }
    const handler = this.handlers.get(job.name);
    if (!handler) throw new UnrecoverableError(`job ${job.name} has no handler on this queue`);
    const result = await handler(job);
    await this.settle(job.id);
    return result;
  }

  /** Tells the lost-job sweep a relayed job ran; if Postgres cannot be told, the sweep finds it finished later. */
  private async settle(jobId: string | undefined): Promise<void> {
    if (!jobId?.startsWith('ob-')) return;
    try {
      await this.moduleRef.get(OutboxSweep, { strict: false }).settle(jobId);
    } catch (err) {
      this.logger.debug({ jobId, err: err instanceof Error ? err.message : String(err) }, 'could not settle');
    }
  }

  onApplicationBootstrap(): void {
    for (const [task, { queue, repeat }] of this.tasks) {
      this.schedule(task, repeat, { name: taskJobName[queue], data: { task }, opts: TASK_JOB_OPTS });
    }
    this.watch();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stop.abort();
    clearTimeout(this.watchTimer);
    await this.locks.close();
  }

  /**
   * Job schedulers live in Redis only: one that Redis lost (a restart without persistence, a flush) would stop its
   * task for good. Every RESTORE_EVERY_MS each replica checks them and upserts any that is gone (an upsert of an
   * existing scheduler is harmless, so replicas racing here still leave one schedule).
   */
  async restoreSchedulers(): Promise<string[]> {
    const restored: string[] = [];
    const timeout = `Redis did not answer within ${SCHEDULE_TIMEOUT_MS} ms`;
    for (const [key, { repeat, job }] of this.scheduled) {
      const q = this.moduleRef.get<Queue>(getQueueToken(jobQueue[job.name]), { strict: false });
      if (await withTimeout(q.getJobScheduler(key), SCHEDULE_TIMEOUT_MS, timeout)) continue;
      await withTimeout(q.upsertJobScheduler(key, repeat, job), SCHEDULE_TIMEOUT_MS, timeout);
      restored.push(key);
    }
    if (restored.length) this.logger.warn({ schedulers: restored }, 'Redis had lost job schedulers; restored them');
    return restored;
  }

  private watch(): void {
    if (this.stop.signal.aborted) return;
    this.watchTimer = setTimeout(() => {
      this.restoreSchedulers()
        .catch((err: unknown) =>
          this.logger.debug({ err: err instanceof Error ? err.message : String(err) }, 'scheduler check skipped'),
        )
        .finally(() => this.watch());
    }, RESTORE_EVERY_MS);
    this.watchTimer.unref();
  }

  /**
   * Upserts the BullMQ job scheduler `key` on the job's queue (one schedule however many replicas call
   * this). If Redis is down at boot it keeps trying with backoff; the app serves meanwhile.
   */
  schedule<N extends JobName>(key: string, repeat: TaskRepeat, job: ScheduledJob<N>): void {
    this.scheduled.set(key, { repeat, job });
    const queue = this.moduleRef.get<Queue>(getQueueToken(jobQueue[job.name]), { strict: false });
    const timeout = `Redis did not answer within ${SCHEDULE_TIMEOUT_MS} ms`;
    const upsert = () => withTimeout(queue.upsertJobScheduler(key, repeat, job), SCHEDULE_TIMEOUT_MS, timeout);
    void retryWithBackoff(upsert, {
      baseMs: 1_000,
      maxMs: 60_000,
      signal: this.stop.signal,
      onFailure: (err, failures) => {
        if (failures === 1 || failures % 10 === 0) {
          const message = err instanceof Error ? err.message : String(err);
          this.logger.warn({ key, failures, err: message }, 'cannot schedule yet; retrying');
        }
      },
    });
  }
}

/** The app's JobRouter for the queue it consumes; global, so the app's worker and any feature can reach it. */
@Module({})
export class JobsModule {
  static forQueue(queue: QueueName): DynamicModule {
    return {
      module: JobsModule,
      global: true,
      imports: [DiscoveryModule],
      providers: [{ provide: JOB_QUEUE, useValue: queue }, JobRouter],
      exports: [JobRouter],
    };
  }
}
