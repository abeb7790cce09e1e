import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, CLOCK, type AppConfig, type Clock } from '@kefu/shared';
import { ChannelRegistry } from '../channels/channel-sender';
import { DeliveryReceiptsService } from './delivery-receipts.service';
import { MessagePreparer } from './message-preparer.service';
import { NotificationDispatcher } from './notification-dispatcher.service';
import { NotificationBatchSender } from './notification-batch-sender.service';
import { NotificationReconciler } from './notification-reconciler.service';
import { NotificationJobs } from './notifications.jobs';
import { NotificationsController } from './notifications.controller';
import { NotificationsService } from './notifications.service';
import { ProviderRateLimiter } from './rate-limiter';
import { RecipientResolver } from './recipient-resolver';
import { SmtpEmailSender } from './smtp-email.sender';
import { TwilioSmsSender } from './twilio-sms.sender';
import { DomesticReceiptsController } from '../sms/domestic-receipts.controller';
import { DomesticReceiptsService } from '../sms/domestic-receipts.service';
import { SmsFrequencyLimiter } from '../sms/sms-frequency-limiter';
import { createSmsRouter } from '../sms/sms-router.factory';
import { SmsRouter } from '../sms/sms-router.sender';

/**
 * The notifier core: the `notification-requested` handler, SMS (Twilio, and Alibaba Cloud / Tencent Cloud for
 * +86 mobiles through the SMS router) and email (SMTP) senders, Twilio status callbacks and domestic receipts,
 * reconciling rows stuck in "sending", the due-row sweep and the staff API.
 * Letters register their own sender with the ChannelRegistry (apps/notifier/src/letters).
 */
@Module({
  controllers: [NotificationsController, DomesticReceiptsController],
  providers: [
    NotificationDispatcher,
    NotificationBatchSender,
    NotificationReconciler,
    DeliveryReceiptsService,
    NotificationsService,
    ProviderRateLimiter,
    NotificationJobs,
    RecipientResolver,
    MessagePreparer,
    DomesticReceiptsService,
    SmsFrequencyLimiter,
    {
      provide: TwilioSmsSender,
      inject: [APP_CONFIG],
      useFactory: (c: AppConfig) => (TwilioSmsSender.configured(c) ? new TwilioSmsSender(c) : null),
    },
    {
      // +86 mobiles through the domestic provider, the rest through Twilio (null: no domestic provider configured).
      provide: SmsRouter,
      inject: [APP_CONFIG, getDataSourceToken(), CLOCK, TwilioSmsSender, SmsFrequencyLimiter],
      useFactory: (c: AppConfig, ds: DataSource, clock: Clock, t: TwilioSmsSender | null, l: SmsFrequencyLimiter) =>
        createSmsRouter(c, ds, clock, t, l),
    },
    {
      provide: SmtpEmailSender,
      inject: [APP_CONFIG],
      useFactory: (c: AppConfig) => (SmtpEmailSender.configured(c) ? new SmtpEmailSender(c) : null),
    },
  ],
  exports: [NotificationDispatcher],
})
export class NotificationsModule implements OnModuleInit {
  constructor(
    private readonly registry: ChannelRegistry,
    @Inject(TwilioSmsSender) private readonly sms: TwilioSmsSender | null,
    @Inject(SmtpEmailSender) private readonly email: SmtpEmailSender | null,
    @Inject(SmsRouter) private readonly router: SmsRouter | null,
  ) {}

  onModuleInit(): void {
    if (this.router) this.registry.register(this.router);
    else if (this.sms) this.registry.register(this.sms);
    if (this.email) this.registry.register(this.email);
  }
}
