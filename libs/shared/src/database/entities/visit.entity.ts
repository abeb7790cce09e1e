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
  UpdateDateColumn,
} from 'typeorm';
import { CaseEntity } from './case.entity';
import { inList } from './enums';
import { OwnerEntity } from './owner.entity';
import { ProjectEntity } from './project.entity';
import { StaffEntity } from './staff.entity';
import { UnitEntity } from './unit.entity';

/**
 * What a planned visit is for: routine — the preventive visit every few months (002 §7.5.2, 004 篇3 §4.13);
 * handover — the return visit after handover (000 §6.4.2, 交房客户回访); decoration — a visit while a 毛坯 unit
 * is being fitted out (000 §6.5.2, 装修期客户体验回访).
 */
export const visitKinds = ['routine', 'handover', 'decoration'] as const;
export type VisitKind = (typeof visitKinds)[number];

/** planned → done (a visit was recorded) or ended (the household left, the handover date moved out of the year). */
export const visitStatuses = ['planned', 'done', 'ended'] as const;
export type VisitStatus = (typeof visitStatuses)[number];

/** 电话 phone, 入户 at home, 来访 at the office, 集体 a group visit (an owners' meeting, an event), other. */
export const visitMethods = ['phone', 'home', 'office', 'group', 'other'] as const;
export type VisitMethod = (typeof visitMethods)[number];

/** satisfied; raised issues (often with a follow-up case); not reached — which does not complete the planned visit. */
export const visitOutcomes = ['satisfied', 'issues', 'not_reached'] as const;
export type VisitOutcome = (typeof visitOutcomes)[number];

/** Customer-service staff who visit an estate's owners; the yearly plan splits its households among them. */
@Entity({ name: 'visit_staff' })
@Unique('uq_visit_staff_project_staff', ['projectId', 'staffId'])
export class VisitStaffEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'uuid' }) projectId!: string;
  @ManyToOne(() => ProjectEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'project_id', foreignKeyConstraintName: 'fk_visit_staff_project' })
  project?: ProjectEntity;
  @Column({ type: 'uuid' }) staffId!: string;
  @ManyToOne(() => StaffEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'staff_id', foreignKeyConstraintName: 'fk_visit_staff_staff' })
  staff?: StaffEntity;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}

/** An estate's visit plan for one calendar year (business time zone). Written only by apps/scheduler/src/visits. */
@Entity({ name: 'visit_plans' })
@Unique('uq_visit_plans_project_year', ['projectId', 'year'])
export class VisitPlanEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'uuid' }) projectId!: string;
  @ManyToOne(() => ProjectEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'project_id', foreignKeyConstraintName: 'fk_visit_plans_project' })
  project?: ProjectEntity;
  @Column({ type: 'smallint' }) year!: number;
  /** The first day the plan covers: 1 January, or the day it was first generated if later (nothing before is planned). */
  @Column({ type: 'date' }) startsOn!: string;
  @Column({ type: 'smallint' }) intervalMonths!: number;
  @Column({ type: 'timestamptz' }) generatedAt!: Date;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}

/**
 * One planned visit to a household (a unit with current owners): one per plan, unit, kind and sequence (the n-th
 * routine window of the year, the n-th decoration visit) — the key that makes re-running the plan idempotent.
 * Addressed to the household's contact (`ownerId`, updated while planned when the household changes).
 */
@Entity({ name: 'owner_visits' })
@Unique('uq_owner_visits_plan_unit_kind_seq', ['planId', 'unitId', 'kind', 'seq'])
@Index('ix_owner_visits_staff_due', ['staffId', 'dueOn'], { where: `"status" = 'planned'` })
@Index('ix_owner_visits_project_due', ['projectId', 'dueOn'])
@Index('ix_owner_visits_unit', ['unitId'])
@Check('ck_owner_visits_kind', inList('kind', visitKinds))
@Check('ck_owner_visits_status', inList('status', visitStatuses))
export class OwnerVisitEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'uuid' }) planId!: string;
  @ManyToOne(() => VisitPlanEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'plan_id', foreignKeyConstraintName: 'fk_owner_visits_plan' })
  plan?: VisitPlanEntity;
  @Column({ type: 'uuid' }) projectId!: string;
  @Column({ type: 'uuid' }) unitId!: string;
  @ManyToOne(() => UnitEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'unit_id', foreignKeyConstraintName: 'fk_owner_visits_unit' })
  unit?: UnitEntity;
  @Column({ type: 'uuid', nullable: true }) ownerId!: string | null;
  @ManyToOne(() => OwnerEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'owner_id', foreignKeyConstraintName: 'fk_owner_visits_owner' })
  owner?: OwnerEntity | null;
  @Column({ type: 'uuid', nullable: true }) staffId!: string | null;
  @ManyToOne(() => StaffEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'staff_id', foreignKeyConstraintName: 'fk_owner_visits_staff' })
  staff?: StaffEntity | null;
  @Column({ type: 'varchar', length: 20 }) kind!: VisitKind;
  @Column({ type: 'smallint' }) seq!: number;
  /** The day the visit is planned for (business time zone); done on or before it = on time. */
  @Column({ type: 'date' }) dueOn!: string;
  @Column({ type: 'varchar', length: 10, default: 'planned' }) status!: VisitStatus;
  @Column({ type: 'timestamptz', nullable: true }) doneAt!: Date | null;
  /** The record that completed it. */
  @Column({ type: 'uuid', nullable: true }) recordId!: string | null;
  @Column({ type: 'timestamptz', nullable: true }) endedAt!: Date | null;
  @Column({ type: 'varchar', length: 30, nullable: true }) endReason!: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt!: Date;
}

/** 客户访问记录单 (002 GFP19-2-F3): a visit made — who, when, how, topics, outcome, the follow-up case. Kept 2 years (002 §8.2). */
@Entity({ name: 'visit_records' })
@Index('ix_visit_records_visit', ['visitId'], { where: '"visit_id" IS NOT NULL' })
@Index('ix_visit_records_unit', ['unitId', 'visitedAt'])
@Check('ck_visit_records_method', inList('method', visitMethods))
@Check('ck_visit_records_outcome', inList('outcome', visitOutcomes))
export class VisitRecordEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'uuid', nullable: true }) visitId!: string | null;
  @ManyToOne(() => OwnerVisitEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'visit_id', foreignKeyConstraintName: 'fk_visit_records_visit' })
  visit?: OwnerVisitEntity | null;
  @Column({ type: 'uuid' }) projectId!: string;
  @Column({ type: 'uuid' }) unitId!: string;
  @ManyToOne(() => UnitEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'unit_id', foreignKeyConstraintName: 'fk_visit_records_unit' })
  unit?: UnitEntity;
  @Column({ type: 'uuid', nullable: true }) ownerId!: string | null;
  @ManyToOne(() => OwnerEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'owner_id', foreignKeyConstraintName: 'fk_visit_records_owner' })
  owner?: OwnerEntity | null;
  /** Who visited. */
  @Column({ type: 'uuid', nullable: true }) staffId!: string | null;
  @ManyToOne(() => StaffEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'staff_id', foreignKeyConstraintName: 'fk_visit_records_staff' })
  staff?: StaffEntity | null;
  @Column({ type: 'timestamptz' }) visitedAt!: Date;
  @Column({ type: 'varchar', length: 10 }) method!: VisitMethod;
  @Column({ type: 'varchar', length: 40, array: true, default: () => "'{}'" }) topics!: string[];
  @Column({ type: 'text', nullable: true }) notes!: string | null;
  @Column({ type: 'varchar', length: 20 }) outcome!: VisitOutcome;
  /** The follow-up case opened from the visit (through case intake: routing and deadlines apply). */
  @Column({ type: 'uuid', nullable: true }) caseId!: string | null;
  @ManyToOne(() => CaseEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'case_id', foreignKeyConstraintName: 'fk_visit_records_case' })
  case?: CaseEntity | null;
  /** Who typed it in (a manager may record a visit for a member of staff). */
  @Column({ type: 'uuid', nullable: true }) recordedById!: string | null;
  @ManyToOne(() => StaffEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'recorded_by_id', foreignKeyConstraintName: 'fk_visit_records_recorded_by' })
  recordedBy?: StaffEntity | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}
