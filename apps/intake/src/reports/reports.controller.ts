import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles, ZodValidationPipe } from '@kefu/shared';
import { monthlySchema, openCasesSchema, type MonthlyQuery, type OpenCasesQuery } from './reports.dto';
import { ReportsService } from './reports.service';

/** The manager dashboard's figures (客服月报). Managers only; admin passes every role check. */
@ApiTags('reports')
@ApiBearerAuth()
@Controller('api/v1/reports')
@Roles('dept_manager', 'vice_gm', 'gm')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Get('open-cases')
  @ApiOperation({
    summary:
      'Open cases (not closed or rejected) and overdue ones (promised reply date passed, not yet answered), by category and by estate',
  })
  openCases(@Query(new ZodValidationPipe(openCasesSchema)) q: OpenCasesQuery) {
    return this.reports.openCases(q);
  }

  @Get('monthly')
  @ApiOperation({
    summary:
      '客服月报: valid complaints, closure rate, on-time reply rate, return-visit rate for a month (Asia/Shanghai), by category and estate, with the 6-month trend',
  })
  monthly(@Query(new ZodValidationPipe(monthlySchema)) q: MonthlyQuery) {
    return this.reports.monthly(q);
  }
}
