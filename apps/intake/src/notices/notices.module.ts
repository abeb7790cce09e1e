import { Module } from '@nestjs/common';
import { NoticesController } from './notices.controller';
import { OwnerMarketingController } from './owner-marketing.controller';
import { NoticesService } from './notices.service';

/** Estate-wide notices, the staff side (the fan-out and sending are the notifier's: apps/notifier/src/notices). */
@Module({ controllers: [NoticesController, OwnerMarketingController], providers: [NoticesService] })
export class NoticesModule {}
