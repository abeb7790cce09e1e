import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import type { Job } from 'bullmq';
import { JobRouter, JobsModule, Queues } from '@kefu/shared';

/** The scheduler queue's one worker: hands each job to its `@OnJob` / `@OnTask` handler through the JobRouter. */
@Processor(Queues.Scheduler, { concurrency: 4 })
export class SchedulerWorker extends WorkerHost {
  constructor(private readonly router: JobRouter) {
    super();
  }

  process(job: Job): Promise<unknown> {
    return this.router.dispatch(job);
  }
}

/**
 * Features mark provider methods `@OnJob('case-received')` or `@OnTask('scheduler', 'warranty-scan', schedule)`;
 * the router finds them at boot and refuses to start when a job of this queue has no handler or two.
 */
@Module({ imports: [JobsModule.forQueue(Queues.Scheduler)], providers: [SchedulerWorker] })
export class SchedulerJobsModule {}
