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
import { MAX_ESCALATION_LEVEL, inList } from './enums';
import { StaffEntity } from './staff.entity';

/** The SLA steps a case is held to (libs/shared/src/sla initialDeadlines). */
export const deadlineSteps = [
  'firstReply',
  'departmentPlan',
  'departmentAnalysis',
  'reportToHead',
  'solution',
  'engineerContact',
  'siteSurvey',
  'returnVisit',
  'transferToCs',
  'selfHandledFiling',
  'inspectionNotice',
] as const;
export type DeadlineStep = (typeof deadlineSteps)[number];

/**
 * open until the case moves past the step (met), the time passes (missed) or the deadline is replaced
 * (superseded: a moved reply date, a reclassified case that no longer has the step).
 */
export const deadlineStates = ['open', 'met', 'missed', 'superseded'] as const;
export type DeadlineState = (typeof deadlineStates)[number];

/** before: ahead of the deadline; due: at the deadline; escalation: one level up the chain. */
export const reminderKinds = ['before', 'due', 'escalation'] as const;
export type ReminderKind = (typeof reminderKinds)[number];

/**
 * One deadline of one case. `round` tells promised reply dates apart: round n is the date after
 * the n-th move (cases.reply_date_moves); the other steps have round 0 only.
 */
@Entity({ name: 'case_deadlines' })
@Unique('uq_case_deadlines_step', ['caseId', 'step', 'round'])
@Index('ix_case_deadlines_open_due', ['dueAt'], { where: `"state" = 'open'` })
@Index('ix_case_deadlines_responsible', ['responsibleStaffId', 'state'])
@Check('ck_case_deadlines_step', inList('step', deadlineSteps))
@Check('ck_case_deadlines_state', inList('state', deadlineStates))
export class CaseDeadlineEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'uuid' }) caseId!: string;
  @ManyToOne(() => CaseEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'case_id', foreignKeyConstraintName: 'fk_case_deadlines_case' })
  case?: CaseEntity;
  @Column({ type: 'varchar', length: 30 }) step!: DeadlineStep;
  @Column({ type: 'smallint', default: 0 }) round!: number;
  @Column({ type: 'timestamptz' }) dueAt!: Date;
  /** Rests on calendar days the holiday data does not cover yet. */
  @Column({ type: 'boolean', default: false }) provisional!: boolean;
  /** Who answers for it, as last resolved (assignee, else the department's manager, else customer service). */
  @Column({ type: 'uuid', nullable: true }) responsibleStaffId!: string | null;
  @ManyToOne(() => StaffEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'responsible_staff_id', foreignKeyConstraintName: 'fk_case_deadlines_responsible' })
  responsibleStaff?: StaffEntity | null;
  @Column({ type: 'varchar', length: 12, default: 'open' }) state!: DeadlineState;
  @Column({ type: 'timestamptz', nullable: true }) closedAt!: Date | null;
  /**
   * When the step was done by a recorded act rather than by the case's status: the department's handling plan
   * (departmentAnalysis), the site survey, the head acknowledging the report (reportToHead), the return visit.
   * A missed deadline can still be done later: its escalations then stop.
   */
  @Column({ type: 'timestamptz', nullable: true }) doneAt!: Date | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}

/**
 * A reminder about one deadline to one person. (deadline, kind, level) is unique, so a re-run, a retried
 * job or a second scheduler instance never plans or sends one twice; `sent_at` is set in the same
 * transaction that asks for the notifications, `acknowledged_at` is the once-guard of the signed link.
 */
@Entity({ name: 'reminders' })
@Unique('uq_reminders_deadline_kind_level', ['deadlineId', 'kind', 'level'])
@Index('ix_reminders_unsent_due', ['sendAt'], { where: `"sent_at" IS NULL AND "cancelled_at" IS NULL` })
@Index('ix_reminders_unacked', ['ackDueAt'], {
  where: `"sent_at" IS NOT NULL AND "acknowledged_at" IS NULL AND "escalated_at" IS NULL AND "cancelled_at" IS NULL`,
})
@Index('ix_reminders_recipient', ['recipientStaffId', 'sentAt'])
@Index('ix_reminders_case', ['caseId'])
@Check('ck_reminders_kind', inList('kind', reminderKinds))
@Check('ck_reminders_level', `"level" BETWEEN 0 AND ${MAX_ESCALATION_LEVEL}`)
export class ReminderEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'uuid' }) deadlineId!: string;
  @ManyToOne(() => CaseDeadlineEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'deadline_id', foreignKeyConstraintName: 'fk_reminders_deadline' })
  deadline?: CaseDeadlineEntity;
  @Column({ type: 'uuid' }) caseId!: string;
  @ManyToOne(() => CaseEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'case_id', foreignKeyConstraintName: 'fk_reminders_case' })
  case?: CaseEntity;
  @Column({ type: 'varchar', length: 12 }) kind!: ReminderKind;
  /** 0 the person responsible; 1.. the levels of the escalation chain (escalation_levels), the last its top. */
  @Column({ type: 'smallint', default: 0 }) level!: number;
  /** When it is to be sent. */
  @Column({ type: 'timestamptz' }) sendAt!: Date;
  /** Set when sent (resolved then: assignments change after planning). */
  @Column({ type: 'uuid', nullable: true }) recipientStaffId!: string | null;
  @ManyToOne(() => StaffEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'recipient_staff_id', foreignKeyConstraintName: 'fk_reminders_recipient' })
  recipientStaff?: StaffEntity | null;
  /** Why an escalation was raised (not acknowledged, missed deadline, second missed reply date). */
  @Column({ type: 'varchar', length: 200, nullable: true }) reason!: string | null;
  @Column({ type: 'timestamptz', nullable: true }) sentAt!: Date | null;
  /** Sent on catching up after downtime, after its time had passed. */
  @Column({ type: 'boolean', default: false }) late!: boolean;
  /** Not acknowledged by then → escalated one level up. */
  @Column({ type: 'timestamptz', nullable: true }) ackDueAt!: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) acknowledgedAt!: Date | null;
  @Column({ type: 'uuid', nullable: true }) acknowledgedById!: string | null;
  @ManyToOne(() => StaffEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'acknowledged_by_id', foreignKeyConstraintName: 'fk_reminders_acknowledged_by' })
  acknowledgedBy?: StaffEntity | null;
  /** 'link' (signed link) or 'api'. */
  @Column({ type: 'varchar', length: 10, nullable: true }) acknowledgedVia!: string | null;
  @Column({ type: 'timestamptz', nullable: true }) escalatedAt!: Date | null;
  /** The case moved past the step (or closed) before it was sent or acknowledged. */
  @Column({ type: 'timestamptz', nullable: true }) cancelledAt!: Date | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}
