import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { CaseEntity } from './case.entity';

/**
 * Message-IDs of mail we sent about a case (filled by the notifier). An inbound mail whose
 * In-Reply-To or References names one of them joins that case's timeline instead of opening a new case.
 */
@Entity({ name: 'sent_messages' })
@Index('ix_sent_messages_case', ['caseId'])
export class SentMessageEntity {
  /** Without angle brackets (mailparser reports them with brackets; intake strips them when reading). */
  @PrimaryColumn({ type: 'varchar', length: 500 }) messageId!: string;
  @Column({ type: 'uuid' }) caseId!: string;
  @ManyToOne(() => CaseEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'case_id', foreignKeyConstraintName: 'fk_sent_messages_case' })
  case?: CaseEntity;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}
