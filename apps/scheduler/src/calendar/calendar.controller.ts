import { Body, Controller, Delete, Get, HttpCode, Param, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { z } from 'zod';
import {
  addDays,
  AppException,
  CalendarOverrideEntity,
  CalendarService,
  computeDeadline,
  jsonSchema,
  Roles,
  ZodValidationPipe,
  type DayInfo,
} from '@kefu/shared';
import { daysQuerySchema, deadlineQuerySchema, overrideBodySchema, overrideParamSchema } from './calendar.dto';

@ApiTags('calendar')
@ApiBearerAuth()
@Controller('api/v1/calendar')
export class CalendarController {
  constructor(
    private readonly calendars: CalendarService,
    @InjectDataSource() private readonly ds: DataSource,
  ) {}

  @Get('days')
  @ApiOperation({ summary: 'Working days in a range; days beyond the holiday data are flagged provisional' })
  @ApiQuery({ name: 'from', example: '2026-09-28' })
  @ApiQuery({ name: 'to', example: '2026-10-11' })
  async days(@Query(new ZodValidationPipe(daysQuerySchema)) q: z.output<typeof daysQuerySchema>): Promise<DayInfo[]> {
    const calendar = await this.calendars.current();
    const out: DayInfo[] = [];
    for (let d = q.from; d <= q.to; d = addDays(d, 1)) out.push(calendar.dayInfo(d));
    return out;
  }

  @Get('deadline')
  @ApiOperation({ summary: 'A deadline from a start time: e.g. 2 working_days (start day not counted), 24 hours' })
  async deadline(
    @Query(new ZodValidationPipe(deadlineQuerySchema)) q: z.output<typeof deadlineQuerySchema>,
  ): Promise<{ at: string; provisional: boolean }> {
    const calendar = await this.calendars.current();
    if ((q.unit === 'days' || q.unit === 'working_days') && !Number.isInteger(q.amount)) {
      throw new AppException('validation_failed', 'Invalid input: amount', {
        fields: [{ field: 'amount', message: `must be a whole number of ${q.unit}` }],
      });
    }
    const r = computeDeadline(calendar, new Date(q.start), { amount: q.amount, unit: q.unit });
    return { at: r.at.toISOString(), provisional: r.provisional };
  }

  @Get('overrides')
  @ApiOperation({ summary: 'Local corrections to the holiday data' })
  overrides(): Promise<CalendarOverrideEntity[]> {
    return this.ds.getRepository(CalendarOverrideEntity).find({ order: { day: 'ASC' } });
  }

  @Put('overrides/:day')
  @Roles('gm', 'vice_gm')
  @ApiOperation({
    summary:
      "Declare a day a working day or a day off (e.g. next year's make-up days before the data package knows them)",
  })
  @ApiBody({ schema: jsonSchema(overrideBodySchema) })
  async upsert(
    @Param(new ZodValidationPipe(overrideParamSchema)) p: z.output<typeof overrideParamSchema>,
    @Body(new ZodValidationPipe(overrideBodySchema)) body: z.output<typeof overrideBodySchema>,
  ): Promise<DayInfo> {
    await this.ds
      .getRepository(CalendarOverrideEntity)
      .upsert({ day: p.day, kind: body.kind, note: body.note }, ['day']);
    this.calendars.invalidate();
    return (await this.calendars.current()).dayInfo(p.day);
  }

  @Delete('overrides/:day')
  @HttpCode(204)
  @Roles('gm', 'vice_gm')
  @ApiOperation({ summary: 'Remove a local correction' })
  async remove(
    @Param(new ZodValidationPipe(overrideParamSchema)) p: z.output<typeof overrideParamSchema>,
  ): Promise<void> {
    const { affected } = await this.ds.getRepository(CalendarOverrideEntity).delete({ day: p.day });
    if (!affected) throw new AppException('not_found', `There is no override for ${p.day}.`);
    this.calendars.invalidate();
  }
}
