import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, JobRouter, type AppConfig } from '@kefu/shared';
import { BounceMailboxService } from './bounce-mailbox.service';
import { BounceService } from './bounce.service';
import { NotificationsModule } from '../notifications/notifications.module';

export const BOUNCE_POLL_TASK = 'bounce-mailbox-poll';

/** RFC 3464 bounces: `delivery-report-received` jobs from intake, and the notifier's own bounce mailbox. */
@Module({ imports: [NotificationsModule], providers: [BounceService, BounceMailboxService], exports: [BounceService, BounceMailboxService] })
export class BouncesModule implements OnModuleInit {
  constructor(
    private readonly router: JobRouter,
    private readonly bounces: BounceService,
    private readonly mailbox: BounceMailboxService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.router.handle('delivery-report-received', ({ intakeRecordId }) => this.bounces.handleIntakeRecord(intakeRecordId));
    if (this.mailbox.enabled) {
      this.router.every('notifier', BOUNCE_POLL_TASK, { every: this.config.BOUNCE_MAILBOX_POLL_SECONDS * 1000 }, () => this.mailbox.poll());
    }
  }
}
