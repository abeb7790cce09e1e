import { Body, Controller, Get, Param, ParseUUIDPipe, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { CurrentStaff, jsonSchema, Roles, ZodValidationPipe, type StaffPrincipal } from '@kefu/shared';
import {
  onDutyQuerySchema,
  putResponsibilitiesSchema,
  putRosterSchema,
  rosterQuerySchema,
  type PutResponsibilitiesDto,
  type PutRosterDto,
} from './routing.dto';
import { RoutingService } from './routing.service';

const managers = ['dept_manager', 'vice_gm', 'gm'] as const; // and admin (the guard lets admin through)

@ApiTags('routing')
@ApiBearerAuth()
@Controller('api/v1/routing')
export class RoutingController {
  constructor(private readonly routing: RoutingService) {}

  @Get('responsibilities')
  @Roles(...managers)
  @ApiOperation({
    summary: 'Which department answers for each category of case, per estate or in any estate; the CS department',
  })
  responsibilities() {
    return this.routing.responsibilities();
  }

  @Put('responsibilities')
  @Roles(...managers)
  @ApiOperation({
    summary:
      'Replace every responsibility rule and the customer-service department (an estate rule beats the any-estate one)',
  })
  @ApiBody({ schema: jsonSchema(putResponsibilitiesSchema) })
  putResponsibilities(
    @Body(new ZodValidationPipe(putResponsibilitiesSchema)) dto: PutResponsibilitiesDto,
    @CurrentStaff() by: StaffPrincipal,
  ) {
    return this.routing.putResponsibilities(dto, by);
  }

  @Get('roster')
  @Roles(...managers)
  @ApiOperation({ summary: 'Duty rosters (by weekday or date), of one department or all' })
  roster(@Query(new ZodValidationPipe(rosterQuerySchema)) q: z.output<typeof rosterQuerySchema>) {
    return this.routing.roster(q.departmentId);
  }

  @Put('roster/:departmentId')
  @Roles(...managers)
  @ApiOperation({ summary: "Replace a department's duty roster; each entry a weekday (1 = Monday) or a date" })
  @ApiBody({ schema: jsonSchema(putRosterSchema) })
  putRoster(
    @Param('departmentId', new ParseUUIDPipe()) departmentId: string,
    @Body(new ZodValidationPipe(putRosterSchema)) dto: PutRosterDto,
    @CurrentStaff() by: StaffPrincipal,
  ) {
    return this.routing.putRoster(departmentId, dto, by);
  }

  @Get('on-duty')
  @ApiOperation({ summary: 'Who each department hands a new case to on a day (default today): duty person or manager' })
  onDuty(@Query(new ZodValidationPipe(onDutyQuerySchema)) q: z.output<typeof onDutyQuerySchema>) {
    return this.routing.onDuty(q.day);
  }
}
