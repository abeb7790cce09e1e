import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import type { Job } from 'bullmq';
import { JobRouter, Queues } from '@kefu/shared';
import { ChannelRegistry } from '../channels/channel-sender';

/** The notifier queue's one worker: hands each job to the feature that registered it with the JobRouter. */
@Processor(Queues.Notifier, { concurrency: 8 })
export class NotifierWorker extends WorkerHost {
  constructor(private readonly router: JobRouter) {
    super();
  }

  process(job: Job): Promise<unknown> {
    return this.router.dispatch(job);
  }
}

/** Feature modules inject JobRouter (and ChannelRegistry, to register a sender) and register in onModuleInit: `router.handle('notification-requested', …)`, `router.every('notifier', 'reconcile-sending', { every: 60_000 }, …)`. */
@Global()
@Module({ providers: [JobRouter, NotifierWorker, ChannelRegistry], exports: [JobRouter, ChannelRegistry] })
export class NotifierJobsModule {}
