import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { inList } from './enums';
import { OwnerEntity } from './owner.entity';
import { ProjectEntity } from './project.entity';
import { StaffEntity } from './staff.entity';
import { UnitEntity } from './unit.entity';

/**
 * 交付通知书 handover notice (000 §4.1.1), 楼盘进度通报 monthly construction progress (001 万科), 台风/暴雨预警
 * safety alert and 节日问候 holiday greeting (004 篇3 §4.11), any official notice (004 篇3 §4.8.5–4.8.6).
 */
export const noticeKinds = [
  'handover',
  'construction_progress',
  'safety_alert',
  'holiday_greeting',
  'official',
] as const;
export type NoticeKind = (typeof noticeKinds)[number];

/** draft → sending → done; sending ⇄ paused; draft / sending / paused → cancelled. */
export const noticeStatuses = ['draft', 'sending', 'paused', 'cancelled', 'done'] as const;
export type NoticeStatus = (typeof noticeStatuses)[number];

/** Why an owner of the audience gets no message: erased on request, no address to reach them, opted out. */
export const noticeExclusions = ['erased', 'no_contact', 'opted_out'] as const;
export type NoticeExclusion = (typeof noticeExclusions)[number];

/** An estate-wide notice: one object for every kind, its audience stored with it (notice_recipients). */
@Entity({ name: 'notices' })
@Index('ix_notices_project', ['projectId', 'createdAt'])
// The fan-out sweep looks for notices still sending.
@Index('ix_notices_sending', ['status'], { where: `"status" = 'sending'` })
@Check('ck_notices_kind', inList('kind', noticeKinds))
@Check('ck_notices_status', inList('status', noticeStatuses))
export class NoticeEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'uuid' }) projectId!: string;
  @ManyToOne(() => ProjectEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'project_id', foreignKeyConstraintName: 'fk_notices_project' })
  project?: ProjectEntity;
  @Column({ type: 'varchar', length: 30 }) kind!: NoticeKind;
  @Column({ type: 'varchar', length: 100 }) title!: string;
  @Column({ type: 'text' }) body!: string;
  /** How the audience was chosen: { buildingIds?, unitIds?, lifeStages? } or { csv: { rows, file } }. */
  @Column({ type: 'jsonb', default: () => "'{}'" }) audience!: Record<string, unknown>;
  @Column({ type: 'varchar', length: 12, default: 'draft' }) status!: NoticeStatus;
  @Column({ type: 'uuid', nullable: true }) createdById!: string | null;
  @ManyToOne(() => StaffEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'created_by_id', foreignKeyConstraintName: 'fk_notices_created_by' })
  createdBy?: StaffEntity | null;
  /** Recipients who get a message / who are left out (counted when the audience is resolved). */
  @Column({ type: 'integer', default: 0 }) recipients!: number;
  @Column({ type: 'integer', default: 0 }) excluded!: number;
  /** The fan-out's cursor: recipients up to this seq have their notification. Survives a restart (state in Postgres). */
  @Column({ type: 'integer', default: 0 }) queuedThrough!: number;
  /** Bumped by send and each resume: the fan-out job of an older round does nothing. */
  @Column({ type: 'integer', default: 0 }) sendRound!: number;
  @Column({ type: 'timestamptz', nullable: true }) sentAt!: Date | null;
  @Column({ type: 'uuid', nullable: true }) sentById!: string | null;
  @ManyToOne(() => StaffEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'sent_by_id', foreignKeyConstraintName: 'fk_notices_sent_by' })
  sentBy?: StaffEntity | null;
  /** Every recipient has a notification (the fan-out finished). */
  @Column({ type: 'timestamptz', nullable: true }) queuedAt!: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) finishedAt!: Date | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt!: Date;
}

/** The resolved audience of a notice, one row per owner (with the unit they are reached about), kept with the notice. */
@Entity({ name: 'notice_recipients' })
@Index('uq_notice_recipients_seq', ['noticeId', 'seq'], { unique: true })
@Check('ck_notice_recipients_excluded', `"excluded" IS NULL OR ${inList('excluded', noticeExclusions)}`)
export class NoticeRecipientEntity {
  @PrimaryColumn({ type: 'uuid' }) noticeId!: string;
  @ManyToOne(() => NoticeEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'notice_id', foreignKeyConstraintName: 'fk_notice_recipients_notice' })
  notice?: NoticeEntity;
  @PrimaryColumn({ type: 'uuid' }) ownerId!: string;
  @ManyToOne(() => OwnerEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'owner_id', foreignKeyConstraintName: 'fk_notice_recipients_owner' })
  owner?: OwnerEntity;
  @Column({ type: 'uuid' }) unitId!: string;
  @ManyToOne(() => UnitEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'unit_id', foreignKeyConstraintName: 'fk_notice_recipients_unit' })
  unit?: UnitEntity;
  /** 1…n in the order the fan-out takes them (excluded ones too, so the cursor is a plain range). */
  @Column({ type: 'integer' }) seq!: number;
  /** Null: gets the notice. */
  @Column({ type: 'varchar', length: 20, nullable: true }) excluded!: NoticeExclusion | null;
}
