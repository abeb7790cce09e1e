import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import {
  addDays,
  APP_CONFIG,
  CLOCK,
  movedInOnSql,
  notificationKeys,
  OnTask,
  OWNER_SURVEY_CODE,
  requestNotifications,
  SurveyLinks,
  surveyOccasions,
  surveyQuestionsSchema,
  unitLabelSql,
  zonedParts,
  type AppConfig,
  type Clock,
  type NotificationRequest,
  type SurveySchedule,
} from '@kefu/shared';

export const SURVEY_SCAN_TASK = 'survey-scan';
const DAY_MS = 86_400_000;

export interface SurveyScanResult {
  /** Days whose due occasions this run handled: (from, through]; null when today was already scanned. */
  from: string | null;
  through: string;
  invitations: number;
  late: number;
  reminders: number;
}

interface NewInvitation {
  id: string;
  owner_id: string;
  expires_at: Date;
  late: boolean;
  estate_name: string;
  unit_label: string;
}

/** The schedule the configuration asks for (SURVEY_* keys; defaults from WHVK-QP-16-03 §5.1). */
export function surveySchedule(c: AppConfig): SurveySchedule {
  return {
    afterContractMonths: c.SURVEY_AFTER_CONTRACT_MONTHS,
    firstAfterMonths: c.SURVEY_FIRST_AFTER_MONTHS,
    yearlyUntilYears: c.SURVEY_YEARLY_UNTIL_YEARS,
    laterEveryYears: c.SURVEY_LATER_EVERY_YEARS,
  };
}

/**
 * The daily survey scan (001 客户满意度管理程序, WHVK-QP-16-03 §5.1). Postgres decides who is due: each current
 * ownership's occasions (after the contract for 准业主, 3 months and yearly after moving in, …) whose day fell in the
 * days since the last successful scan — found by index range scans per occasion (handover per estate, the
 * ownership's start, the recorded move-in), so the cost follows the owners due, not the owners held. One transaction writes the estate's round of the month, the invitations
 * (unique per owner, unit and occasion: a second run or two instances ask nobody twice) and their notifications —
 * SMS, email or EMS letter as the owner prefers, with a signed link to the public page. After downtime the missed
 * days are scanned once, their invitations marked late. Owners who have not answered get one reminder.
 */
@Injectable()
export class SurveyScanService {
  private readonly logger = new Logger(SurveyScanService.name);
  private readonly links: SurveyLinks;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.links = new SurveyLinks(config.AUTH_TOKEN_SECRET);
  }

  // Hourly through the working day: the day's invitations are made once (scan_states); later ticks send reminders
  // as they fall due and catch up a scheduler back from downtime.
  @OnTask('scheduler', SURVEY_SCAN_TASK, (c) => ({ pattern: '0 40 9-20 * * *', tz: c.BUSINESS_TIME_ZONE }))
  async scan(): Promise<SurveyScanResult> {
    const now = this.clock.now();
    const today = zonedParts(now, this.config.BUSINESS_TIME_ZONE).day;
    const result = await this.ds.transaction(async (m) => {
      await m.query(
        `INSERT INTO scan_states (task, scanned_through, last_success_at) VALUES ($1, $2, now()) ON CONFLICT (task) DO NOTHING`,
        [SURVEY_SCAN_TASK, addDays(today, -1)],
      );
      const [state] = await m.query<Array<{ through: string }>>(
        `SELECT to_char(scanned_through, 'YYYY-MM-DD') AS through FROM scan_states WHERE task = $1 FOR UPDATE`,
        [SURVEY_SCAN_TASK],
      );
      const from = state!.through < today ? state!.through : null;
      const out: SurveyScanResult = { from, through: today, invitations: 0, late: 0, reminders: 0 };
      if (from) {
        const made = await this.invite(m, from, today, now);
        out.invitations = made.length;
        out.late = made.filter((i) => i.late).length;
        await m.query(
          `UPDATE scan_states SET scanned_through = GREATEST(scanned_through, $2::date), last_success_at = now() WHERE task = $1`,
          [SURVEY_SCAN_TASK, today],
        );
      }
      out.reminders = await this.remind(m, now);
      return out;
    });
    if (result.invitations || result.reminders) this.logger.log(result, 'survey scan');
    return result;
  }

  /** Invitations for the occasions due in (from, through], with their notifications. */
  private async invite(m: EntityManager, from: string, through: string, now: Date): Promise<NewInvitation[]> {
    const occasions = surveyOccasions(surveySchedule(this.config));
    const [questionnaire] = await m.query<Array<{ id: string; title: string; questions: unknown }>>(
      `SELECT id, title, questions FROM survey_questionnaires WHERE code = $1 ORDER BY version DESC LIMIT 1`,
      [OWNER_SURVEY_CODE],
    );
    if (!questionnaire || !occasions.length) return [];
    const expiresAt = new Date(now.getTime() + this.config.SURVEY_LINK_TTL_DAYS * DAY_MS);
    const made = await m.query<NewInvitation[]>(
      `WITH occ AS (
         SELECT o.*, ($2::date - make_interval(months => o.months))::date - 3 AS lo,
                ($3::date - make_interval(months => o.months))::date + 3 AS hi
         FROM jsonb_to_recordset($1::jsonb) AS o(code text, basis text, months int)
       ),
       -- Ownerships whose start day (move-in or contract) may fall in an occasion's band: the move-in day is the
       -- recorded one, the handover or the ownership's start, so one of the three is in the band (a few days wider
       -- than exact, for month-end clamping; the exact due day is checked below). Index range scans, not all units.
       cand AS (
         SELECT ou.owner_id, ou.unit_id FROM occ CROSS JOIN projects p
         CROSS JOIN LATERAL (SELECT u.id FROM units u WHERE u.project_id = p.id AND u.handover_date BETWEEN occ.lo AND occ.hi OFFSET 0) u
         JOIN owner_units ou ON ou.unit_id = u.id AND ou.until IS NULL
         UNION
         SELECT ou.owner_id, ou.unit_id FROM occ JOIN owner_units ou ON ou.until IS NULL AND ou.since BETWEEN occ.lo AND occ.hi
         UNION
         SELECT ou.owner_id, ou.unit_id FROM occ
         JOIN owner_units ou ON ou.until IS NULL AND ou.moved_in_on IS NOT NULL AND ou.moved_in_on BETWEEN occ.lo AND occ.hi
       ),
       due AS (
         SELECT ou.owner_id, ou.unit_id, u.project_id, occ.code,
                (start.on_day + make_interval(months => occ.months))::date AS due_on, start.moved_in
         FROM cand
         JOIN owner_units ou ON ou.owner_id = cand.owner_id AND ou.unit_id = cand.unit_id AND ou.until IS NULL
         JOIN units u ON u.id = ou.unit_id
         -- an owner whose data was erased (PIPL) is asked nothing more
         JOIN owners o ON o.id = ou.owner_id AND o.erased_at IS NULL
         CROSS JOIN occ
         CROSS JOIN LATERAL (
           SELECT ${movedInOnSql('ou', 'u')} AS moved_in,
                  CASE WHEN occ.basis = 'move_in' THEN ${movedInOnSql('ou', 'u')}
                       WHEN u.handover_date IS NULL OR ou.since < u.handover_date THEN ou.since END AS on_day
         ) start
         WHERE start.on_day IS NOT NULL
       ),
       due_now AS (SELECT * FROM due WHERE due_on > $2::date AND due_on <= $3::date),
       rounds AS (
         INSERT INTO survey_rounds (project_id, month)
         SELECT DISTINCT project_id, date_trunc('month', due_on)::date FROM due_now
         ON CONFLICT (project_id, month) DO UPDATE SET month = EXCLUDED.month
         RETURNING id, project_id, month
       ),
       ins AS (
         INSERT INTO survey_invitations (round_id, owner_id, unit_id, project_id, questionnaire_id, occasion, due_on,
                                         life_stage, late, expires_at, created_at)
         SELECT r.id, d.owner_id, d.unit_id, d.project_id, $4, d.code, d.due_on,
                owner_life_stage(d.moved_in, d.due_on), d.due_on < $3::date, $5, $6
         FROM due_now d JOIN rounds r ON r.project_id = d.project_id AND r.month = date_trunc('month', d.due_on)::date
         ON CONFLICT (owner_id, unit_id, occasion) DO NOTHING
         RETURNING id, owner_id, unit_id, expires_at, late
       )
       SELECT ins.id, ins.owner_id, ins.expires_at, ins.late, p.name AS estate_name, ${unitLabelSql('u', 'b')} AS unit_label
       FROM ins JOIN units u ON u.id = ins.unit_id JOIN buildings b ON b.id = u.building_id JOIN projects p ON p.id = u.project_id`,
      [JSON.stringify(occasions), from, through, questionnaire.id, expiresAt, now],
    );
    const questions = surveyQuestionsSchema.parse(questionnaire.questions).map((q) => ({
      label: q.label,
      scale: q.type === 'scale',
    }));
    await requestNotifications(
      m,
      made.map((i) => this.request(i, questionnaire.title, 'invite', questions)),
    );
    return made;
  }

  /** One reminder to owners who have not answered SURVEY_REMINDER_AFTER_DAYS after the invitation, while the link works. */
  private async remind(m: EntityManager, now: Date): Promise<number> {
    const days = this.config.SURVEY_REMINDER_AFTER_DAYS;
    if (!days) return 0;
    const due = await m.query<Array<NewInvitation & { title: string }>>(
      `WITH due AS (
         UPDATE survey_invitations si SET reminded_at = $1
          WHERE si.id IN (SELECT id FROM survey_invitations
                           WHERE answered_at IS NULL AND reminded_at IS NULL AND created_at <= $2 AND expires_at > $1
                           ORDER BY created_at LIMIT 5000 FOR UPDATE SKIP LOCKED)
         RETURNING si.id, si.owner_id, si.unit_id, si.expires_at, si.late, si.questionnaire_id
       )
       SELECT due.id, due.owner_id, due.expires_at, false AS late, p.name AS estate_name,
              ${unitLabelSql('u', 'b')} AS unit_label, q.title
       FROM due JOIN units u ON u.id = due.unit_id JOIN buildings b ON b.id = u.building_id
            JOIN projects p ON p.id = u.project_id JOIN survey_questionnaires q ON q.id = due.questionnaire_id`,
      [now, new Date(now.getTime() - days * DAY_MS)],
    );
    await requestNotifications(
      m,
      due.map((i) => this.request(i, i.title, 'reminder', null)),
    );
    return due.length;
  }

  private request(
    i: NewInvitation,
    title: string,
    stage: 'invite' | 'reminder',
    questions: Array<{ label: string; scale: boolean }> | null,
  ): NotificationRequest<'survey_invitation'> {
    const expiresAt = new Date(i.expires_at);
    return {
      idempotencyKey: notificationKeys.survey({ invitationId: i.id, stage }),
      kind: 'survey_invitation',
      recipient: { ownerId: i.owner_id },
      source: { type: 'survey_invitation', id: i.id },
      late: i.late,
      variables: {
        estateName: i.estate_name,
        unitLabel: i.unit_label,
        title,
        surveyUrl: this.links.url(this.config.PUBLIC_BASE_URL, i.id, expiresAt),
        expiresOn: zonedParts(new Date(expiresAt.getTime() - 1), this.config.BUSINESS_TIME_ZONE).day,
        reminder: stage === 'reminder',
        questions,
      },
    };
  }
}
