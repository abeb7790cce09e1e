import type { AppDefinition } from '@kefu/shared';
import { NotifierModule } from './notifier.module';

export const notifierApp: AppDefinition = {
  name: 'notifier',
  title: 'Kefu notifier',
  description: 'SMS, email and EMS letters to owners and staff, with delivery receipts.',
  module: (config) => NotifierModule.forRoot(config),
};
