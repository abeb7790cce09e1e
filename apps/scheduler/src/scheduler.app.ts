import type { AppDefinition } from '@kefu/shared';
import { SchedulerModule } from './scheduler.module';

export const schedulerApp: AppDefinition = {
  name: 'scheduler',
  title: 'Kefu scheduler',
  description:
    'Working-day deadlines, staff reminders that are acknowledged and escalate, warranty-expiry and certificate-collection notices.',
  module: (config) => SchedulerModule.forRoot(config),
};
