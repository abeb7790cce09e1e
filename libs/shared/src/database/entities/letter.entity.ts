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
  UpdateDateColumn,
} from 'typeorm';
import { inList } from './enums';
import { NotificationEntity } from './notification.entity';
import { StaffEntity } from './staff.entity';

/**
 * Where a letter is in the EMS pipeline: generated (PDF made) → manifested (in a batch handed to the
 * post office) → posted (waybill recorded) → accepted (收寄) → in_transit → out_for_delivery (派送中) →
 * signed_for (妥投) / returned (退回); undelivered (未妥投) is an interim failed attempt.
 */
export const letterStatuses = [
  'generated',
  'manifested',
  'posted',
  'accepted',
  'in_transit',
  'out_for_delivery',
  'undelivered',
  'signed_for',
  'returned',
] as const;
export type LetterStatus = (typeof letterStatuses)[number];

/** A batch of letters handed to the post office as one bulk EMS order (its CSV is the order form). */
@Entity({ name: 'letter_manifests' })
export class LetterManifestEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'integer' }) letterCount!: number;
  @Column({ type: 'uuid', nullable: true }) createdById!: string | null;
  @ManyToOne(() => StaffEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'created_by_id', foreignKeyConstraintName: 'fk_letter_manifests_created_by' })
  createdBy?: StaffEntity | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}

/**
 * One EMS letter per letter notification (apps/notifier/src/letters): the PDF as printed, the address
 * block as it was when the letter was made (personal data: stays in Postgres), its manifest, the
 * waybill number (邮件号) the post office gave it and what tracking said last.
 */
@Entity({ name: 'letters' })
@Unique('uq_letters_notification', ['notificationId'])
@Unique('uq_letters_reference', ['reference'])
@Index('uq_letters_waybill', ['waybill'], { unique: true, where: '"waybill" IS NOT NULL' })
@Index('ix_letters_status', ['status', 'createdAt'])
@Index('ix_letters_manifest', ['manifestId'])
@Check('ck_letters_status', inList('status', letterStatuses))
export class LetterEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'uuid' }) notificationId!: string;
  @ManyToOne(() => NotificationEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'notification_id', foreignKeyConstraintName: 'fk_letters_notification' })
  notification?: NotificationEntity;
  /** Printed on the letter and in the manifest: `KF` + 12 hex digits of the notification id. */
  @Column({ type: 'varchar', length: 30 }) reference!: string;
  @Column({ type: 'varchar', length: 100 }) recipientName!: string;
  @Column({ type: 'varchar', length: 300 }) postalAddress!: string;
  @Column({ type: 'varchar', length: 6, nullable: true }) postcode!: string | null;
  /** The recipient's phone for the EMS order form (the courier calls before delivery). */
  @Column({ type: 'varchar', length: 30, nullable: true }) phone!: string | null;
  @Column({ type: 'bytea', select: false }) pdf!: Buffer;
  @Column({ type: 'integer' }) pdfSize!: number;
  @Column({ type: 'varchar', length: 64 }) pdfSha256!: string;
  @Column({ type: 'varchar', length: 20, default: 'generated' }) status!: LetterStatus;
  @Column({ type: 'uuid', nullable: true }) manifestId!: string | null;
  @ManyToOne(() => LetterManifestEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'manifest_id', foreignKeyConstraintName: 'fk_letters_manifest' })
  manifest?: LetterManifestEntity | null;
  /** EMS 邮件号: UPU S10 (EA123456785CN) or a 13-digit domestic number. */
  @Column({ type: 'varchar', length: 13, nullable: true }) waybill!: string | null;
  /** 签收人 from the 妥投 tracking line. */
  @Column({ type: 'varchar', length: 100, nullable: true }) signer!: string | null;
  @Column({ type: 'timestamptz', nullable: true }) postedAt!: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) lastEventAt!: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) signedAt!: Date | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt!: Date;
}
