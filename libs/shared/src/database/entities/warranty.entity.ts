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
  Unique,
  UpdateDateColumn,
} from 'typeorm';
import { inList } from './enums';
import { ProjectEntity } from './project.entity';
import { UnitEntity } from './unit.entity';

/**
 * How a warranty period is counted from handover: calendar months, or the Nth full heating / cooling
 * season after handover (a season already under way at handover does not count; the item expires on
 * the last day of the Nth season that starts on or after the handover date).
 */
export const warrantyBases = ['months', 'heating_seasons', 'cooling_seasons'] as const;
export type WarrantyBasis = (typeof warrantyBases)[number];

/**
 * The warranty catalogue. Rows with no project are the defaults every estate starts from (seeded by the
 * migration, DOMAIN.md "Warranty periods"); a row with a project overrides the default of the same code
 * for that estate (a longer period from its 住宅质量保证书, an item switched off, another lead time).
 */
@Entity({ name: 'warranty_items' })
@Index('uq_warranty_items_default_code', ['code'], { unique: true, where: '"project_id" IS NULL' })
@Index('uq_warranty_items_project_code', ['projectId', 'code'], { unique: true, where: '"project_id" IS NOT NULL' })
@Check('ck_warranty_items_basis', inList('basis', warrantyBases))
@Check('ck_warranty_items_amount', '"amount" > 0 AND "amount" <= 600')
@Check('ck_warranty_items_months_ahead', '"months_ahead" >= 0 AND "months_ahead" <= 24')
export class WarrantyItemEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  /** Null: the default catalogue. */
  @Column({ type: 'uuid', nullable: true }) projectId!: string | null;
  @ManyToOne(() => ProjectEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'project_id', foreignKeyConstraintName: 'fk_warranty_items_project' })
  project?: ProjectEntity | null;
  /** Stable code, e.g. `roof_waterproofing`; part of the notice key. */
  @Column({ type: 'varchar', length: 40 }) code!: string;
  /** What owners read, e.g. 屋面防水. */
  @Column({ type: 'varchar', length: 100 }) name!: string;
  @Column({ type: 'varchar', length: 20 }) basis!: WarrantyBasis;
  /** Months, or number of seasons. */
  @Column({ type: 'smallint' }) amount!: number;
  /** The notice goes this many months before the warranty ends (000 §6.6.3: 2). */
  @Column({ type: 'smallint', default: 2 }) monthsAhead!: number;
  @Column({ type: 'boolean', default: true }) active!: boolean;
  /** Where the figure comes from (a regulation, the estate's 住宅质量保证书). */
  @Column({ type: 'varchar', length: 200, nullable: true }) source!: string | null;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt!: Date;
}

/**
 * Heating and cooling seasons per city ('*' = the default for cities not listed). Dates are MM-DD; a
 * season may run over the new year (heating 11-15 → 03-15). Null: the city has no such season (no
 * central heating in Shenzhen), so items counted in it give no notices there.
 */
@Entity({ name: 'warranty_seasons' })
@Check(
  'ck_warranty_seasons_dates',
  `("heating_start" IS NULL) = ("heating_end" IS NULL) AND ("cooling_start" IS NULL) = ("cooling_end" IS NULL)`,
)
export class WarrantySeasonEntity {
  @PrimaryColumn({ type: 'varchar', length: 50 }) city!: string;
  @Column({ type: 'char', length: 5, nullable: true }) heatingStart!: string | null;
  @Column({ type: 'char', length: 5, nullable: true }) heatingEnd!: string | null;
  @Column({ type: 'char', length: 5, nullable: true }) coolingStart!: string | null;
  @Column({ type: 'char', length: 5, nullable: true }) coolingEnd!: string | null;
}

/** notified: its owners were asked a notification; superseded: the handover date changed before it went out, or after (kept for the record). */
export const warrantyNoticeStatuses = ['notified', 'superseded'] as const;
export type WarrantyNoticeStatus = (typeof warrantyNoticeStatuses)[number];

/**
 * One warranty-expiry notice: a unit, an item, an expiry date — exactly once (the unique key is
 * ARCHITECTURE.md's `warranty:{unit}:{item}:{expiry}`). A changed handover date gives a new expiry date
 * and so a new notice; the old one is marked superseded.
 */
@Entity({ name: 'warranty_notices' })
@Unique('uq_warranty_notices_unit_item_expiry', ['unitId', 'itemCode', 'expiresOn'])
@Index('ix_warranty_notices_project_due', ['projectId', 'dueOn'])
@Index('ix_warranty_notices_open', ['expiresOn'], { where: `"status" = 'notified'` })
@Check('ck_warranty_notices_status', inList('status', warrantyNoticeStatuses))
export class WarrantyNoticeEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'uuid' }) unitId!: string;
  /** The estate: its unit's (one key checks both, once per notice; the heating-notice day writes 70,000). */
  @Column({ type: 'uuid' }) projectId!: string;
  @ManyToOne(() => UnitEntity, { onDelete: 'CASCADE', onUpdate: 'CASCADE' })
  @JoinColumn([
    { name: 'unit_id', referencedColumnName: 'id', foreignKeyConstraintName: 'fk_warranty_notices_unit_project' },
    { name: 'project_id', referencedColumnName: 'projectId' },
  ])
  unit?: UnitEntity;
  @Column({ type: 'varchar', length: 40 }) itemCode!: string;
  @Column({ type: 'varchar', length: 100 }) itemName!: string;
  /** The handover date it was computed from. */
  @Column({ type: 'date' }) handoverDate!: string;
  @Column({ type: 'date' }) expiresOn!: string;
  /** The day the notice fell due (expiry minus the lead time). */
  @Column({ type: 'date' }) dueOn!: string;
  @Column({ type: 'varchar', length: 20, default: 'notified' }) status!: WarrantyNoticeStatus;
  /** Fell due while the scheduler was down; sent on catching up. */
  @Column({ type: 'boolean', default: false }) late!: boolean;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}

/** Units whose handover date or owners changed (triggers on units and owner_units write here); the next warranty scan recomputes them. */
@Entity({ name: 'warranty_rechecks' })
export class WarrantyRecheckEntity {
  @PrimaryColumn({ type: 'uuid' }) unitId!: string;
  @ManyToOne(() => UnitEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'unit_id', foreignKeyConstraintName: 'fk_warranty_rechecks_unit' })
  unit?: UnitEntity;
  @Column({ type: 'timestamptz', default: () => 'now()' }) changedAt!: Date;
}

/** Where a recurring scan got to (state lives in Postgres, BullMQ is only the clock). */
@Entity({ name: 'scan_states' })
export class ScanStateEntity {
  @PrimaryColumn({ type: 'varchar', length: 60 }) task!: string;
  /** The last business day fully scanned (Asia/Shanghai). */
  @Column({ type: 'date' }) scannedThrough!: string;
  @Column({ type: 'timestamptz' }) lastSuccessAt!: Date;
}
