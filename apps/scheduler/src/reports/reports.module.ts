import { Module } from '@nestjs/common';
import { recurringReportSections } from '@kefu/shared';
import { ReportMailer } from './report-mailer';
import { ReportScheduleService } from './report-schedule.service';

/** Filed reports (002 §7.6, 003 §9.6): generated on the first working day after each period and mailed. */
@Module({ providers: [ReportMailer, ReportScheduleService, recurringReportSections], exports: [ReportScheduleService] })
export class ReportsModule {}
