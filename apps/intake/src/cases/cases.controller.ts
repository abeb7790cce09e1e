import { Body, Controller, Get, HttpCode, Inject, Param, ParseUUIDPipe, Patch, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import {
  APP_CONFIG,
  AppException,
  CurrentStaff,
  jsonSchema,
  maskText,
  Roles,
  ZodValidationPipe,
  type AppConfig,
  type CaseEntity,
  type StaffPrincipal,
} from '@kefu/shared';
import {
  acceptSchema,
  assignSchema,
  closeSchema,
  coordinateSchema,
  escalateSchema,
  handlingPlanSchema,
  listCasesSchema,
  moveReplyDateSchema,
  reclassifySchema,
  rejectSchema,
  replySchema,
  resolveSchema,
  returnVisitSchema,
  siteSurveySchema,
  surveyAppointmentSchema,
  type ListCasesQuery,
} from './case.dto';
import { CaseQueryService, OPERATOR_CONTACT_DAYS, operatorSeesRow, withoutContacts } from './case-query.service';
import { CaseWorkflowService } from './case-workflow.service';

const handlers = ['cs_rep', 'dept_manager', 'vice_gm', 'gm'] as const;
const uuid = new ParseUUIDPipe();

@ApiTags('cases')
@ApiBearerAuth()
@Controller('api/v1/cases')
export class CasesController {
  constructor(
    private readonly query: CaseQueryService,
    private readonly workflow: CaseWorkflowService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @ApiOperation({
    summary:
      'Cases, newest first: filter by status, channel, type, category (comma-separated), estate, assignee, overdue, free text',
  })
  async list(@Query(new ZodValidationPipe(listCasesSchema)) q: ListCasesQuery, @CurrentStaff() s: StaffPrincipal) {
    const page = await this.query.list(q);
    if (s.role !== 'operator') return page;
    // Summaries quote what owners wrote, phone numbers included: an operator reads them of their own phone cases.
    return {
      ...page,
      items: page.items.map((r) => (operatorSeesRow(r) ? r : { ...r, summary: maskText(r.summary) })),
    };
  }

  @Get(':id')
  @ApiOperation({
    summary:
      'One case with its whole timeline, calls, intake records, possible duplicates and the transitions it allows',
  })
  async detail(@Param('id', uuid) caseId: string, @CurrentStaff() s: StaffPrincipal) {
    // The people a case may be assigned to travel with it for those who may assign (a cs_rep cannot list staff).
    const detail = await this.query.detail(caseId, {
      withAssignTargets: s.role === 'admin' || (handlers as readonly string[]).includes(s.role),
    });
    // The rule needs the case's channel and arrival, which the detail already holds.
    if (s.role === 'operator' && !operatorSeesRow(detail.case)) return withoutContacts(detail);
    return detail;
  }

  @Get(':id/attachments/:attachmentId')
  @ApiOperation({
    summary: 'Download an attachment (fax document, photo, mail attachment); always as a download, never rendered',
  })
  async attachment(
    @Param('id', uuid) caseId: string,
    @Param('attachmentId', uuid) attachmentId: string,
    @CurrentStaff() s: StaffPrincipal,
    @Res() res: Response,
  ): Promise<void> {
    if (s.role === 'operator' && !(await this.query.operatorSeesContacts(caseId)))
      throw new AppException(
        'forbidden',
        `Operators open the attachments of phone cases of the last ${OPERATOR_CONTACT_DAYS} days only; ask a customer-service rep.`,
      );
    const a = await this.query.attachment(caseId, attachmentId);
    // Sent as a download with nosniff: an HTML or SVG attachment must never run in the console's origin.
    res.setHeader('Content-Type', a.contentType || 'application/octet-stream');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(a.filename)}`);
    res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
    res.end(a.data);
  }

  @Post(':id/accept')
  @HttpCode(200)
  @Roles(...handlers)
  @ApiOperation({ summary: '受理: accept as a valid case' })
  @ApiBody({ schema: jsonSchema(acceptSchema) })
  accept(
    @Param('id', uuid) caseId: string,
    @Body(new ZodValidationPipe(acceptSchema)) b: z.output<typeof acceptSchema>,
    @CurrentStaff() s: StaffPrincipal,
  ): Promise<CaseEntity> {
    return this.workflow.accept(caseId, b, s);
  }

  @Post(':id/reject')
  @HttpCode(200)
  @Roles(...handlers)
  @ApiOperation({ summary: '无效投诉: reject as invalid, with the reason' })
  @ApiBody({ schema: jsonSchema(rejectSchema) })
  reject(
    @Param('id', uuid) caseId: string,
    @Body(new ZodValidationPipe(rejectSchema)) b: z.output<typeof rejectSchema>,
    @CurrentStaff() s: StaffPrincipal,
  ): Promise<CaseEntity> {
    return this.workflow.reject(caseId, b, s);
  }

  @Post(':id/assign')
  @HttpCode(200)
  @Roles(...handlers)
  @ApiOperation({ summary: 'Assign to a department and/or a person' })
  @ApiBody({ schema: jsonSchema(assignSchema) })
  assign(
    @Param('id', uuid) caseId: string,
    @Body(new ZodValidationPipe(assignSchema)) b: z.output<typeof assignSchema>,
    @CurrentStaff() s: StaffPrincipal,
  ): Promise<CaseEntity> {
    return this.workflow.assign(caseId, b, s);
  }

  @Post(':id/reply')
  @HttpCode(200)
  @Roles(...handlers)
  @ApiOperation({ summary: 'Record the reply given to the customer' })
  @ApiBody({ schema: jsonSchema(replySchema) })
  reply(
    @Param('id', uuid) caseId: string,
    @Body(new ZodValidationPipe(replySchema)) b: z.output<typeof replySchema>,
    @CurrentStaff() s: StaffPrincipal,
  ): Promise<CaseEntity> {
    return this.workflow.reply(caseId, b, s);
  }

  @Post(':id/reply-date')
  @HttpCode(200)
  @Roles(...handlers)
  @ApiOperation({
    summary:
      "Move the promised reply date with the customer's agreement (at most twice; a third attempt escalates to the GM)",
  })
  @ApiBody({ schema: jsonSchema(moveReplyDateSchema) })
  moveReplyDate(
    @Param('id', uuid) caseId: string,
    @Body(new ZodValidationPipe(moveReplyDateSchema)) b: z.output<typeof moveReplyDateSchema>,
    @CurrentStaff() s: StaffPrincipal,
  ): Promise<CaseEntity> {
    return this.workflow.moveReplyDate(caseId, b, s, this.config.SLA_POLICY.maxReplyDateMoves);
  }

  @Post(':id/escalate')
  @HttpCode(200)
  @Roles(...handlers)
  @ApiOperation({ summary: 'Escalate one level: staff → department manager → vice GM → GM' })
  @ApiBody({ schema: jsonSchema(escalateSchema) })
  escalate(
    @Param('id', uuid) caseId: string,
    @Body(new ZodValidationPipe(escalateSchema)) b: z.output<typeof escalateSchema>,
    @CurrentStaff() s: StaffPrincipal,
  ): Promise<CaseEntity> {
    return this.workflow.escalate(caseId, b, s);
  }

  @Post(':id/coordinate')
  @HttpCode(200)
  @Roles(...handlers)
  @ApiOperation({
    summary:
      '多部门协调 (002 §7.3.5): a complaint only several departments together can resolve goes straight to the GM, who is told',
  })
  @ApiBody({ schema: jsonSchema(coordinateSchema) })
  coordinate(
    @Param('id', uuid) caseId: string,
    @Body(new ZodValidationPipe(coordinateSchema)) b: z.output<typeof coordinateSchema>,
    @CurrentStaff() s: StaffPrincipal,
  ): Promise<CaseEntity> {
    return this.workflow.coordinate(caseId, b, s);
  }

  @Post(':id/handling-plan')
  @HttpCode(200)
  @Roles(...handlers)
  @ApiOperation({
    summary:
      '处理方案: the responsible department records its analysis and plan (and the stage dates told to the owner); the 1-hour analysis step is done',
  })
  @ApiBody({ schema: jsonSchema(handlingPlanSchema) })
  handlingPlan(
    @Param('id', uuid) caseId: string,
    @Body(new ZodValidationPipe(handlingPlanSchema)) b: z.output<typeof handlingPlanSchema>,
    @CurrentStaff() s: StaffPrincipal,
  ): Promise<CaseEntity> {
    return this.workflow.handlingPlan(caseId, b, s);
  }

  @Post(':id/site-survey')
  @HttpCode(200)
  @Roles(...handlers)
  @ApiOperation({
    summary: "现场查勘: record the repair's site survey (when, what was found); the survey step is done",
  })
  @ApiBody({ schema: jsonSchema(siteSurveySchema) })
  siteSurvey(
    @Param('id', uuid) caseId: string,
    @Body(new ZodValidationPipe(siteSurveySchema)) b: z.output<typeof siteSurveySchema>,
    @CurrentStaff() s: StaffPrincipal,
  ): Promise<CaseEntity> {
    return this.workflow.siteSurvey(caseId, b, s);
  }

  @Post(':id/survey-appointment')
  @HttpCode(200)
  @Roles(...handlers)
  @ApiOperation({ summary: '约定查勘时间: the survey time agreed with the owner becomes the site-survey deadline' })
  @ApiBody({ schema: jsonSchema(surveyAppointmentSchema) })
  surveyAppointment(
    @Param('id', uuid) caseId: string,
    @Body(new ZodValidationPipe(surveyAppointmentSchema)) b: z.output<typeof surveyAppointmentSchema>,
    @CurrentStaff() s: StaffPrincipal,
  ): Promise<CaseEntity> {
    return this.workflow.surveyAppointment(caseId, b, s);
  }

  @Post(':id/result')
  @HttpCode(200)
  @Roles(...handlers)
  @ApiOperation({ summary: 'Record the result of the handling' })
  @ApiBody({ schema: jsonSchema(resolveSchema) })
  resolve(
    @Param('id', uuid) caseId: string,
    @Body(new ZodValidationPipe(resolveSchema)) b: z.output<typeof resolveSchema>,
    @CurrentStaff() s: StaffPrincipal,
  ): Promise<CaseEntity> {
    return this.workflow.resolve(caseId, b, s);
  }

  @Post(':id/return-visit')
  @HttpCode(200)
  @Roles(...handlers)
  @ApiOperation({ summary: '回访: satisfied → ready to close; unsatisfied reopens the case' })
  @ApiBody({ schema: jsonSchema(returnVisitSchema) })
  returnVisit(
    @Param('id', uuid) caseId: string,
    @Body(new ZodValidationPipe(returnVisitSchema)) b: z.output<typeof returnVisitSchema>,
    @CurrentStaff() s: StaffPrincipal,
  ): Promise<CaseEntity> {
    return this.workflow.returnVisit(caseId, b, s);
  }

  @Post(':id/close')
  @HttpCode(200)
  @Roles(...handlers)
  @ApiOperation({ summary: '结案' })
  @ApiBody({ schema: jsonSchema(closeSchema) })
  close(
    @Param('id', uuid) caseId: string,
    @Body(new ZodValidationPipe(closeSchema)) b: z.output<typeof closeSchema>,
    @CurrentStaff() s: StaffPrincipal,
  ): Promise<CaseEntity> {
    return this.workflow.close(caseId, b, s);
  }

  @Patch(':id/classification')
  @Roles(...handlers)
  @ApiOperation({ summary: 'Override type, category or severity; the keyword rules that fired stay recorded' })
  @ApiBody({ schema: jsonSchema(reclassifySchema) })
  reclassify(
    @Param('id', uuid) caseId: string,
    @Body(new ZodValidationPipe(reclassifySchema)) b: z.output<typeof reclassifySchema>,
    @CurrentStaff() s: StaffPrincipal,
  ): Promise<CaseEntity> {
    return this.workflow.reclassify(caseId, b, s);
  }
}
