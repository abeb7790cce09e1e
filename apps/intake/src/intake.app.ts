import type { AppDefinition } from '@kefu/shared';
import { apiProxy } from './console/api-proxy';
import { IntakeModule } from './intake.module';

export const intakeApp: AppDefinition = {
  name: 'intake',
  title: 'Kefu intake',
  description:
    'Every channel (hotline, email, fax, web form, suggestion box) into one normalised case; the case API staff work through.',
  module: (config) => IntakeModule.forRoot(config),
  middleware: (app, config) => app.use(apiProxy(config)),
};
