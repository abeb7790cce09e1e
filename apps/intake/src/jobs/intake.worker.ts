import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import type { Job } from 'bullmq';
import { APP_CONFIG, configuredMailboxes, JobRouter, JobsModule, Queues, type AppConfig } from '@kefu/shared';

/** The intake queue's one worker: hands each job to its `@OnJob` handler through the JobRouter. */
@Processor(Queues.Intake, { concurrency: 1 })
export class IntakeWorker extends WorkerHost {
  constructor(private readonly router: JobRouter) {
    super();
  }

  process(job: Job): Promise<unknown> {
    return this.router.dispatch(job);
  }
}

/** Stands in for the worker when no mailbox is configured: no @Processor, so no worker is started. */
export class IntakeWorkerDisabled {}

/**
 * Features mark provider methods `@OnJob('mailbox-poll')`; the router finds them at boot and refuses to
 * start when a job of this queue has no handler or two. The queue carries mailbox polls only, so an intake
 * without a mailbox consumes nothing (a replica without one must not take another's polls).
 */
@Module({
  imports: [JobsModule.forQueue(Queues.Intake)],
  providers: [
    {
      // The BullMQ explorer starts a worker for a factory provider only if the instance is a @Processor.
      provide: IntakeWorker,
      inject: [APP_CONFIG, JobRouter],
      useFactory: (config: AppConfig, router: JobRouter) =>
        configuredMailboxes(config).length ? new IntakeWorker(router) : new IntakeWorkerDisabled(),
    },
  ],
})
export class IntakeJobsModule {}
