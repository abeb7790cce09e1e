import { Module } from '@nestjs/common';
import { SurveyScanController } from './survey-scan.controller';
import { SurveyScanService } from './survey-scan.service';

/** Owner satisfaction surveys (001 客户满意度管理程序): the daily scan that invites owners by life stage and reminds them. */
@Module({
  controllers: [SurveyScanController],
  providers: [SurveyScanService],
  exports: [SurveyScanService],
})
export class SurveysModule {}
