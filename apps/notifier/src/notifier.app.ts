import type { AppDefinition } from '@kefu/shared';
import { NotifierModule } from './notifier.module';
import { TWILIO_STATUS_PATH, twilioStatusWebhook } from './notifications/twilio-status.webhook';

export const notifierApp: AppDefinition = {
  name: 'notifier',
  title: 'Kefu notifier',
  description: 'SMS, email and EMS letters to owners and staff, with delivery receipts.',
  module: (config) => NotifierModule.forRoot(config),
  middleware: (app, config) => app.use(TWILIO_STATUS_PATH, twilioStatusWebhook(app, config)),
};
