import { Module } from '@nestjs/common';
import { CasesModule } from '../cases/cases.module';
import { WebFormModule } from '../web-form/web-form.module';
import { SurveyAnswersService } from './survey-answers.service';
import { SurveyCaseService } from './survey-case.service';
import { SurveyPageController } from './survey-page.controller';
import { SurveyReportsService } from './survey-reports.service';
import { SurveysController } from './surveys.controller';

/**
 * Owner satisfaction surveys: the public page at /survey/:token (the web form's per-address limits, one instance
 * shared with it) and the staff API at /api/v1/surveys.
 */
@Module({
  imports: [CasesModule, WebFormModule],
  controllers: [SurveyPageController, SurveysController],
  providers: [SurveyAnswersService, SurveyReportsService, SurveyCaseService],
})
export class SurveysModule {}
