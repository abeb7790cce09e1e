import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

/**
 * Jobs decided in a transaction, relayed to BullMQ after commit (libs/shared/src/outbox). The unique
 * dedupe key (e.g. `case-received:<caseId>`) makes "queued exactly once" a database fact; the relay
 * survives Redis being down.
 */
@Entity({ name: 'outbox' })
@Unique('uq_outbox_dedupe_key', ['dedupeKey'])
@Index('ix_outbox_pending', ['id'], { where: '"relayed_at" IS NULL' })
// The retention purge: relayed rows by age.
@Index('ix_outbox_relayed', ['relayedAt'], { where: '"relayed_at" IS NOT NULL' })
// The lost-job sweep: relayed rows whose job has not been seen to finish, oldest first.
@Index('ix_outbox_unsettled', ['relayedAt'], { where: '"relayed_at" IS NOT NULL AND "settled_at" IS NULL' })
export class OutboxEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint' }) id!: string;
  @Column({ type: 'varchar', length: 60 }) jobName!: string;
  @Column({ type: 'jsonb' }) payload!: Record<string, unknown>;
  @Column({ type: 'varchar', length: 200 }) dedupeKey!: string;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
  @Column({ type: 'timestamptz', nullable: true }) relayedAt!: Date | null;
  /** The relayed job ran (its worker, or the sweep found it finished); until then the sweep watches it. */
  @Column({ type: 'timestamptz', nullable: true }) settledAt!: Date | null;
  @Column({ type: 'integer', default: 0 }) attempts!: number;
  @Column({ type: 'text', nullable: true }) lastError!: string | null;
}
