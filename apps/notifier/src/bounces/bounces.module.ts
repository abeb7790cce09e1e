import { Module } from '@nestjs/common';
import { BounceService } from './bounce.service';
import { BounceJobs } from './bounces.jobs';
import { NotificationsModule } from '../notifications/notifications.module';

/**
 * Delivery and feedback reports: `delivery-report-received` jobs from intake, which reads every mailbox
 * (the customer-service mailbox and the bounce mailbox) and stores each report parsed. The notifier only
 * matches a report to its notification and records it.
 */
@Module({ imports: [NotificationsModule], providers: [BounceService, BounceJobs], exports: [BounceService] })
export class BouncesModule {}
