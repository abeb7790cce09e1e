import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
} from 'typeorm';
import { CaseEntity } from './case.entity';
import { inList } from './enums';
import { OwnerEntity } from './owner.entity';
import { ProjectEntity } from './project.entity';
import { StaffEntity } from './staff.entity';
import { UnitEntity } from './unit.entity';

/** The owners' life stages (libs/shared/src/owner-care/life-stage.ts), as stored on an invitation. */
const surveyLifeStages = ['prospective', 'settling', 'stable', 'established'] as const;

/** How an answer came in: the owner's page behind the link, or staff keying a returned paper form (EMS letter). */
export const surveyAnswerVias = ['link', 'paper'] as const;
export type SurveyAnswerVia = (typeof surveyAnswerVias)[number];

/**
 * A questionnaire version (问卷): its questions as data (owner-care/surveys.ts: surveyQuestionsSchema). Versions are
 * never edited: a change is a new version, and each invitation and answer keeps the version it asked.
 */
@Entity({ name: 'survey_questionnaires' })
@Unique('uq_survey_questionnaires_code_version', ['code', 'version'])
@Check('ck_survey_questionnaires_version', '"version" >= 1')
export class SurveyQuestionnaireEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'varchar', length: 40 }) code!: string;
  @Column({ type: 'int' }) version!: number;
  @Column({ type: 'varchar', length: 200 }) title!: string;
  @Column({ type: 'jsonb' }) questions!: unknown;
  @Column({ type: 'uuid', nullable: true }) createdById!: string | null;
  @ManyToOne(() => StaffEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'created_by_id', foreignKeyConstraintName: 'fk_survey_questionnaires_created_by' })
  createdBy?: StaffEntity | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}

/**
 * A survey round (调查轮次): an estate's invitations falling due in one month. The response rate (回收率, target
 * SURVEY_RESPONSE_TARGET_PERCENT) and the figures are reported per round; they are due within 30 days of its close.
 */
@Entity({ name: 'survey_rounds' })
@Unique('uq_survey_rounds_project_month', ['projectId', 'month'])
@Check('ck_survey_rounds_month', `date_trunc('month', "month") = "month"`)
export class SurveyRoundEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'uuid' }) projectId!: string;
  @ManyToOne(() => ProjectEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'project_id', foreignKeyConstraintName: 'fk_survey_rounds_project' })
  project?: ProjectEntity;
  /** The first day of the month. */
  @Column({ type: 'date' }) month!: string;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}

/**
 * One owner asked once about one unit on one occasion of the schedule (contract-1m, movein-3m, movein-12m, …): the
 * unique key is what keeps a scan run twice, or catching up after downtime, from asking twice.
 */
@Entity({ name: 'survey_invitations' })
@Unique('uq_survey_invitations_owner_unit_occasion', ['ownerId', 'unitId', 'occasion'])
@Index('ix_survey_invitations_round', ['roundId'])
@Index('ix_survey_invitations_reminder', ['createdAt'], { where: '"answered_at" IS NULL AND "reminded_at" IS NULL' })
@Check('ck_survey_invitations_life_stage', inList('life_stage', surveyLifeStages))
export class SurveyInvitationEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'uuid' }) roundId!: string;
  @ManyToOne(() => SurveyRoundEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'round_id', foreignKeyConstraintName: 'fk_survey_invitations_round' })
  round?: SurveyRoundEntity;
  @Column({ type: 'uuid' }) ownerId!: string;
  @ManyToOne(() => OwnerEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'owner_id', foreignKeyConstraintName: 'fk_survey_invitations_owner' })
  owner?: OwnerEntity;
  @Column({ type: 'uuid' }) unitId!: string;
  @ManyToOne(() => UnitEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'unit_id', foreignKeyConstraintName: 'fk_survey_invitations_unit' })
  unit?: UnitEntity;
  @Column({ type: 'uuid' }) projectId!: string;
  @ManyToOne(() => ProjectEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'project_id', foreignKeyConstraintName: 'fk_survey_invitations_project' })
  project?: ProjectEntity;
  @Column({ type: 'uuid' }) questionnaireId!: string;
  @ManyToOne(() => SurveyQuestionnaireEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'questionnaire_id', foreignKeyConstraintName: 'fk_survey_invitations_questionnaire' })
  questionnaire?: SurveyQuestionnaireEntity;
  /** WARNING: persisted key (owner-care/surveys.ts SurveyOccasion.code). */
  @Column({ type: 'varchar', length: 20 }) occasion!: string;
  @Column({ type: 'date' }) dueOn!: string;
  /** The owner's life stage on the due day. */
  @Column({ type: 'varchar', length: 20 }) lifeStage!: string;
  /** Found on catching up after downtime, past its due day. */
  @Column({ type: 'boolean', default: false }) late!: boolean;
  /** The link works until then. */
  @Column({ type: 'timestamptz' }) expiresAt!: Date;
  @Column({ type: 'timestamptz', nullable: true }) remindedAt!: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) answeredAt!: Date | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}

/**
 * An owner's answer, one per invitation (the unique invitation is what makes the link work once). The three key
 * scores are columns for the figures; every score of the version is in `scores`.
 */
@Entity({ name: 'survey_answers' })
@Unique('uq_survey_answers_invitation', ['invitationId'])
@Index('ix_survey_answers_created', ['createdAt'])
@Check('ck_survey_answers_via', inList('via', surveyAnswerVias))
@Check(
  'ck_survey_answers_scores',
  '"overall" BETWEEN 1 AND 5 AND "buy_again" BETWEEN 1 AND 5 AND "recommend" BETWEEN 1 AND 5',
)
export class SurveyAnswerEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'uuid' }) invitationId!: string;
  @ManyToOne(() => SurveyInvitationEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'invitation_id', foreignKeyConstraintName: 'fk_survey_answers_invitation' })
  invitation?: SurveyInvitationEntity;
  @Column({ type: 'uuid' }) questionnaireId!: string;
  @ManyToOne(() => SurveyQuestionnaireEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'questionnaire_id', foreignKeyConstraintName: 'fk_survey_answers_questionnaire' })
  questionnaire?: SurveyQuestionnaireEntity;
  @Column({ type: 'smallint' }) overall!: number;
  @Column({ type: 'smallint' }) buyAgain!: number;
  @Column({ type: 'smallint' }) recommend!: number;
  /** Every 5-point answer by question id. */
  @Column({ type: 'jsonb' }) scores!: Record<string, number>;
  /** Free-text answers by question id. */
  @Column({ type: 'jsonb' }) texts!: Record<string, string>;
  @Column({ type: 'varchar', length: 10 }) via!: SurveyAnswerVia;
  /** Who keyed a paper form; null from the link. */
  @Column({ type: 'uuid', nullable: true }) recordedById!: string | null;
  @ManyToOne(() => StaffEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'recorded_by_id', foreignKeyConstraintName: 'fk_survey_answers_recorded_by' })
  recordedBy?: StaffEntity | null;
  /** The case staff opened from a low score. */
  @Column({ type: 'uuid', nullable: true }) caseId!: string | null;
  @ManyToOne(() => CaseEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'case_id', foreignKeyConstraintName: 'fk_survey_answers_case' })
  case?: CaseEntity | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}
