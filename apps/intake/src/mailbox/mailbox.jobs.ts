import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job } from 'bullmq';
import { APP_CONFIG, JobRouter, OnJob, type AppConfig, type JobPayloads } from '@kefu/shared';
import type { PollReport } from './mailbox-poll.service';
import { MailboxRunner } from './mailbox-runner.service';

/**
 * The mailbox's job: a `mailbox-poll` asks the runner for a poll (which takes the advisory lock). Its
 * clock, the periodic resync, is a BullMQ job scheduler with a stable key (one schedule however many
 * replicas upsert it); if Redis is down at boot the router keeps trying. IDLE and the pending sweep do not
 * need it.
 */
@Injectable()
export class MailboxJobs implements OnApplicationBootstrap {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly runner: MailboxRunner,
    private readonly router: JobRouter,
  ) {}

  @OnJob('mailbox-poll')
  async poll({ mailboxId }: JobPayloads['mailbox-poll'], job: Job): Promise<PollReport | null> {
    // Another deployment's mailbox on a shared Redis prefix: not ours to poll.
    if (mailboxId !== this.config.MAILBOX_NAME) return null;
    return this.runner.request(`job ${job.id ?? ''}`);
  }

  onApplicationBootstrap(): void {
    if (!this.config.MAILBOX_URL) return;
    this.router.schedule(
      `mailbox-poll:${this.config.MAILBOX_NAME}`,
      { every: this.config.MAILBOX_RESYNC_SECONDS * 1000 },
      {
        name: 'mailbox-poll',
        data: { mailboxId: this.config.MAILBOX_NAME },
        opts: { attempts: 1, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
      },
    );
  }
}
