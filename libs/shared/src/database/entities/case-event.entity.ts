import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { CaseEntity } from './case.entity';
import { StaffEntity } from './staff.entity';

/**
 * The case timeline. Append-only: a trigger (migration Init) refuses UPDATE and DELETE,
 * so the audit trail the seeds require cannot be rewritten by application code.
 */
@Entity({ name: 'case_events' })
@Index('ix_case_events_case', ['caseId', 'occurredAt'])
export class CaseEventEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint' }) id!: string;
  @Column({ type: 'uuid' }) caseId!: string;
  @ManyToOne(() => CaseEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'case_id', foreignKeyConstraintName: 'fk_case_events_case' })
  case?: CaseEntity;
  /** e.g. created, accepted, assigned, replied, reply_date_moved, escalated, note, message_received. */
  @Column({ type: 'varchar', length: 40 }) kind!: string;
  /** The staff member who acted; null for the system or the owner (see actorLabel). */
  @Column({ type: 'uuid', nullable: true }) actorId!: string | null;
  @ManyToOne(() => StaffEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'actor_id', foreignKeyConstraintName: 'fk_case_events_actor' })
  actor?: StaffEntity | null;
  /** 'system', 'owner', 'scheduler', or the staff member's name at the time. */
  @Column({ type: 'varchar', length: 100 }) actorLabel!: string;
  @Column({ type: 'timestamptz', default: () => 'now()' }) occurredAt!: Date;
  @Column({ type: 'jsonb', default: () => "'{}'" }) details!: Record<string, unknown>;
}
