import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { inList } from './enums';
import { OwnerEntity } from './owner.entity';
import { StaffEntity } from './staff.entity';

export const retentionRunStatuses = ['running', 'done', 'failed', 'interrupted'] as const;
export type RetentionRunStatus = (typeof retentionRunStatuses)[number];

/**
 * One run of the daily retention purge (apps/scheduler/src/retention): when, what it removed and how many of
 * each, and the cutoffs it used. Written before the first batch and finished after the last, so a run killed
 * midway stays visible ('running', marked 'interrupted' by the next run, which carries on where it stopped).
 */
@Entity({ name: 'retention_runs' })
@Index('ix_retention_runs_started', ['startedAt'])
// One run at a time across scheduler replicas.
@Index('uq_retention_runs_running', ['status'], { unique: true, where: `"status" = 'running'` })
@Check('ck_retention_runs_status', inList('status', retentionRunStatuses))
export class RetentionRunEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  /** 'schedule' (the daily tick) or 'staff' (POST /api/v1/retention/runs). */
  @Column({ type: 'varchar', length: 20 }) trigger!: string;
  @Column({ type: 'uuid', nullable: true }) triggeredById!: string | null;
  @ManyToOne(() => StaffEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'triggered_by_id', foreignKeyConstraintName: 'fk_retention_runs_triggered_by' })
  triggeredBy?: StaffEntity | null;
  @Column({ type: 'varchar', length: 20, default: 'running' }) status!: RetentionRunStatus;
  /** The clock's "now" the periods were counted back from. */
  @Column({ type: 'timestamptz' }) asOf!: Date;
  /** Rows removed or anonymised per kind of record, e.g. { "cases": 3, "case_events": 41, "call_recordings": 2 }. */
  @Column({ type: 'jsonb', default: () => "'{}'" }) counts!: Record<string, number>;
  /** Each kind's cutoff as used (ISO instants), so a run can be checked against the rules afterwards. */
  @Column({ type: 'jsonb', default: () => "'{}'" }) cutoffs!: Record<string, string>;
  @Column({ type: 'text', nullable: true }) error!: string | null;
  @Column({ type: 'timestamptz' }) startedAt!: Date;
  @Column({ type: 'timestamptz', nullable: true }) finishedAt!: Date | null;
}

export const privacyRequestKinds = ['export', 'erase'] as const;
export type PrivacyRequestKind = (typeof privacyRequestKinds)[number];

/**
 * An owner's PIPL request as staff carried it out (apps/intake/src/privacy): an export of their data or its
 * erasure, who did it, when, and — for an erasure — what was erased and what was kept and why.
 */
@Entity({ name: 'privacy_requests' })
@Index('ix_privacy_requests_owner', ['ownerId', 'createdAt'])
@Check('ck_privacy_requests_kind', inList('kind', privacyRequestKinds))
export class PrivacyRequestEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'varchar', length: 10 }) kind!: PrivacyRequestKind;
  /** The owner row is kept (anonymised) after an erasure, so the request keeps pointing at it. */
  @Column({ type: 'uuid' }) ownerId!: string;
  @ManyToOne(() => OwnerEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'owner_id', foreignKeyConstraintName: 'fk_privacy_requests_owner' })
  owner?: OwnerEntity;
  @Column({ type: 'uuid', nullable: true }) requestedById!: string | null;
  @ManyToOne(() => StaffEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'requested_by_id', foreignKeyConstraintName: 'fk_privacy_requests_requested_by' })
  requestedBy?: StaffEntity | null;
  /** Erasure: { erased: [...], kept: [...] }; export: the counts of what was exported. No personal data. */
  @Column({ type: 'jsonb', default: () => "'{}'" }) result!: Record<string, unknown>;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}
