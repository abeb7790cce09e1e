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
import { caseChannels, inList, type CaseChannel } from './enums';

export const intakeOutcomes = [
  'pending',
  'case_created',
  'added_to_case',
  'duplicate',
  'auto_reply',
  'bounce',
  'quarantined',
] as const;
export type IntakeOutcome = (typeof intakeOutcomes)[number];

/**
 * Every inbound item, stored as received before anything else happens, whatever becomes of it.
 * (source, external_id) is the exactly-once guard: a double submit, a re-imported CDR line or a
 * re-fetched mail finds its record and creates nothing twice.
 */
@Entity({ name: 'intake_records' })
@Unique('uq_intake_records_source_external', ['source', 'externalId'])
@Index('ix_intake_records_outcome', ['outcome', 'receivedAt'])
@Index('ix_intake_records_case', ['caseId'])
// The retention purge: items that never joined a case, by age.
@Index('ix_intake_records_caseless', ['receivedAt'], { where: '"case_id" IS NULL' })
// Message-ID plus content hash: the same mail delivered twice (two mailboxes, a resync) is refused.
@Index('uq_intake_records_message', ['messageId', 'contentHash'], { unique: true, where: '"message_id" IS NOT NULL' })
@Check('ck_intake_records_channel', inList('channel', caseChannels))
@Check('ck_intake_records_outcome', inList('outcome', intakeOutcomes))
export class IntakeRecordEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'varchar', length: 20 }) channel!: CaseChannel;
  /** Where it came from: 'hotline', 'web', 'cdr', 'suggestion_box', 'imap:<mailbox>'. */
  @Column({ type: 'varchar', length: 100 }) source!: string;
  /** The source's own id: idempotency key, CDR uniqueid, `<uidvalidity>:<uid>`. Null when it has none. */
  @Column({ type: 'varchar', length: 300, nullable: true }) externalId!: string | null;
  /** The item as received (JSON channels); raw MIME goes in raw_bytes (email). */
  @Column({ type: 'jsonb', nullable: true }) raw!: Record<string, unknown> | null;
  @Column({ type: 'varchar', length: 64, nullable: true }) contentHash!: string | null;
  /** Raw bytes as received (MIME for mail), kept before the item is acknowledged at its source. */
  @Column({ type: 'bytea', nullable: true, select: false }) rawBytes!: Buffer | null;
  /**
   * Delivery and feedback reports only: the report as intake parsed it (DeliveryReport in libs/shared/src/mail),
   * read by the notifier instead of parsing the mail again.
   */
  @Column({ type: 'jsonb', nullable: true }) deliveryReport!: Record<string, unknown> | null;
  /** Mail only: Message-ID without angle brackets. */
  @Column({ type: 'varchar', length: 500, nullable: true }) messageId!: string | null;
  @Column({ type: 'timestamptz' }) receivedAt!: Date;
  @Column({ type: 'varchar', length: 20, default: 'pending' }) outcome!: IntakeOutcome;
  /** Why it was quarantined, or which rule made it an auto-reply, etc. */
  @Column({ type: 'text', nullable: true }) outcomeReason!: string | null;
  @Column({ type: 'uuid', nullable: true }) caseId!: string | null;
  @ManyToOne(() => CaseEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'case_id', foreignKeyConstraintName: 'fk_intake_records_case' })
  case?: CaseEntity | null;
  @Column({ type: 'integer', default: 0 }) attempts!: number;
  @Column({ type: 'timestamptz', nullable: true }) processedAt!: Date | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}
