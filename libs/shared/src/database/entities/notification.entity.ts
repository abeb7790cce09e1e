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
import { CaseEntity } from './case.entity';
import { inList, notifyChannels, type NotifyChannel } from './enums';
import { OwnerEntity } from './owner.entity';
import { StaffEntity } from './staff.entity';

/** One template per kind (apps/notifier renders them). */
export const notificationKinds = [
  'case_acknowledgement',
  'case_reply',
  'staff_reminder',
  'escalation',
  'staff_digest',
  'warranty_expiry',
  'certificate_collection',
  'return_visit_request',
  'survey_invitation',
  'visit_due',
  'estate_notice',
  'estate_update',
  'case_writeup_shared',
  'sms_template_refused',
] as const;
export type NotificationKind = (typeof notificationKinds)[number];

/**
 * pending → sending → sent → delivered / undelivered / failed / bounced / returned / signed_for;
 * cancelled when what it was about no longer holds (a reminder for a step already done).
 */
export const notificationStatuses = [
  'pending',
  'sending',
  'sent',
  'delivered',
  'undelivered',
  'failed',
  'bounced',
  'returned',
  'signed_for',
  'cancelled',
] as const;
export type NotificationStatus = (typeof notificationStatuses)[number];

/** owner: an owner row; staff: a staff row; case_reporter: whoever reported the case (its reporter phone / email), matched or not. */
export const recipientTypes = ['owner', 'staff', 'case_reporter'] as const;
export type RecipientType = (typeof recipientTypes)[number];

/**
 * A message someone asked for. Intake and the scheduler insert rows, only through
 * libs/shared/src/notifications; only the notifier renders, sends and records receipts. The idempotency
 * key is the exactly-once guard, built by notificationKeys (e.g. `warranty:{unit}:{item}:{expiry}:{owner}`).
 */
@Entity({ name: 'notifications' })
@Unique('uq_notifications_idempotency_key', ['idempotencyKey'])
@Index('ix_notifications_status', ['status', 'notBefore'])
// Partial where a column is often empty (estate-wide notices have no case, and no provider id or address
// until sent): a row written without it costs no entry there — the heating-notice day writes 70,000.
@Index('ix_notifications_case', ['caseId'], { where: '"case_id" IS NOT NULL' })
@Index('ix_notifications_owner', ['ownerId'])
// The retention purge: messages about no case (estate-wide notices, staff digests), by age.
@Index('ix_notifications_caseless', ['createdAt'], { where: '"case_id" IS NULL' })
@Index('ix_notifications_source', ['sourceType', 'sourceId'])
// An estate-wide notice's progress (queued / sent / delivered / failed) counted from the index alone.
@Index('ix_notifications_notice_status', ['sourceId', 'status'], { where: `"source_type" = 'notice'` })
@Index('ix_notifications_provider', ['providerId'], { where: '"provider_id" IS NOT NULL' })
// Messages to a number by send time (the one acknowledgement a day per reporter's number).
@Index('ix_notifications_to_address', ['toAddress', 'sentAt'], { where: '"to_address" IS NOT NULL' })
// The claim's same-text-to-same-number limit (3 in 24 h): on (to_address, md5(body), sent_at) for SMS, created by hand
// in migration NotificationSameTextIndex (an expression index).
@Index('ix_notifications_sms_same_text', { synchronize: false })
@Check('ck_notifications_kind', inList('kind', notificationKinds))
@Check('ck_notifications_status', inList('status', notificationStatuses))
@Check('ck_notifications_recipient_type', inList('recipient_type', recipientTypes))
@Check('ck_notifications_sms_route', `"sms_route" IS NULL OR "sms_route" IN ('twilio', 'aliyun', 'tencent')`)
@Check('ck_notifications_channel', `"channel" IS NULL OR ${inList('channel', notifyChannels)}`)
@Check(
  'ck_notifications_recipient',
  `("recipient_type" = 'owner') = ("owner_id" IS NOT NULL) AND ("recipient_type" = 'staff') = ("staff_id" IS NOT NULL) AND ("recipient_type" <> 'case_reporter' OR "case_id" IS NOT NULL)`,
)
export class NotificationEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'varchar', length: 200 }) idempotencyKey!: string;
  @Column({ type: 'varchar', length: 40 }) kind!: NotificationKind;
  /** Null = the notifier chooses from the recipient's preferences and opt-outs. */
  @Column({ type: 'varchar', length: 10, nullable: true }) channel!: NotifyChannel | null;
  @Column({ type: 'varchar', length: 20 }) recipientType!: RecipientType;
  @Column({ type: 'uuid', nullable: true }) ownerId!: string | null;
  @ManyToOne(() => OwnerEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'owner_id', foreignKeyConstraintName: 'fk_notifications_owner' })
  owner?: OwnerEntity | null;
  @Column({ type: 'uuid', nullable: true }) staffId!: string | null;
  @ManyToOne(() => StaffEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'staff_id', foreignKeyConstraintName: 'fk_notifications_staff' })
  staff?: StaffEntity | null;
  @Column({ type: 'uuid', nullable: true }) caseId!: string | null;
  @ManyToOne(() => CaseEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'case_id', foreignKeyConstraintName: 'fk_notifications_case' })
  case?: CaseEntity | null;
  /** What asked for it, e.g. ('reminder', id), ('warranty_notice', id), ('certificate_notice', id). */
  @Column({ type: 'varchar', length: 40, nullable: true }) sourceType!: string | null;
  @Column({ type: 'uuid', nullable: true }) sourceId!: string | null;
  /** Template variables (checked when rendered). Stays in Postgres: may hold personal data. */
  @Column({ type: 'jsonb', default: () => "'{}'" }) variables!: Record<string, unknown>;
  /** Urgent messages ignore SMS quiet hours. */
  @Column({ type: 'boolean', default: false }) urgent!: boolean;
  /** Not to be sent before this time (quiet hours, retry backoff, a scheduled notice). */
  @Column({ type: 'timestamptz', default: () => 'now()' }) notBefore!: Date;
  /** Set by a producer catching up after downtime: the notice fell due earlier. */
  @Column({ type: 'boolean', default: false }) late!: boolean;
  @Column({ type: 'varchar', length: 20, default: 'pending' }) status!: NotificationStatus;
  @Column({ type: 'integer', default: 0 }) attempts!: number;
  /** The destination used (phone, email, postal address), recorded when sending. */
  @Column({ type: 'varchar', length: 400, nullable: true }) toAddress!: string | null;
  @Column({ type: 'text', nullable: true }) subject!: string | null;
  @Column({ type: 'text', nullable: true }) body!: string | null;
  @Column({ type: 'text', nullable: true }) html!: string | null;
  /** SMS parts (UCS-2: 70 characters, 67 per part). */
  @Column({ type: 'integer', nullable: true }) segments!: number | null;
  /** Twilio SID, email Message-ID (without brackets) or EMS waybill number. */
  @Column({ type: 'varchar', length: 500, nullable: true }) providerId!: string | null;
  /**
   * SMS only: the provider the attempt went through (twilio, aliyun, tencent), recorded before the provider is
   * called so receipts and reconciliation ask the right one.
   */
  @Column({ type: 'varchar', length: 10, nullable: true }) smsRoute!: string | null;
  @Column({ type: 'varchar', length: 40, nullable: true }) errorCode!: string | null;
  @Column({ type: 'text', nullable: true }) errorMessage!: string | null;
  /** A fallback (SMS failed → email → letter) points at the notification it replaces. */
  @Column({ type: 'uuid', nullable: true }) fallbackOfId!: string | null;
  @ManyToOne(() => NotificationEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'fallback_of_id', foreignKeyConstraintName: 'fk_notifications_fallback_of' })
  fallbackOf?: NotificationEntity | null;
  @Column({ type: 'timestamptz', nullable: true }) sentAt!: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) deliveredAt!: Date | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt!: Date;
}

/**
 * Proof of delivery: what a provider told us and when. Append-only (trigger in the migration).
 * `dedupeKey` (unique where set) makes a replayed callback or re-imported tracking line a no-op.
 */
@Entity({ name: 'notification_receipts' })
@Index('ix_notification_receipts_notification', ['notificationId', 'occurredAt'])
@Index('uq_notification_receipts_dedupe', ['dedupeKey'], { unique: true, where: '"dedupe_key" IS NOT NULL' })
export class NotificationReceiptEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint' }) id!: string;
  @Column({ type: 'uuid' }) notificationId!: string;
  @ManyToOne(() => NotificationEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'notification_id', foreignKeyConstraintName: 'fk_notification_receipts_notification' })
  notification?: NotificationEntity;
  /** When the provider says it happened (callback time, tracking scan time). */
  @Column({ type: 'timestamptz' }) occurredAt!: Date;
  /** The status this receipt reports (may be older than the notification's current status). */
  @Column({ type: 'varchar', length: 20 }) status!: string;
  /** 'twilio', 'smtp', 'dsn', 'ems', 'notifier'. */
  @Column({ type: 'varchar', length: 20 }) source!: string;
  @Column({ type: 'text', nullable: true }) detail!: string | null;
  /** The provider's payload as received. */
  @Column({ type: 'jsonb', nullable: true }) raw!: Record<string, unknown> | null;
  @Column({ type: 'varchar', length: 300, nullable: true }) dedupeKey!: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}
