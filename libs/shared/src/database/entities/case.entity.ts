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
import { DepartmentEntity } from './department.entity';
import { OwnerEntity } from './owner.entity';
import { ProjectEntity } from './project.entity';
import { StaffEntity } from './staff.entity';
import { UnitEntity } from './unit.entity';
import {
  caseCategories,
  caseChannels,
  caseSeverities,
  caseStatuses,
  caseTypes,
  caseValidities,
  inList,
  warrantyStatuses,
  MAX_ESCALATION_LEVEL,
  type CaseCategory,
  type CaseChannel,
  type CaseSeverity,
  type CaseStatus,
  type CaseType,
  type CaseValidity,
  type WarrantyStatus,
} from './enums';

/** 投诉处理单: one normalised case, whatever channel it came by. */
@Entity({ name: 'cases' })
@Unique('uq_cases_number', ['number'])
@Index('ix_cases_status_promised', ['status', 'promisedReplyAt'])
@Index('ix_cases_project', ['projectId', 'receivedAt'])
@Index('ix_cases_owner', ['ownerId'])
@Index('ix_cases_assignee', ['assigneeId'])
@Index('ix_cases_department', ['departmentId', 'receivedAt'])
@Index('ix_cases_reporter_phone', ['reporterPhone'])
@Index('ix_cases_unit', ['unitId', 'receivedAt'])
// The reminder scan's safety net reads only the cases whose current reply round has no plan yet.
/** The scheduler's 10-day upgrade (004 篇2 §1) looks only at open minor complaints. */
@Index('ix_cases_minor_complaints_open', ['receivedAt'], {
  where: `"type" = 'complaint' AND "severity" = 'minor' AND "status" IN ('new', 'accepted', 'assigned', 'replied')`,
})
// The retention purge: closed cases by closing time.
@Index('ix_cases_closed', ['closedAt'], { where: `"status" = 'closed'` })
@Index('ix_cases_unplanned', ['receivedAt'], { where: `"planned_round" IS DISTINCT FROM "reply_date_moves"` })
@Check('ck_cases_match_status', `"match_status" IN ('matched', 'ambiguous', 'unmatched')`)
@Check('ck_cases_type', inList('type', caseTypes))
@Check('ck_cases_category', `"category" IS NULL OR ${inList('category', caseCategories)}`)
@Check('ck_cases_severity', inList('severity', caseSeverities))
@Check('ck_cases_validity', inList('validity', caseValidities))
@Check('ck_cases_channel', inList('channel', caseChannels))
@Check('ck_cases_status', inList('status', caseStatuses))
@Check('ck_cases_reply_date_moves', '"reply_date_moves" BETWEEN 0 AND 2')
@Check('ck_cases_escalation_level', `"escalation_level" BETWEEN 0 AND ${MAX_ESCALATION_LEVEL}`)
@Check('ck_cases_warranty_status', `"warranty_status" IS NULL OR ${inList('warranty_status', warrantyStatuses)}`)
export class CaseEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  /** e.g. COBZS001-2026-00017 (see cases/case-number.ts). */
  @Column({ type: 'varchar', length: 40 }) number!: string;
  @Column({ type: 'varchar', length: 20 }) type!: CaseType;
  @Column({ type: 'varchar', length: 30, nullable: true }) category!: CaseCategory | null;
  @Column({ type: 'varchar', length: 10, default: 'minor' }) severity!: CaseSeverity;
  @Column({ type: 'varchar', length: 10, default: 'pending' }) validity!: CaseValidity;
  @Column({ type: 'varchar', length: 20 }) channel!: CaseChannel;
  @Column({ type: 'varchar', length: 20, default: 'new' }) status!: CaseStatus;

  @Column({ type: 'uuid', nullable: true }) projectId!: string | null;
  @ManyToOne(() => ProjectEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'project_id', foreignKeyConstraintName: 'fk_cases_project' })
  project?: ProjectEntity | null;
  @Column({ type: 'uuid', nullable: true }) unitId!: string | null;
  @ManyToOne(() => UnitEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'unit_id', foreignKeyConstraintName: 'fk_cases_unit' })
  unit?: UnitEntity | null;
  @Column({ type: 'uuid', nullable: true }) ownerId!: string | null;
  @ManyToOne(() => OwnerEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'owner_id', foreignKeyConstraintName: 'fk_cases_owner' })
  owner?: OwnerEntity | null;

  /** The reporter as they gave themselves: name and contact exactly as written or said. */
  @Column({ type: 'varchar', length: 100, nullable: true }) reporterName!: string | null;
  @Column({ type: 'varchar', length: 300, nullable: true }) reporterContact!: string | null;
  /** Normalised from the contact: mobile or landline digits, lower-cased email. Used for matching and lookup. */
  @Column({ type: 'varchar', length: 20, nullable: true }) reporterPhone!: string | null;
  @Column({ type: 'varchar', length: 254, nullable: true }) reporterEmail!: string | null;
  @Column({ type: 'text' }) description!: string;
  /** How owner and unit were found: matched, ambiguous (candidates kept, never a guess), unmatched. */
  @Column({ type: 'varchar', length: 12, default: 'unmatched' }) matchStatus!: 'matched' | 'ambiguous' | 'unmatched';
  @Column({ type: 'jsonb', default: () => "'{}'" }) matchDetails!: Record<string, unknown>;
  /** The keyword rules that set type, category and severity (apps/intake/src/normalise/classifier.ts). */
  @Column({ type: 'text', array: true, default: () => "'{}'" }) classificationRules!: string[];
  /** Which SLA figure gave the promised reply date (e.g. minor.firstFeedback). */
  @Column({ type: 'varchar', length: 40, nullable: true }) promisedReplyRule!: string | null;

  /** The reply date promised to the customer at intake (002 §7.2.1). */
  @Column({ type: 'timestamptz', nullable: true }) promisedReplyAt!: Date | null;
  /** Times the promised date was moved with the customer's agreement: at most 2 (002 §7.4.2). */
  @Column({ type: 'smallint', default: 0 }) replyDateMoves!: number;
  /** The reply round (replyDateMoves) whose deadlines the scheduler has planned; null before the first plan. */
  @Column({ type: 'smallint', nullable: true }) plannedRound!: number | null;
  /** 0 staff, 1 department manager, 2 vice GM, 3 GM. */
  @Column({ type: 'smallint', default: 0 }) escalationLevel!: number;
  @Column({ type: 'uuid', nullable: true }) departmentId!: string | null;
  @ManyToOne(() => DepartmentEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'department_id', foreignKeyConstraintName: 'fk_cases_department' })
  department?: DepartmentEntity | null;
  @Column({ type: 'uuid', nullable: true }) assigneeId!: string | null;
  @ManyToOne(() => StaffEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'assignee_id', foreignKeyConstraintName: 'fk_cases_assignee' })
  assignee?: StaffEntity | null;

  /**
   * A repair's warranty standing, decided at intake from the unit's handover date and the estate's catalogue
   * (apps/intake/src/cases/warranty), or as staff corrected it (event warranty_overridden). Null: not decided
   * (the case was not a repair when it was taken).
   */
  @Column({ type: 'varchar', length: 20, nullable: true }) warrantyStatus!: WarrantyStatus | null;
  /** The catalogue item it was judged by (warranty_items.code), e.g. wet_room_waterproofing. */
  @Column({ type: 'varchar', length: 40, nullable: true }) warrantyItemCode!: string | null;
  /** That item's last day of warranty for this unit (a calendar date, Asia/Shanghai). */
  @Column({ type: 'date', nullable: true }) warrantyExpiresOn!: string | null;

  /** When the customer reached us (call start, mail date), as opposed to when the row was written. */
  @Column({ type: 'timestamptz' }) receivedAt!: Date;
  @Column({ type: 'timestamptz', nullable: true }) closedAt!: Date | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt!: Date;
}
