import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AppException, CLOCK, scaleLabels, surveyQuestionsSchema, type Clock, type StaffPrincipal } from '@kefu/shared';
import { CaseIntakeService } from '../cases/case-intake.service';
import type { OpenCaseBody } from './surveys.dto';

/**
 * A case opened by staff from a survey answer (a low score, a complaint in the comments): through the case intake,
 * so the owner and unit are matched, the case is routed and gets its deadlines like any other. The answer's id is
 * the intake record's external id, so a second click (or two staff at once) makes one case; the answer is linked.
 */
@Injectable()
export class SurveyCaseService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly intake: CaseIntakeService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async open(answerId: string, body: OpenCaseBody, staff: StaffPrincipal) {
    const [a] = await this.ds.query<
      Array<{
        id: string;
        case_id: string | null;
        scores: Record<string, number>;
        texts: Record<string, string>;
        questions: unknown;
        owner_name: string;
        mobiles: string[];
        email: string | null;
        unit_id: string;
        project_id: string;
        title: string;
      }>
    >(
      `SELECT a.id, a.case_id, a.scores, a.texts, q.questions, q.title, o.name AS owner_name, o.mobiles, o.email,
              si.unit_id, si.project_id
         FROM survey_answers a
         JOIN survey_invitations si ON si.id = a.invitation_id
         JOIN survey_questionnaires q ON q.id = a.questionnaire_id
         JOIN owners o ON o.id = si.owner_id
        WHERE a.id = $1`,
      [answerId],
    );
    if (!a) throw new AppException('not_found', 'No such survey answer');
    const questions = surveyQuestionsSchema.parse(a.questions);
    const low = questions
      .filter((q) => q.type === 'scale' && (a.scores[q.id] ?? 5) <= 3)
      .map((q) => `${q.label}：${a.scores[q.id]}分（${scaleLabels[a.scores[q.id]!]}）`);
    const texts = questions.filter((q) => a.texts[q.id]).map((q) => `${q.label}：${a.texts[q.id]}`);
    const description = [
      `来自「${a.title}」的回答。`,
      low.length ? `低分项：${low.join('；')}。` : '',
      ...texts,
      body.note ? `客服备注：${body.note}` : '',
    ]
      .filter(Boolean)
      .join('\n');
    const result = await this.intake.create({
      channel: 'web',
      source: 'survey',
      externalId: `survey-answer:${a.id}`,
      raw: { surveyAnswerId: a.id, openedById: staff.id },
      receivedAt: this.clock.now(),
      reporter: { name: a.owner_name, phones: a.mobiles ?? [], email: a.email },
      description,
      projectId: a.project_id,
      unitId: a.unit_id,
      type: body.type,
      ...(body.category !== undefined ? { category: body.category } : {}),
      actor: { kind: 'staff', id: staff.id, name: staff.name },
    });
    const caseId = result.caseRow.id;
    await this.ds.query(`UPDATE survey_answers SET case_id = $2 WHERE id = $1 AND case_id IS NULL`, [a.id, caseId]);
    return { created: result.created, caseId, caseNumber: result.caseRow.number };
  }
}
