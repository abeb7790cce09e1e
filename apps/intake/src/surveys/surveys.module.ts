import { Module } from '@nestjs/common';
import { CasesModule } from '../cases/cases.module';
import { WebIpLimits } from '../web-form/ip-limit.service';
import { SurveyAnswersService } from './survey-answers.service';
import { SurveyCaseService } from './survey-case.service';
import { SurveyPageController } from './survey-page.controller';
import { SurveyReportsService } from './survey-reports.service';
import { SurveysController } from './surveys.controller';

/** Owner satisfaction surveys: the public page at /survey/:token and the staff API at /api/v1/surveys. */
@Module({
  imports: [CasesModule],
  controllers: [SurveyPageController, SurveysController],
  providers: [SurveyAnswersService, SurveyReportsService, SurveyCaseService, WebIpLimits],
})
export class SurveysModule {}
