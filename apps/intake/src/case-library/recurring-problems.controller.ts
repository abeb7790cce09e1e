import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { correctiveActionStatuses, CurrentStaff, Roles, ZodValidationPipe, type StaffPrincipal } from '@kefu/shared';
import {
  createActionSchema,
  recurringSchema,
  updateActionSchema,
  type CreateActionBody,
  type UpdateActionBody,
} from './case-library.dto';
import { CorrectiveActionsService } from './corrective-actions.service';

const uuid = new ParseUUIDPipe();
const listSchema = z.object({ status: z.enum(correctiveActionStatuses).optional() });

/** 重复/共性问题 and 整改措施: customer service reads them; managers take and move actions. */
@ApiTags('recurring-problems')
@ApiBearerAuth()
@Controller('api/v1')
export class RecurringProblemsController {
  constructor(private readonly actions: CorrectiveActionsService) {}

  @Get('recurring-problems')
  @Roles('cs_rep', 'dept_manager', 'vice_gm', 'gm')
  @ApiOperation({
    summary:
      'Recurring problems of a month (YYYY-MM): the same unit, building, estate category or problem word repeating across cases and months, with counts, example cases and their corrective actions',
  })
  recurring(@Query(new ZodValidationPipe(recurringSchema)) q: z.output<typeof recurringSchema>) {
    return this.actions.recurring(q.month);
  }

  @Get('corrective-actions')
  @Roles('cs_rep', 'dept_manager', 'vice_gm', 'gm')
  @ApiOperation({ summary: 'Corrective actions, those in force first by due date; filter by status' })
  async list(@Query(new ZodValidationPipe(listSchema)) q: z.output<typeof listSchema>) {
    return { actions: await this.actions.list(q.status) };
  }

  @Post('corrective-actions')
  @Roles('dept_manager', 'vice_gm', 'gm')
  @ApiOperation({
    summary: 'Take a corrective action on a recurring problem: owner department, due date (one in force per problem)',
  })
  create(@Body(new ZodValidationPipe(createActionSchema)) b: CreateActionBody, @CurrentStaff() s: StaffPrincipal) {
    return this.actions.create(b, s);
  }

  @Patch('corrective-actions/:id')
  @Roles('dept_manager', 'vice_gm', 'gm')
  @ApiOperation({ summary: 'Move an action on: status (open, in_progress, done, cancelled), due date, result' })
  update(@Param('id', uuid) id: string, @Body(new ZodValidationPipe(updateActionSchema)) b: UpdateActionBody) {
    return this.actions.update(id, b);
  }
}
