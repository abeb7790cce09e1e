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
import { StaffEntity } from './staff.entity';

export const returnVisitVias = ['owner_link', 'phone', 'in_person', 'other'] as const;
export type ReturnVisitVia = (typeof returnVisitVias)[number];

/**
 * 回访: the owner's verdict on a resolved case, one per round (the n-th time it was resolved) — from the
 * public page behind the return-visit request's link, or as staff logged it after a call or a visit. The
 * unique (case, round) is what makes the link work once and keeps staff and owner from both recording it.
 */
@Entity({ name: 'return_visits' })
@Unique('uq_return_visits_case_round', ['caseId', 'round'])
@Index('ix_return_visits_created', ['createdAt'])
@Check('ck_return_visits_rating', 'rating IS NULL OR rating BETWEEN 1 AND 5')
@Check('ck_return_visits_round', 'round >= 1')
export class ReturnVisitEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'uuid' }) caseId!: string;
  @ManyToOne(() => CaseEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'case_id', foreignKeyConstraintName: 'fk_return_visits_case' })
  case?: CaseEntity;
  @Column({ type: 'smallint' }) round!: number;
  @Column({ type: 'varchar', length: 20 }) via!: ReturnVisitVia;
  @Column({ type: 'boolean' }) satisfied!: boolean;
  /** 1–5 (5 = very satisfied); staff may leave it out after a call. */
  @Column({ type: 'smallint', nullable: true }) rating!: number | null;
  @Column({ type: 'text', nullable: true }) comments!: string | null;
  /** Who logged it; null when the owner answered through the link. */
  @Column({ type: 'uuid', nullable: true }) recordedById!: string | null;
  @ManyToOne(() => StaffEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'recorded_by_id', foreignKeyConstraintName: 'fk_return_visits_recorded_by' })
  recordedBy?: StaffEntity | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}
