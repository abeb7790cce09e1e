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
} from 'typeorm';
import { reportKinds, type ReportKind } from '../../reports/report-periods';
import { inList } from './enums';
import { StaffEntity } from './staff.entity';

/**
 * A filed report (周报, 客服月报, 季度报告, 年度总结) with its documents: one row per kind and period (a unique
 * constraint, so two scheduler replicas or a double click file it once). `final` = generated after the period ended;
 * a report staff generated during its period is replaced by the scheduled one. Kept 2 years (002 §8.2) by the
 * retention purge, counted from the end of its period.
 */
@Entity({ name: 'reports' })
@Unique('uq_reports_kind_period', ['kind', 'periodKey'])
@Index('ix_reports_period_end', ['periodEnd'])
@Check('ck_reports_kind', inList('kind', reportKinds))
export class ReportEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'varchar', length: 10 }) kind!: ReportKind;
  /** 2026-W49, 2026-11, 2026-Q4, 2026. */
  @Column({ type: 'varchar', length: 10 }) periodKey!: string;
  /** Business-zone days [periodStart, periodEnd). */
  @Column({ type: 'date' }) periodStart!: string;
  @Column({ type: 'date' }) periodEnd!: string;
  @Column({ type: 'varchar', length: 100 }) title!: string;
  /** The figures the documents show (ReportData), for the API and the console. */
  @Column({ type: 'jsonb' }) figures!: Record<string, unknown>;
  @Column({ type: 'bytea' }) xlsx!: Buffer;
  @Column({ type: 'bytea' }) pdf!: Buffer;
  @Column({ type: 'integer' }) xlsxSize!: number;
  @Column({ type: 'integer' }) pdfSize!: number;
  @Column({ type: 'boolean' }) final!: boolean;
  /** 'schedule' or 'staff'. */
  @Column({ type: 'varchar', length: 10 }) trigger!: string;
  @Column({ type: 'uuid', nullable: true }) generatedById!: string | null;
  @ManyToOne(() => StaffEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'generated_by_id', foreignKeyConstraintName: 'fk_reports_generated_by' })
  generatedBy?: StaffEntity | null;
  @Column({ type: 'timestamptz' }) generatedAt!: Date;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}

export const reportDeliveryStatuses = ['sending', 'sent', 'failed'] as const;
export type ReportDeliveryStatus = (typeof reportDeliveryStatuses)[number];

/**
 * A report mailed to one address of the distribution list (REPORT_DISTRIBUTION): claimed as 'sending' before the SMTP
 * call (the primary key makes it once per report and address), then 'sent' with the Message-ID and the server's answer,
 * or 'failed'. A row left 'sending' by a crash is not sent again blindly (an SMTP server cannot be asked).
 */
@Entity({ name: 'report_deliveries' })
@Check('ck_report_deliveries_status', inList('status', reportDeliveryStatuses))
export class ReportDeliveryEntity {
  @PrimaryColumn({ type: 'uuid' }) reportId!: string;
  @PrimaryColumn({ type: 'varchar', length: 254 }) address!: string;
  @ManyToOne(() => ReportEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'report_id', foreignKeyConstraintName: 'fk_report_deliveries_report' })
  report?: ReportEntity;
  @Column({ type: 'varchar', length: 10 }) status!: ReportDeliveryStatus;
  @Column({ type: 'varchar', length: 300, nullable: true }) messageId!: string | null;
  @Column({ type: 'text', nullable: true }) detail!: string | null;
  @Column({ type: 'timestamptz' }) attemptedAt!: Date;
}
