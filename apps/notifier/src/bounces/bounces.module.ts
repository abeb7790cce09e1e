import { Module, type OnModuleInit } from '@nestjs/common';
import { JobRouter } from '@kefu/shared';
import { BounceService } from './bounce.service';
import { NotificationsModule } from '../notifications/notifications.module';

/**
 * Delivery and feedback reports: `delivery-report-received` jobs from intake, which reads every mailbox
 * (the customer-service mailbox and the bounce mailbox) and stores each report parsed. The notifier only
 * matches a report to its notification and records it.
 */
@Module({ imports: [NotificationsModule], providers: [BounceService], exports: [BounceService] })
export class BouncesModule implements OnModuleInit {
  constructor(
    private readonly router: JobRouter,
    private readonly bounces: BounceService,
  ) {}

  onModuleInit(): void {
    this.router.handle('delivery-report-received', ({ intakeRecordId }) => this.bounces.handleIntakeRecord(intakeRecordId));
  }
}
