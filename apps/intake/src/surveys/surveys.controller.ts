import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentStaff, Roles, ZodValidationPipe, type StaffPrincipal } from '@kefu/shared';
import { SurveyAnswersService } from './survey-answers.service';
import { SurveyCaseService } from './survey-case.service';
import { SurveyReportsService } from './survey-reports.service';
import {
  answersSchema,
  figuresSchema,
  openCaseSchema,
  questionnaireSchema,
  roundsSchema,
  type AnswersQuery,
  type FiguresQuery,
  type OpenCaseBody,
  type QuestionnaireBody,
  type RoundsQuery,
} from './surveys.dto';

const uuid = new ParseUUIDPipe();

/** Owner satisfaction surveys for staff (001 客户满意度管理程序): rounds, answers, figures, questionnaire versions. */
@ApiTags('surveys')
@ApiBearerAuth()
@Controller('api/v1/surveys')
@Roles('cs_rep', 'dept_manager', 'vice_gm', 'gm')
export class SurveysController {
  constructor(
    private readonly reports: SurveyReportsService,
    private readonly answers: SurveyAnswersService,
    private readonly cases: SurveyCaseService,
  ) {}

  @Get('rounds')
  @ApiOperation({
    summary:
      'Survey rounds (an estate’s invitations due in a month): invited, answered, response rate against the target, reminders, satisfaction and loyalty, when the round closes and its report is due',
  })
  rounds(@Query(new ZodValidationPipe(roundsSchema)) q: RoundsQuery) {
    return this.reports.rounds(q);
  }

  @Get('answers')
  @ApiOperation({ summary: 'Answers, newest first; maxOverall=2 lists the low scores' })
  list(@Query(new ZodValidationPipe(answersSchema)) q: AnswersQuery) {
    return this.reports.answers(q);
  }

  @Get('answers/:id')
  @ApiOperation({ summary: 'One answer with the questions of the questionnaire version it answered' })
  one(@Param('id', uuid) id: string) {
    return this.reports.answer(id);
  }

  @Post('answers/:id/case')
  @ApiOperation({
    summary:
      'Open a case from an answer (routed and given deadlines like any case); once per answer — a second call returns the same case',
  })
  openCase(
    @Param('id', uuid) id: string,
    @Body(new ZodValidationPipe(openCaseSchema)) body: OpenCaseBody,
    @CurrentStaff() staff: StaffPrincipal,
  ) {
    return this.cases.open(id, body, staff);
  }

  @Post('invitations/:id/answers')
  @ApiOperation({
    summary:
      'Record a returned paper form (EMS letter): { <questionId>: 1–5 or text }; 400 names each missing or bad question, 409 if already answered',
  })
  paper(@Param('id', uuid) id: string, @Body() body: Record<string, unknown>, @CurrentStaff() staff: StaffPrincipal) {
    return this.answers.recordPaper(id, body ?? {}, staff.id);
  }

  @Get('figures')
  @ApiOperation({
    summary:
      'Satisfaction (share of 4s and 5s on overall) and loyalty (≥ 4 on overall, buy again and recommend) by estate, life stage or month of the round, with response rates',
  })
  figures(@Query(new ZodValidationPipe(figuresSchema)) q: FiguresQuery) {
    return this.reports.figures(q);
  }

  @Get('figures.csv')
  @ApiOperation({ summary: 'The same figures as CSV for Excel' })
  @ApiProduces('text/csv')
  async figuresCsv(
    @Query(new ZodValidationPipe(figuresSchema)) q: FiguresQuery,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="survey-figures-${q.by}.csv"`);
    return this.reports.figuresCsv(q);
  }

  @Get('questionnaires')
  @ApiOperation({ summary: 'Questionnaire versions, newest first' })
  questionnaires() {
    return this.reports.questionnaires();
  }

  @Post('questionnaires')
  @Roles('dept_manager', 'vice_gm', 'gm')
  @ApiOperation({
    summary:
      'A new version of the owners’ questionnaire (the questions overall, buy_again and recommend are required); invitations made from now on ask it',
  })
  addQuestionnaire(
    @Body(new ZodValidationPipe(questionnaireSchema)) body: QuestionnaireBody,
    @CurrentStaff() staff: StaffPrincipal,
  ) {
    return this.reports.addQuestionnaire(body, staff.id);
  }
}
