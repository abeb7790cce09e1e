import { Module } from '@nestjs/common';
import { BounceMailboxService } from './bounce-mailbox.service';
import { BounceService } from './bounce.service';
import { BounceJobs } from './bounces.jobs';
import { NotificationsModule } from '../notifications/notifications.module';

export { BOUNCE_POLL_TASK } from './bounces.jobs';

/** RFC 3464 bounces: `delivery-report-received` jobs from intake, and the notifier's own bounce mailbox. */
@Module({
  imports: [NotificationsModule],
  providers: [BounceService, BounceMailboxService, BounceJobs],
  exports: [BounceService, BounceMailboxService],
})
export class BouncesModule {}
