import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '@kefu/shared';
import { SurveyScanService, type SurveyScanResult } from './survey-scan.service';

/** Managers start the day's survey scan now rather than at the next hourly tick (a new estate, a demo). */
@ApiTags('surveys')
@ApiBearerAuth()
@Controller('api/v1/survey-scan')
@Roles('dept_manager', 'vice_gm', 'gm')
export class SurveyScanController {
  constructor(private readonly scan: SurveyScanService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary:
      "Run the survey scan now: today's invitations (once per owner, unit and occasion) and due reminders; safe to repeat",
  })
  run(): Promise<SurveyScanResult> {
    return this.scan.scan();
  }
}
