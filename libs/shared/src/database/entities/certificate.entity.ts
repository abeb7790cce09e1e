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
import { inList } from './enums';
import { OwnerEntity } from './owner.entity';
import { ProjectEntity } from './project.entity';
import { StaffEntity } from './staff.entity';
import { UnitEntity } from './unit.entity';

/** 办证通知 (000 §6.2.2): finance releases the notice for a batch of units of one estate. */
@Entity({ name: 'certificate_batches' })
@Check('ck_certificate_batches_dates', '"deadline" >= "from_date"')
@Check('ck_certificate_batches_reminders', '"reminder_after_days" > 0 AND "final_reminder_days_before" >= 0')
export class CertificateBatchEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'uuid' }) projectId!: string;
  @ManyToOne(() => ProjectEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'project_id', foreignKeyConstraintName: 'fk_certificate_batches_project' })
  project?: ProjectEntity;
  /** Finance's own reference for the batch, shown in the notice. */
  @Column({ type: 'varchar', length: 60, nullable: true }) reference!: string | null;
  @Column({ type: 'varchar', length: 200 }) place!: string;
  @Column({ type: 'varchar', length: 200 }) hours!: string;
  @Column({ type: 'text', array: true }) documents!: string[];
  @Column({ type: 'date' }) fromDate!: string;
  @Column({ type: 'date' }) deadline!: string;
  /** Owners who have not collected are reminded this many days after fromDate. */
  @Column({ type: 'smallint', default: 30 }) reminderAfterDays!: number;
  /** …and a last time this many days before the deadline. */
  @Column({ type: 'smallint', default: 7 }) finalReminderDaysBefore!: number;
  @Column({ type: 'uuid', nullable: true }) createdById!: string | null;
  @ManyToOne(() => StaffEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'created_by_id', foreignKeyConstraintName: 'fk_certificate_batches_created_by' })
  createdBy?: StaffEntity | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}

/** A unit of a batch. */
@Entity({ name: 'certificate_batch_units' })
@Unique('uq_certificate_batch_units', ['batchId', 'unitId'])
@Index('ix_certificate_batch_units_unit', ['unitId'])
export class CertificateBatchUnitEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'uuid' }) batchId!: string;
  @ManyToOne(() => CertificateBatchEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'batch_id', foreignKeyConstraintName: 'fk_certificate_batch_units_batch' })
  batch?: CertificateBatchEntity;
  @Column({ type: 'uuid' }) unitId!: string;
  @ManyToOne(() => UnitEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'unit_id', foreignKeyConstraintName: 'fk_certificate_batch_units_unit' })
  unit?: UnitEntity;
}

/** The notice to one owner of one unit of a batch: the source of its SMS, letter and email notifications. */
@Entity({ name: 'certificate_notices' })
@Unique('uq_certificate_notices', ['batchId', 'unitId', 'ownerId'])
export class CertificateNoticeEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'uuid' }) batchId!: string;
  @ManyToOne(() => CertificateBatchEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'batch_id', foreignKeyConstraintName: 'fk_certificate_notices_batch' })
  batch?: CertificateBatchEntity;
  @Column({ type: 'uuid' }) unitId!: string;
  @ManyToOne(() => UnitEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'unit_id', foreignKeyConstraintName: 'fk_certificate_notices_unit' })
  unit?: UnitEntity;
  @Column({ type: 'uuid' }) ownerId!: string;
  @ManyToOne(() => OwnerEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'owner_id', foreignKeyConstraintName: 'fk_certificate_notices_owner' })
  owner?: OwnerEntity;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}

export const idDocumentTypes = ['resident_id', 'passport', 'hk_macao_permit', 'taiwan_permit', 'other'] as const;
export type IdDocumentType = (typeof idDocumentTypes)[number];
export const collectorRelations = ['self', 'spouse', 'relative', 'agent', 'other'] as const;
export type CollectorRelation = (typeof collectorRelations)[number];

/** 领取签收记录: who collected a unit's certificate, with what ID (stored masked only). One per unit per batch. */
@Entity({ name: 'certificate_collections' })
@Unique('uq_certificate_collections_batch_unit', ['batchId', 'unitId'])
@Check('ck_certificate_collections_id_type', inList('id_type', idDocumentTypes))
@Check('ck_certificate_collections_relation', inList('relation', collectorRelations))
@Check('ck_certificate_collections_masked', `"id_number_masked" LIKE '%*%'`)
export class CertificateCollectionEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'uuid' }) batchId!: string;
  @ManyToOne(() => CertificateBatchEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'batch_id', foreignKeyConstraintName: 'fk_certificate_collections_batch' })
  batch?: CertificateBatchEntity;
  @Column({ type: 'uuid' }) unitId!: string;
  @ManyToOne(() => UnitEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'unit_id', foreignKeyConstraintName: 'fk_certificate_collections_unit' })
  unit?: UnitEntity;
  @Column({ type: 'varchar', length: 100 }) collectedBy!: string;
  @Column({ type: 'varchar', length: 20 }) relation!: CollectorRelation;
  @Column({ type: 'varchar', length: 20 }) idType!: IdDocumentType;
  /** e.g. 4401**********1234 — the full number is never stored. */
  @Column({ type: 'varchar', length: 40 }) idNumberMasked!: string;
  @Column({ type: 'date' }) collectedOn!: string;
  @Column({ type: 'uuid', nullable: true }) recordedById!: string | null;
  @ManyToOne(() => StaffEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'recorded_by_id', foreignKeyConstraintName: 'fk_certificate_collections_recorded_by' })
  recordedBy?: StaffEntity | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}
