import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { jsonSchema, Roles, ZodValidationPipe } from '@kefu/shared';
import {
  planParamSchema,
  projectParamSchema,
  setStaffSchema,
  yearQuerySchema,
  type SetStaffDto,
  type YearQuery,
} from './visit-plans.dto';
import { VisitPlanService, type VisitPlanView } from './visit-plan.service';
import type { VisitPlanResult } from './visit-plan';

const managers = ['dept_manager', 'vice_gm', 'gm'] as const;

/** The estates' yearly visit plans (002 §7.5.2, 004 篇3 §4.13); the visits themselves are intake's /api/v1/visits. */
@ApiTags('visits')
@ApiBearerAuth()
@Controller('api/v1/visit-plans')
export class VisitPlansController {
  constructor(private readonly plans: VisitPlanService) {}

  @Get()
  @Roles('cs_rep', ...managers)
  @ApiOperation({
    summary: "Every estate: its visiting staff and the year's plan (households, planned, visits by status)",
  })
  list(@Query(new ZodValidationPipe(yearQuerySchema)) q: YearQuery): Promise<VisitPlanView[]> {
    return this.plans.list(q.year ?? Number(this.plans.today().slice(0, 4)));
  }

  @Put(':projectId/staff')
  @Roles(...managers)
  @ApiOperation({
    summary:
      "Names the staff (cs_rep, dept_manager) who visit the estate's owners, in order, and brings this year's plan up to date: households are split evenly among them",
  })
  @ApiBody({ schema: jsonSchema(setStaffSchema) })
  setStaff(
    @Param(new ZodValidationPipe(projectParamSchema)) p: z.output<typeof projectParamSchema>,
    @Body(new ZodValidationPipe(setStaffSchema)) dto: SetStaffDto,
  ): Promise<VisitPlanResult> {
    return this.plans.setStaff(p.projectId, dto.staffIds);
  }

  @Post(':projectId/:year/generate')
  @HttpCode(200)
  @Roles(...managers)
  @ApiOperation({
    summary: "Brings the estate's plan for this year or the next up to date now (the scheduler also does so nightly)",
  })
  generate(
    @Param(new ZodValidationPipe(planParamSchema)) p: z.output<typeof planParamSchema>,
  ): Promise<VisitPlanResult> {
    return this.plans.generate(p.projectId, p.year);
  }
}
