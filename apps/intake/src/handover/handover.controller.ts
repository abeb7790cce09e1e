import { Body, Controller, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentStaff, jsonSchema, Roles, ZodValidationPipe, type StaffPrincipal } from '@kefu/shared';
import { handoverSchema, type HandoverDto } from './handover.dto';
import { HandoverService, type LoggedHandover } from './handover.service';

@ApiTags('cases')
@ApiBearerAuth()
@Controller('api/v1/handovers')
export class HandoverController {
  constructor(private readonly handovers: HandoverService) {}

  @Post()
  @Roles('cs_rep', 'dept_manager', 'vice_gm', 'gm')
  @ApiOperation({
    summary:
      '部门直接受理的投诉 (003 §9.2.4): log a complaint a department received itself, with the time the customer made it; not its own → due at customer service within 1 working day, its own and handled → filed within 2 working days of completion',
  })
  @ApiBody({ schema: jsonSchema(handoverSchema) })
  log(
    @Body(new ZodValidationPipe(handoverSchema)) dto: HandoverDto,
    @CurrentStaff() s: StaffPrincipal,
  ): Promise<LoggedHandover> {
    return this.handovers.log(dto, s);
  }
}
