import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentStaff, jsonSchema, Roles, ZodValidationPipe, type StaffPrincipal } from '@kefu/shared';
import { putEscalationChainSchema, type PutEscalationChainDto } from './escalation-chain.dto';
import { EscalationChainService, type EscalationChainView } from './escalation-chain.service';

@ApiTags('reminders')
@ApiBearerAuth()
@Controller('api/v1/escalation-chain')
export class EscalationChainController {
  constructor(private readonly chain: EscalationChainService) {}

  @Get()
  @Roles('vice_gm', 'gm') // and admin (the guard lets admin through)
  @ApiOperation({
    summary: 'The escalation chain (002 §7.3.2): its levels in order, each with how its person is found',
  })
  get(): Promise<EscalationChainView> {
    return this.chain.get();
  }

  @Put()
  @Roles('vice_gm', 'gm')
  @ApiOperation({
    summary:
      'Replace the escalation chain: levels in order (first = level 1 above the person responsible, last = the top); ' +
      'each a role (optionally within the case department), a department manager or one staff member. ' +
      'Levels nobody active can fill are accepted with a warning.',
  })
  @ApiBody({ schema: jsonSchema(putEscalationChainSchema) })
  put(
    @Body(new ZodValidationPipe(putEscalationChainSchema)) dto: PutEscalationChainDto,
    @CurrentStaff() by: StaffPrincipal,
  ): Promise<EscalationChainView> {
    return this.chain.put(dto, by);
  }
}
