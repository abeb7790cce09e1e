import { Module, type DynamicModule } from '@nestjs/common';
import { CoreModule, type AppConfig } from '@kefu/shared';
import { CalendarApiModule } from './calendar/calendar.module';

@Module({})
export class SchedulerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return { module: SchedulerModule, imports: [CoreModule.forRoot('scheduler', config), CalendarApiModule] };
  }
}
