import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import type { Job } from 'bullmq';
import { JobRouter, Queues } from '@kefu/shared';

/** The scheduler queue's one worker: hands each job to the feature that registered it with the JobRouter. */
@Processor(Queues.Scheduler, { concurrency: 4 })
export class SchedulerWorker extends WorkerHost {
  constructor(private readonly router: JobRouter) {
    super();
  }

  process(job: Job): Promise<unknown> {
    return this.router.dispatch(job);
  }
}

/** Feature modules inject JobRouter and register in onModuleInit: `router.handle('case-received', …)`, `router.every('scheduler', 'warranty-scan', { pattern }, …)`. */
@Global()
@Module({ providers: [JobRouter, SchedulerWorker], exports: [JobRouter] })
export class SchedulerJobsModule {}
