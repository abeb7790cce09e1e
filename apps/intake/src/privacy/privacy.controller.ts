import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentStaff, Roles, type StaffPrincipal } from '@kefu/shared';
import { PrivacyEraseService, type ErasureAnswer } from './privacy-erase.service';
import { PrivacyExportService, type PersonalDataExport } from './privacy-export.service';

const uuid = new ParseUUIDPipe();

/** Owners' PIPL requests, carried out by an admin: a copy of their data (art. 45), its erasure (art. 47). */
@ApiTags('privacy')
@ApiBearerAuth()
@Controller('api/v1/owners')
export class PrivacyController {
  constructor(
    private readonly exports: PrivacyExportService,
    private readonly erasures: PrivacyEraseService,
  ) {}

  @Get(':id/personal-data')
  @Roles('admin')
  @ApiOperation({ summary: 'Everything held about an owner, as JSON (admin; recorded in privacy_requests)' })
  personalData(@Param('id', uuid) id: string, @CurrentStaff() staff: StaffPrincipal): Promise<PersonalDataExport> {
    return this.exports.export(id, staff.id);
  }

  @Post(':id/erase')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({
    summary:
      "Erase an owner's personal data (admin): contact details everywhere; what the records rules still require is kept without them. The answer lists what was erased and what was kept and why",
  })
  erase(@Param('id', uuid) id: string, @CurrentStaff() staff: StaffPrincipal): Promise<ErasureAnswer> {
    return this.erasures.erase(id, staff.id);
  }
}
