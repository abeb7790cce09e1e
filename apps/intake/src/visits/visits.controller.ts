import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { z } from 'zod';
import { CurrentStaff, jsonSchema, Roles, ZodValidationPipe, type StaffPrincipal } from '@kefu/shared';
import {
  figuresQuerySchema,
  idParamSchema,
  listQuerySchema,
  recordSchema,
  type FiguresQuery,
  type ListQuery,
  type RecordDto,
} from './visits.dto';
import { VisitFiguresService, type VisitFigures } from './visit-figures.service';
import { VisitsService } from './visits.service';

/** Customer-service staff who visit owners, and the managers above them. */
const visiting = ['cs_rep', 'dept_manager', 'vice_gm', 'gm'] as const;

/** Owner visits (002 §7.5.2): due visits, records, figures. The plans themselves: the scheduler's /api/v1/visit-plans. */
@ApiTags('visits')
@ApiBearerAuth()
@Controller('api/v1/visits')
@Roles(...visiting)
export class VisitsController {
  constructor(
    private readonly visits: VisitsService,
    private readonly figuresService: VisitFiguresService,
  ) {}

  @Get()
  @ApiOperation({
    summary:
      'Planned visits: state=due (default; overdue included) | overdue | upcoming | done | ended | all; scope=mine (default) | all; projectId, staffId, year',
  })
  list(@Query(new ZodValidationPipe(listQuerySchema)) q: ListQuery, @CurrentStaff() me: StaffPrincipal) {
    return this.visits.list(q, me);
  }

  @Get('figures')
  @ApiOperation({
    summary:
      'Plan coverage (owners planned / current owners) and completion (done on time / due) per estate and per member of staff; format=csv for Excel',
  })
  @ApiProduces('application/json', 'text/csv')
  async figures(
    @Query(new ZodValidationPipe(figuresQuerySchema)) q: FiguresQuery,
    @Res({ passthrough: true }) res: Response,
  ): Promise<{ year: number; asOf: string; rows: VisitFigures[] } | string> {
    const f = await this.figuresService.figures(q.year, q.projectId);
    if (q.format === 'json') return f;
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="visit-figures-${f.year}.csv"`);
    return this.figuresService.csv(f);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A planned visit with its records' })
  get(@Param(new ZodValidationPipe(idParamSchema)) p: z.output<typeof idParamSchema>) {
    return this.visits.get(p.id);
  }

  @Post(':id/records')
  @ApiOperation({
    summary:
      '客户访问记录单: who, when, how (phone / home / office / group / other), topics, notes, outcome, an optional follow-up case. Completes the planned visit unless the owner was not reached',
  })
  @ApiBody({ schema: jsonSchema(recordSchema) })
  record(
    @Param(new ZodValidationPipe(idParamSchema)) p: z.output<typeof idParamSchema>,
    @Body(new ZodValidationPipe(recordSchema)) dto: RecordDto,
    @CurrentStaff() me: StaffPrincipal,
  ) {
    return this.visits.record(p.id, dto, me);
  }
}
