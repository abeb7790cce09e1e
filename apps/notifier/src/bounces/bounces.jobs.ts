import { Injectable } from '@nestjs/common';
import { OnJob, OnTask, type JobPayloads } from '@kefu/shared';
import { BounceMailboxService, type BouncePollReport } from './bounce-mailbox.service';
import { BounceService, type BounceOutcome } from './bounce.service';

export const BOUNCE_POLL_TASK = 'bounce-mailbox-poll';

/** Bounces' jobs: a delivery report intake stored, and polling the notifier's own bounce mailbox. */
@Injectable()
export class BounceJobs {
  constructor(
    private readonly bounces: BounceService,
    private readonly mailbox: BounceMailboxService,
  ) {}

  @OnJob('delivery-report-received')
  deliveryReport({ intakeRecordId }: JobPayloads['delivery-report-received']): Promise<BounceOutcome> {
    return this.bounces.handleIntakeRecord(intakeRecordId);
  }

  // Only with a bounce mailbox configured (BounceMailboxService.enabled).
  @OnTask('notifier', BOUNCE_POLL_TASK, (c) =>
    c.BOUNCE_MAILBOX_URL ? { every: c.BOUNCE_MAILBOX_POLL_SECONDS * 1000 } : null,
  )
  pollMailbox(): Promise<BouncePollReport> {
    return this.mailbox.poll();
  }
}
