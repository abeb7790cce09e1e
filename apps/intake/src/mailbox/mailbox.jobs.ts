import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job } from 'bullmq';
import { JobRouter, OnJob, type JobPayloads } from '@kefu/shared';
import type { PollReport } from './mailbox-poll.service';
import { MailboxRunner } from './mailbox-runner.service';
import { MAILBOXES, type Mailbox } from './mailboxes';

/**
 * The mailboxes' job: a `mailbox-poll` asks the runner for a poll of that mailbox (which takes its advisory
 * lock). Their clock, the periodic resync, is a BullMQ job scheduler per mailbox with a stable key (one
 * schedule however many replicas upsert it); if Redis is down at boot the router keeps trying. IDLE and the
 * pending sweep do not need it.
 */
@Injectable()
export class MailboxJobs implements OnApplicationBootstrap {
  constructor(
    @Inject(MAILBOXES) private readonly mailboxes: Mailbox[],
    private readonly runner: MailboxRunner,
    private readonly router: JobRouter,
  ) {}

  @OnJob('mailbox-poll')
  async poll({ mailboxId }: JobPayloads['mailbox-poll'], job: Job): Promise<PollReport | null> {
    // Another deployment's mailbox on a shared Redis prefix: not ours to poll.
    if (!this.runner.mailbox(mailboxId)) return null;
    return this.runner.request(`job ${job.id ?? ''}`, mailboxId);
  }

  onApplicationBootstrap(): void {
    for (const { spec } of this.mailboxes) {
      this.router.schedule(
        `mailbox-poll:${spec.name}`,
        { every: spec.resyncSeconds * 1000 },
        {
          name: 'mailbox-poll',
          data: { mailboxId: spec.name },
          opts: { attempts: 1, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
        },
      );
    }
  }
}
