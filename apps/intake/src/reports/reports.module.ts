import { Module } from '@nestjs/common';
import { recurringReportSections } from '@kefu/shared';
import { FiledReportsController } from './filed-reports.controller';
import { FiledReportsService } from './filed-reports.service';
import { ReportsController } from './reports.controller';
import { ReportsService } from './reports.service';

@Module({
  controllers: [ReportsController, FiledReportsController],
  providers: [ReportsService, FiledReportsService, recurringReportSections],
})
export class ReportsModule {}
