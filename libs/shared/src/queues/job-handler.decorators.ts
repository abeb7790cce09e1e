import type { Job } from 'bullmq';
import type { AppConfig } from '../config';
import type { JobName, JobPayloads, TaskQueue, taskJobName } from './queue.contract';

/** BullMQ repeat options we use: a fixed interval in ms, or a cron pattern (in a time zone). */
export type TaskRepeat = { every: number } | { pattern: string; tz?: string };
/**
 * A task's repeat: fixed, or computed from the app's validated config when the app starts (a time zone,
 * an interval set by env). `null` leaves the task out in this configuration (not scheduled, not run).
 */
export type TaskSchedule = TaskRepeat | ((config: AppConfig) => TaskRepeat | null);

/** Job names with a handler of their own; the task ticks (`scheduled-task`, `notifier-task`) go by task. */
export type HandledJobName = Exclude<JobName, (typeof taskJobName)[TaskQueue]>;
export type JobHandler<N extends HandledJobName> = (data: JobPayloads[N], job: Job<JobPayloads[N]>) => Promise<unknown>;
export type TaskJob = Job<{ task: string }>;
/** A task's run; `job.timestamp` is when the tick was due. "Now" comes from the injected clock. */
export type TaskHandler = (job: TaskJob) => Promise<unknown>;

export type JobHandlerMeta =
  { kind: 'job'; name: HandledJobName } | { kind: 'task'; queue: TaskQueue; task: string; schedule: TaskSchedule };

export const JOB_HANDLER_METADATA = 'kefu:job-handler';

function mark(meta: JobHandlerMeta, fn: unknown): void {
  const list = (Reflect.getMetadata(JOB_HANDLER_METADATA, fn as object) as JobHandlerMeta[] | undefined) ?? [];
  Reflect.defineMetadata(JOB_HANDLER_METADATA, [...list, meta], fn as object);
}

/**
 * Marks a provider method as the handler of job `name` (`@OnJob('case-received')`). The JobRouter finds it
 * at boot; the method gets the typed payload and the job. Exactly one handler per job on its queue, or
 * the consuming app does not start.
 */
export function OnJob<N extends HandledJobName>(name: N) {
  return <T extends JobHandler<N>>(_target: object, _key: string | symbol, descriptor: TypedPropertyDescriptor<T>) => {
    mark({ kind: 'job', name }, descriptor.value);
  };
}

/**
 * Marks a provider method as recurring task `task` on `queue` (`@OnTask('scheduler', 'warranty-scan',
 * (c) => ({ pattern: '0 30 8-20 * * *', tz: c.BUSINESS_TIME_ZONE }))`). Its clock is a BullMQ job scheduler
 * keyed by the task name (one schedule however many replicas); ticks arrive as the queue's task job.
 */
export function OnTask(queue: TaskQueue, task: string, schedule: TaskSchedule) {
  return <T extends TaskHandler>(_target: object, _key: string | symbol, descriptor: TypedPropertyDescriptor<T>) => {
    mark({ kind: 'task', queue, task, schedule }, descriptor.value);
  };
}
