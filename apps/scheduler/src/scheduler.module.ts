import { Module, type DynamicModule } from '@nestjs/common';
import { CoreModule, type AppConfig } from '@kefu/shared';
import { SchedulerJobsModule } from './jobs/scheduler.worker';
import { CalendarApiModule } from './calendar/calendar.module';
import { RemindersModule } from './reminders/reminders.module';
import { WarrantyModule } from './warranty/warranty.module';
import { CertificateModule } from './certificates/certificate.module';
import { RetentionModule } from './retention/retention.module';
import { VisitsModule } from './visits/visits.module';
import { SurveysModule } from './surveys/surveys.module';
import { CaseSearchIndexModule } from './case-library/case-library.module';
import { ReportsModule } from './reports/reports.module';

@Module({})
export class SchedulerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: SchedulerModule,
      imports: [
        CoreModule.forRoot('scheduler', config),
        SchedulerJobsModule,
        CalendarApiModule,
        RemindersModule,
        WarrantyModule,
        CertificateModule,
        RetentionModule,
        VisitsModule,
        SurveysModule,
        CaseSearchIndexModule,
        ReportsModule,
      ],
    };
  }
}
