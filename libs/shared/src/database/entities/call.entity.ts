import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { CaseEntity } from './case.entity';
import { IntakeRecordEntity } from './intake-record.entity';
import { StaffEntity } from './staff.entity';

/** A hotline call: logged by an operator, or imported from the phone system's CDR (missed / voicemail). */
@Entity({ name: 'calls' })
@Index('ix_calls_caller', ['callerDigits', 'startedAt'])
@Index('ix_calls_case', ['caseId'])
// The retention purge's recordings still held.
@Index('ix_calls_recording_held', ['startedAt'], { where: '"recording_ref" IS NOT NULL' })
@Check('ck_calls_direction', `"direction" IN ('in', 'out')`)
@Check('ck_calls_duration', '"duration_seconds" >= 0')
export class CallEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'uuid' }) caseId!: string;
  @ManyToOne(() => CaseEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'case_id', foreignKeyConstraintName: 'fk_calls_case' })
  case?: CaseEntity;
  @Column({ type: 'uuid' }) intakeRecordId!: string;
  @ManyToOne(() => IntakeRecordEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'intake_record_id', foreignKeyConstraintName: 'fk_calls_intake_record' })
  intakeRecord?: IntakeRecordEntity;
  /** Caller ID exactly as the phone system gave it. */
  @Column({ type: 'varchar', length: 40 }) callerNumber!: string;
  /** Normalised digits (see libs/shared/src/phone/phone.ts); null when not a phone number (withheld). */
  @Column({ type: 'varchar', length: 20, nullable: true }) callerDigits!: string | null;
  @Column({ type: 'timestamptz' }) startedAt!: Date;
  @Column({ type: 'integer', default: 0 }) durationSeconds!: number;
  @Column({ type: 'varchar', length: 3, default: 'in' }) direction!: 'in' | 'out';
  /** Out of hours the recorded voicemail took the message (002 §7.1.1). */
  @Column({ type: 'boolean', default: false }) voicemail!: boolean;
  /** Nobody answered and no message was left: a callback is owed. */
  @Column({ type: 'boolean', default: false }) missed!: boolean;
  @Column({ type: 'varchar', length: 300, nullable: true }) recordingRef!: string | null;
  /** Recordings are kept at least 30 days (004 篇3 §4.5); longer for unresolved special cases. */
  @Column({ type: 'date', nullable: true }) recordingKeepUntil!: string | null;
  /** When the retention purge dropped the recording's reference (its period over, the case resolved). */
  @Column({ type: 'timestamptz', nullable: true }) recordingPurgedAt!: Date | null;
  @Column({ type: 'uuid', nullable: true }) operatorId!: string | null;
  @ManyToOne(() => StaffEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'operator_id', foreignKeyConstraintName: 'fk_calls_operator' })
  operator?: StaffEntity | null;
  @Column({ type: 'text' }) summary!: string;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}
