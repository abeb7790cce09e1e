import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import {
  APP_CONFIG,
  AppException,
  CLOCK,
  SurveyLinks,
  surveyQuestionsSchema,
  unitLabelSql,
  type AppConfig,
  type Clock,
  type FieldProblem,
  type SurveyAnswerVia,
  type SurveyQuestion,
} from '@kefu/shared';
import { TEXT_MAX } from './survey.page';

/** An invitation as its page shows it. */
export interface OpenInvitation {
  id: string;
  title: string;
  estateName: string;
  unitLabel: string;
  questionnaireId: string;
  questions: SurveyQuestion[];
}

export type ClosedReason = 'invalid' | 'expired' | 'done';

/** What the owner (or staff keying a paper form) answered: every 5-point score and free text, by question id. */
export interface ParsedAnswer {
  scores: Record<string, number>;
  texts: Record<string, string>;
}

/**
 * Answers to survey invitations: finding the invitation a link is for, checking an answer against its questionnaire
 * version, and recording it once (survey_answers is unique per invitation: a second submit, from the page or staff,
 * records nothing and says so).
 */
@Injectable()
export class SurveyAnswersService {
  readonly links: SurveyLinks;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.links = new SurveyLinks(config.AUTH_TOKEN_SECRET);
  }

  /** The invitation behind a link, if the link is genuine, in time and not yet answered. */
  async openByToken(token: string): Promise<OpenInvitation | ClosedReason> {
    const link = this.links.verify(token);
    if (!link) return 'invalid';
    if (link.expiresAt.getTime() < this.clock.now().getTime()) return 'expired';
    return this.open(link.invitationId);
  }

  /** The invitation, whatever its link's expiry (a paper form may come back later); 'done' once answered. */
  async open(invitationId: string): Promise<OpenInvitation | 'invalid' | 'done'> {
    const [row] = await this.ds.query<
      Array<{
        id: string;
        title: string;
        estate_name: string;
        unit_label: string;
        questionnaire_id: string;
        questions: unknown;
        answered: boolean;
      }>
    >(
      `SELECT si.id, q.title, p.name AS estate_name, ${unitLabelSql('u', 'b')} AS unit_label, q.id AS questionnaire_id,
              q.questions, si.answered_at IS NOT NULL AS answered
         FROM survey_invitations si
         JOIN survey_questionnaires q ON q.id = si.questionnaire_id
         JOIN units u ON u.id = si.unit_id JOIN buildings b ON b.id = u.building_id JOIN projects p ON p.id = si.project_id
        WHERE si.id = $1`,
      [invitationId],
    );
    if (!row) return 'invalid';
    if (row.answered) return 'done';
    return {
      id: row.id,
      title: row.title,
      estateName: row.estate_name,
      unitLabel: row.unit_label,
      questionnaireId: row.questionnaire_id,
      questions: surveyQuestionsSchema.parse(row.questions),
    };
  }

  /** Checks a submitted form against the version's questions: the answer, or the problems by question id. */
  parse(questions: SurveyQuestion[], body: Record<string, unknown>): ParsedAnswer | { errors: Record<string, string> } {
    const errors: Record<string, string> = {};
    const scores: Record<string, number> = {};
    const texts: Record<string, string> = {};
    for (const q of questions) {
      const raw = body[q.id];
      const value = typeof raw === 'string' || typeof raw === 'number' ? String(raw).trim() : '';
      if (q.type === 'scale') {
        if (!value) {
          if (q.required) errors[q.id] = `请为「${q.label}」打分（1 到 5 分）`;
        } else if (!/^[1-5]$/.test(value)) errors[q.id] = `「${q.label}」的分数应为 1 到 5`;
        else scores[q.id] = Number(value);
      } else if (value.length > TEXT_MAX) errors[q.id] = `「${q.label}」请不要超过 ${TEXT_MAX} 字`;
      else if (value) texts[q.id] = value;
      else if (q.required) errors[q.id] = `请填写「${q.label}」`;
    }
    return Object.keys(errors).length ? { errors } : { scores, texts };
  }

  /** Records the answer once; false when the invitation was already answered. */
  async record(
    inv: OpenInvitation,
    a: ParsedAnswer,
    via: SurveyAnswerVia,
    recordedById: string | null = null,
  ): Promise<{ id: string } | null> {
    const now = this.clock.now();
    const rows = await this.ds.query<Array<{ id: string }>>(
      `WITH ins AS (
         INSERT INTO survey_answers (invitation_id, questionnaire_id, overall, buy_again, recommend, scores, texts, via,
                                     recorded_by_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8, $9, $10)
         ON CONFLICT (invitation_id) DO NOTHING
         RETURNING id, invitation_id
       ),
       done AS (UPDATE survey_invitations SET answered_at = $10 WHERE id IN (SELECT invitation_id FROM ins))
       SELECT id FROM ins`,
      [
        inv.id,
        inv.questionnaireId,
        a.scores.overall,
        a.scores.buy_again,
        a.scores.recommend,
        JSON.stringify(a.scores),
        JSON.stringify(a.texts),
        via,
        recordedById,
        now,
      ],
    );
    return rows[0] ?? null;
  }

  /** Staff keying a returned paper form (EMS letter): the same checks; errors name each question. */
  async recordPaper(invitationId: string, body: Record<string, unknown>, staffId: string): Promise<{ id: string }> {
    const inv = await this.open(invitationId);
    if (inv === 'invalid') throw new AppException('not_found', 'No such survey invitation');
    if (inv === 'done') throw new AppException('conflict', 'This invitation has already been answered');
    const parsed = this.parse(inv.questions, body);
    if ('errors' in parsed) {
      const fields: FieldProblem[] = Object.entries(parsed.errors).map(([field, message]) => ({ field, message }));
      throw new AppException('validation_failed', `Invalid input: ${fields.map((f) => f.field).join(', ')}`, {
        fields,
      });
    }
    const saved = await this.record(inv, parsed, 'paper', staffId);
    if (!saved) throw new AppException('conflict', 'This invitation has already been answered');
    return saved;
  }
}
