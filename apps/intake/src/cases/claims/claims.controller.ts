import { Body, Controller, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentStaff, jsonSchema, Roles, ZodValidationPipe, type StaffPrincipal } from '@kefu/shared';
import { claimStepSchema, type ClaimStep } from './claim.dto';
import { ClaimsService, type ClaimReport } from './claims.service';

const handlers = ['cs_rep', 'dept_manager', 'vice_gm', 'gm'] as const;
const uuid = new ParseUUIDPipe();

@ApiTags('cases')
@ApiBearerAuth()
@Controller('api/v1/cases')
export class ClaimsController {
  constructor(private readonly claims: ClaimsService) {}

  @Get(':id/claim')
  @ApiOperation({
    summary:
      '赔偿报告: where a claim stands — responsibility, the proposal on the table, legal opinion, customer agreement, approval, charge-backs — and what is missing before its result',
  })
  report(@Param('id', uuid) caseId: string): Promise<ClaimReport> {
    return this.claims.get(caseId);
  }

  @Post(':id/claim-steps')
  @Roles(...handlers)
  @ApiOperation({
    summary:
      '索赔: record a step (responsibility, proposal, legal_review, owner_agreement, approval — vice GM or GM —, charge_back)',
  })
  @ApiBody({ schema: jsonSchema(claimStepSchema) })
  record(
    @Param('id', uuid) caseId: string,
    @Body(new ZodValidationPipe(claimStepSchema)) b: ClaimStep,
    @CurrentStaff() s: StaffPrincipal,
  ): Promise<ClaimReport> {
    return this.claims.record(caseId, b, s);
  }
}
