import { Module } from '@nestjs/common';
import { FiledReportsController } from './filed-reports.controller';
import { FiledReportsService } from './filed-reports.service';
import { ReportsController } from './reports.controller';
import { ReportsService } from './reports.service';

@Module({ controllers: [ReportsController, FiledReportsController], providers: [ReportsService, FiledReportsService] })
export class ReportsModule {}
