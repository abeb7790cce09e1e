import { Module, type DynamicModule } from '@nestjs/common';
import { CoreModule, type AppConfig } from '@kefu/shared';
import { CasesModule } from './cases/cases.module';
import { ConsoleModule } from './console/console.module';
import { HandoverModule } from './handover/handover.module';
import { HotlineModule } from './hotline/hotline.module';
import { IntakeJobsModule } from './jobs/intake.worker';
import { MailboxModule } from './mailbox/mailbox.module';
import { ReportsModule } from './reports/reports.module';
import { SuggestionBoxModule } from './suggestion-box/suggestion-box.module';
import { WebFormModule } from './web-form/web-form.module';
import { StaffModule } from './staff/staff.module';
import { RoutingModule } from './routing/routing.module';
import { PrivacyModule } from './privacy/privacy.module';
import { VisitsModule } from './visits/visits.module';
import { SurveysModule } from './surveys/surveys.module';
import { NoticesModule } from './notices/notices.module';
import { CaseLibraryModule } from './case-library/case-library.module';

@Module({})
export class IntakeModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: IntakeModule,
      imports: [
        CoreModule.forRoot('intake', config),
        IntakeJobsModule,
        StaffModule,
        RoutingModule,
        CasesModule,
        HotlineModule,
        HandoverModule,
        MailboxModule,
        WebFormModule,
        SuggestionBoxModule,
        ReportsModule,
        ConsoleModule,
        PrivacyModule,
        VisitsModule,
        SurveysModule,
        NoticesModule,
        CaseLibraryModule,
      ],
    };
  }
}
