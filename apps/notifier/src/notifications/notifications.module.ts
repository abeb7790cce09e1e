import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@kefu/shared';
import { ChannelRegistry } from '../channels/channel-sender';
import { DeliveryReceiptsService } from './delivery-receipts.service';
import { MessagePreparer } from './message-preparer.service';
import { NotificationDispatcher } from './notification-dispatcher.service';
import { NotificationReconciler } from './notification-reconciler.service';
import { NotificationJobs } from './notifications.jobs';
import { NotificationsController } from './notifications.controller';
import { NotificationsService } from './notifications.service';
import { ProviderRateLimiter } from './rate-limiter';
import { RecipientResolver } from './recipient-resolver';
import { SmtpEmailSender } from './smtp-email.sender';
import { TwilioSmsSender } from './twilio-sms.sender';
import { TwilioWebhookController } from './twilio-webhook.controller';

/**
 * The notifier core: the `notification-requested` handler, SMS (Twilio) and email (SMTP) senders,
 * Twilio status callbacks, reconciling rows stuck in "sending", the due-row sweep and the staff API.
 * Letters register their own sender with the ChannelRegistry (apps/notifier/src/letters).
 */
@Module({
  controllers: [NotificationsController, TwilioWebhookController],
  providers: [
    NotificationDispatcher,
    NotificationReconciler,
    DeliveryReceiptsService,
    NotificationsService,
    ProviderRateLimiter,
    NotificationJobs,
    RecipientResolver,
    MessagePreparer,
    {
      provide: TwilioSmsSender,
      inject: [APP_CONFIG],
      useFactory: (c: AppConfig) => (TwilioSmsSender.configured(c) ? new TwilioSmsSender(c) : null),
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
  ) {}

  onModuleInit(): void {
    if (this.sms) this.registry.register(this.sms);
    if (this.email) this.registry.register(this.email);
  }
}
