import type { AppDefinition } from '@kefu/shared';
import { NotifierModule } from './notifier.module';
import { serveTwilioStatus } from './notifications/twilio-status.webhook';

export const notifierApp: AppDefinition = {
  name: 'notifier',
  title: 'Kefu notifier',
  description: 'SMS, email and EMS letters to owners and staff, with delivery receipts.',
  module: (config) => NotifierModule.forRoot(config),
  // Twilio's status callbacks are answered by the HTTP server itself, ahead of Express (twilio-status.webhook.ts).
  middleware: (app, config) => serveTwilioStatus(app, config),
};
