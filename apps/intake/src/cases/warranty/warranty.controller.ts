import { Body, Controller, Param, ParseUUIDPipe, Patch } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentStaff, jsonSchema, Roles, ZodValidationPipe, type StaffPrincipal } from '@kefu/shared';
import { warrantyOverrideSchema, type WarrantyOverride } from './warranty.dto';
import { WarrantyOverrideService, type CaseWarranty } from './warranty-override.service';

const handlers = ['cs_rep', 'dept_manager', 'vice_gm', 'gm'] as const;

@ApiTags('cases')
@ApiBearerAuth()
@Controller('api/v1/cases')
export class WarrantyController {
  constructor(private readonly warranty: WarrantyOverrideService) {}

  @Patch(':id/warranty')
  @Roles(...handlers)
  @ApiOperation({
    summary:
      '保修判定: correct the warranty standing decided at intake (in_warranty, out_of_warranty, unknown) with a reason; event warranty_overridden',
  })
  @ApiBody({ schema: jsonSchema(warrantyOverrideSchema) })
  override(
    @Param('id', new ParseUUIDPipe()) caseId: string,
    @Body(new ZodValidationPipe(warrantyOverrideSchema)) b: WarrantyOverride,
    @CurrentStaff() s: StaffPrincipal,
  ): Promise<CaseWarranty> {
    return this.warranty.override(caseId, b, s);
  }
}
