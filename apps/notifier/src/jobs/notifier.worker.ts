import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import type { Job } from 'bullmq';
import { JobRouter, JobsModule, Queues } from '@kefu/shared';
import { ChannelRegistry } from '../channels/channel-sender';

/** The notifier queue's one worker: hands each job to its `@OnJob` / `@OnTask` handler through the JobRouter. */
@Processor(Queues.Notifier, { concurrency: 8 })
export class NotifierWorker extends WorkerHost {
  constructor(private readonly router: JobRouter) {
    super();
  }

  process(job: Job): Promise<unknown> {
    return this.router.dispatch(job);
  }
}

/**
 * Features mark provider methods `@OnJob('notification-requested')` or `@OnTask('notifier', 'send-due',
 * { every: 30_000 })`; the router finds them at boot and refuses to start when a job of this queue has no
 * handler or two. Senders register with the ChannelRegistry in their module's onModuleInit.
 */
@Global()
@Module({
  imports: [JobsModule.forQueue(Queues.Notifier)],
  providers: [NotifierWorker, ChannelRegistry],
  exports: [ChannelRegistry],
})
export class NotifierJobsModule {}
