import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import {
  addMonths,
  APP_CONFIG,
  AppException,
  CLOCK,
  excelCsv,
  lifeStageNames,
  OWNER_SURVEY_CODE,
  responseTargetMet,
  sharePercent,
  surveyFiguresSql,
  unitLabelSql,
  zonedParts,
  type AppConfig,
  type Clock,
  type LifeStage,
} from '@kefu/shared';
import type { AnswersQuery, FiguresQuery, QuestionnaireBody, RoundsQuery } from './surveys.dto';

interface CountsRow {
  invited: number;
  respondents: number;
  satisfied: number;
  loyal: number;
}

/** A PUBLISH_WITHIN_DAYS-day deadline for a round's report, from when its last link closes (WHVK-QP-16-03: 回收后30天内公布). */
const PUBLISH_WITHIN_DAYS = 30;

/**
 * What staff read of the surveys: the rounds with their response rate against the target, each answer, and the
 * satisfaction and loyalty figures (001 §3, computed by surveyFiguresSql: the same rule as surveyFigures) by estate,
 * life stage or month, as JSON and as CSV.
 */
@Injectable()
export class SurveyReportsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private counts(r: CountsRow) {
    const target = this.config.SURVEY_RESPONSE_TARGET_PERCENT;
    const responseRate = sharePercent(r.respondents, r.invited);
    return {
      invited: r.invited,
      respondents: r.respondents,
      responseRate,
      responseTarget: target,
      targetMet: responseTargetMet(r.respondents, r.invited, target),
      satisfied: r.satisfied,
      loyal: r.loyal,
      satisfaction: sharePercent(r.satisfied, r.respondents),
      loyalty: sharePercent(r.loyal, r.respondents),
    };
  }

  async rounds(q: RoundsQuery) {
    const rows = await this.ds.query<
      Array<
        CountsRow & {
          id: string;
          month: string;
          project_id: string;
          project_name: string;
          closes_at: Date;
          reminded: number;
        }
      >
    >(
      `SELECT r.id, to_char(r.month, 'YYYY-MM') AS month, r.project_id, p.name AS project_name,
              count(si.id)::int AS invited, count(si.reminded_at)::int AS reminded, max(si.expires_at) AS closes_at,
              ${surveyFiguresSql('a')}
         FROM survey_rounds r
         JOIN projects p ON p.id = r.project_id
         JOIN survey_invitations si ON si.round_id = r.id
         LEFT JOIN survey_answers a ON a.invitation_id = si.id
        WHERE ($1::uuid IS NULL OR r.project_id = $1)
        GROUP BY r.id, p.name
        ORDER BY r.month DESC, p.name
        LIMIT 240`,
      [q.projectId ?? null],
    );
    const now = this.clock.now().getTime();
    return {
      rounds: rows.map((r) => ({
        id: r.id,
        month: r.month,
        projectId: r.project_id,
        projectName: r.project_name,
        reminded: r.reminded,
        closesAt: new Date(r.closes_at).toISOString(),
        open: new Date(r.closes_at).getTime() > now,
        publishBy: new Date(new Date(r.closes_at).getTime() + PUBLISH_WITHIN_DAYS * 86_400_000).toISOString(),
        ...this.counts(r),
      })),
    };
  }

  async answers(q: AnswersQuery, answerId: string | null = null) {
    const rows = await this.ds.query<
      Array<{
        id: string;
        created_at: Date;
        via: string;
        overall: number;
        buy_again: number;
        recommend: number;
        scores: Record<string, number>;
        texts: Record<string, string>;
        case_id: string | null;
        case_number: string | null;
        owner_name: string;
        project_name: string;
        unit_label: string;
        life_stage: LifeStage;
        occasion: string;
        round_id: string;
        round_month: string;
      }>
    >(
      `SELECT a.id, a.created_at, a.via, a.overall, a.buy_again, a.recommend, a.scores, a.texts, a.case_id,
              c.number AS case_number, o.name AS owner_name, p.name AS project_name, ${unitLabelSql('u', 'b')} AS unit_label,
              si.life_stage, si.occasion, si.round_id, to_char(r.month, 'YYYY-MM') AS round_month
         FROM survey_answers a
         JOIN survey_invitations si ON si.id = a.invitation_id
         JOIN survey_rounds r ON r.id = si.round_id
         JOIN owners o ON o.id = si.owner_id
         JOIN projects p ON p.id = si.project_id
         JOIN units u ON u.id = si.unit_id JOIN buildings b ON b.id = u.building_id
         LEFT JOIN cases c ON c.id = a.case_id
        WHERE ($1::uuid IS NULL OR si.round_id = $1) AND ($2::uuid IS NULL OR si.project_id = $2)
          AND ($3::int IS NULL OR a.overall <= $3) AND ($5::uuid IS NULL OR a.id = $5)
        ORDER BY a.created_at DESC, a.id
        LIMIT $4`,
      [q.roundId ?? null, q.projectId ?? null, q.maxOverall ?? null, q.limit, answerId],
    );
    return {
      answers: rows.map((r) => ({
        id: r.id,
        answeredAt: new Date(r.created_at).toISOString(),
        via: r.via,
        ownerName: r.owner_name,
        projectName: r.project_name,
        unitLabel: r.unit_label,
        lifeStage: r.life_stage,
        lifeStageName: lifeStageNames[r.life_stage],
        occasion: r.occasion,
        roundId: r.round_id,
        roundMonth: r.round_month,
        overall: r.overall,
        buyAgain: r.buy_again,
        recommend: r.recommend,
        scores: r.scores,
        texts: r.texts,
        caseId: r.case_id,
        caseNumber: r.case_number,
      })),
    };
  }

  /** One answer with its questionnaire version's questions, so each score is shown with the question it answered. */
  async answer(id: string) {
    const [row] = await this.ds.query<Array<{ questions: unknown; version: number; title: string }>>(
      `SELECT q.questions, q.version, q.title FROM survey_answers a JOIN survey_questionnaires q ON q.id = a.questionnaire_id
        WHERE a.id = $1`,
      [id],
    );
    if (!row) throw new AppException('not_found', 'No such survey answer');
    const { answers } = await this.answers({ limit: 1 }, id);
    return { ...answers[0]!, questionnaire: { title: row.title, version: row.version, questions: row.questions } };
  }

  async figures(q: FiguresQuery) {
    const tz = this.config.BUSINESS_TIME_ZONE;
    const thisMonth = zonedParts(this.clock.now(), tz).day.slice(0, 7);
    const to = q.to ?? thisMonth;
    const from = q.from ?? addMonths(`${to}-01`, -11).slice(0, 7);
    if (from > to)
      throw new AppException('validation_failed', 'Invalid input: from', {
        fields: [{ field: 'from', message: 'must not be after to' }],
      });
    const group = {
      estate: { key: 'si.project_id::text', label: 'p.name' },
      life_stage: { key: 'si.life_stage', label: 'si.life_stage' },
      month: { key: `to_char(r.month, 'YYYY-MM')`, label: `to_char(r.month, 'YYYY-MM')` },
    }[q.by];
    const rows = await this.ds.query<Array<CountsRow & { key: string | null; label: string | null }>>(
      `SELECT ${group.key} AS key, ${group.label} AS label, count(si.id)::int AS invited, ${surveyFiguresSql('a')}
         FROM survey_invitations si
         JOIN survey_rounds r ON r.id = si.round_id
         JOIN projects p ON p.id = si.project_id
         LEFT JOIN survey_answers a ON a.invitation_id = si.id
        WHERE r.month BETWEEN ($1 || '-01')::date AND ($2 || '-01')::date AND ($3::uuid IS NULL OR si.project_id = $3)
        GROUP BY GROUPING SETS ((${group.key}, ${group.label}), ())
        ORDER BY 1 NULLS LAST`,
      [from, to, q.projectId ?? null],
    );
    const label = (r: { label: string | null }) =>
      q.by === 'life_stage' ? (lifeStageNames[r.label as LifeStage] ?? r.label) : r.label;
    const total = rows.find((r) => r.key === null);
    return {
      by: q.by,
      from,
      to,
      projectId: q.projectId ?? null,
      total: this.counts(total ?? { invited: 0, respondents: 0, satisfied: 0, loyal: 0 }),
      rows: rows.filter((r) => r.key !== null).map((r) => ({ key: r.key, label: label(r), ...this.counts(r) })),
    };
  }

  async figuresCsv(q: FiguresQuery): Promise<string> {
    const f = await this.figures(q);
    const head = { estate: '楼盘', life_stage: '业主阶段', month: '月份' }[f.by];
    const line = (label: string | null, c: ReturnType<SurveyReportsService['counts']>) => [
      label,
      c.invited,
      c.respondents,
      c.responseRate,
      c.satisfied,
      c.satisfaction,
      c.loyal,
      c.loyalty,
    ];
    return excelCsv([
      [head, '邀请数', '回收数', '回收率%', '满意人数', '满意度%', '忠诚人数', '忠诚度%'],
      ...f.rows.map((r) => line(r.label, r)),
      line('合计', f.total),
    ]);
  }

  async questionnaires() {
    const rows = await this.ds.query<
      Array<{ id: string; code: string; version: number; title: string; questions: unknown; created_at: Date }>
    >(`SELECT id, code, version, title, questions, created_at FROM survey_questionnaires ORDER BY code, version DESC`);
    return {
      questionnaires: rows.map((r) => ({
        id: r.id,
        code: r.code,
        version: r.version,
        title: r.title,
        questions: r.questions,
        createdAt: new Date(r.created_at).toISOString(),
      })),
    };
  }

  /** A new version of the owners' questionnaire: invitations made from now on ask it; earlier ones keep theirs. */
  async addQuestionnaire(body: QuestionnaireBody, staffId: string) {
    const [row] = await this.ds.query<Array<{ id: string; version: number }>>(
      `INSERT INTO survey_questionnaires (code, version, title, questions, created_by_id)
       SELECT $1::varchar, COALESCE(max(version), 0) + 1, $2, $3::jsonb, $4 FROM survey_questionnaires WHERE code = $1::varchar
       RETURNING id, version`,
      [OWNER_SURVEY_CODE, body.title, JSON.stringify(body.questions), staffId],
    );
    return { id: row!.id, code: OWNER_SURVEY_CODE, version: row!.version };
  }
}
