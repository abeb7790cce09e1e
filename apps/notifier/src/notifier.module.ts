import { Module, type DynamicModule } from '@nestjs/common';
import { CoreModule, type AppConfig } from '@kefu/shared';
import { NotifierJobsModule } from './jobs/notifier.worker';
import { NotificationsModule } from './notifications/notifications.module';
import { LettersModule } from './letters/letters.module';
import { BouncesModule } from './bounces/bounces.module';
import { NoticesModule } from './notices/notices.module';

@Module({})
export class NotifierModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: NotifierModule,
      imports: [
        CoreModule.forRoot('notifier', config),
        NotifierJobsModule,
        NotificationsModule,
        LettersModule,
        BouncesModule,
        NoticesModule,
      ],
    };
  }
}
