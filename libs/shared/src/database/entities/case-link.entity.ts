import {
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

/** Cases linked, not merged: a possible duplicate (same owner or unit, similar text, within 7 days). */
@Entity({ name: 'case_links' })
@Unique('uq_case_links_pair', ['caseId', 'linkedCaseId', 'kind'])
@Index('ix_case_links_linked', ['linkedCaseId'])
export class CaseLinkEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'uuid' }) caseId!: string;
  @ManyToOne(() => CaseEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'case_id', foreignKeyConstraintName: 'fk_case_links_case' })
  case?: CaseEntity;
  @Column({ type: 'uuid' }) linkedCaseId!: string;
  @ManyToOne(() => CaseEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'linked_case_id', foreignKeyConstraintName: 'fk_case_links_linked_case' })
  linkedCase?: CaseEntity;
  @Column({ type: 'varchar', length: 30, default: 'possible_duplicate' }) kind!: 'possible_duplicate';
  /** Text similarity 0..1 that suggested the link. */
  @Column({ type: 'real' }) score!: number;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}
