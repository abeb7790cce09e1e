import { Body, Controller, Get, Headers, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import {
  AppException,
  CurrentStaff,
  jsonSchema,
  Roles,
  ZodValidationPipe,
  type StaffPrincipal,
  TextBody,
  CSV_UPLOAD_MAX_BYTES,
} from '@kefu/shared';
import { logCallSchema, type LogCallDto } from './hotline.dto';
import { HotlineService, type CallerLookup, type CdrImportReport, type LoggedCall } from './hotline.service';

@ApiTags('hotline')
@ApiBearerAuth()
@Controller('api/v1/hotline')
export class HotlineController {
  constructor(private readonly hotline: HotlineService) {}

  @Post('calls')
  @Roles('operator', 'cs_rep')
  @ApiOperation({ summary: 'Log a call as a case; the answer carries the sentence to read back to the caller' })
  @ApiBody({ schema: jsonSchema(logCallSchema) })
  async logCall(
    @Body(new ZodValidationPipe(logCallSchema)) dto: LogCallDto,
    @CurrentStaff() staff: StaffPrincipal,
    @Res({ passthrough: true }) res: Response,
  ): Promise<LoggedCall> {
    const result = await this.hotline.logCall(dto, staff);
    res.status(result.created ? 201 : 200);
    return result;
  }

  @Get('callers/:number')
  @Roles('operator', 'cs_rep', 'dept_manager')
  @ApiOperation({ summary: 'Who is calling: matching owners, their units and open cases' })
  lookup(@Param('number') number: string): Promise<CallerLookup> {
    return this.hotline.lookup(number);
  }

  @Post('cdr-imports')
  @HttpCode(200)
  @Roles('operator', 'cs_rep')
  @ApiConsumes('text/csv')
  @TextBody(CSV_UPLOAD_MAX_BYTES)
  @ApiOperation({
    summary:
      "Import the phone system's Master.csv: missed and voicemail calls become callback cases; a re-import creates nothing twice",
  })
  importCdr(
    @Body() body: unknown,
    @Headers('content-type') type: string | undefined,
    @CurrentStaff() staff: StaffPrincipal,
  ): Promise<CdrImportReport> {
    if (typeof body !== 'string' || !/^text\/(csv|plain)/.test(type ?? '')) {
      throw new AppException('bad_request', 'Send the CDR file as the request body with Content-Type: text/csv.');
    }
    return this.hotline.importCdr(body, staff);
  }
}
