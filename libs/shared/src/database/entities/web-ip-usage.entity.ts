import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The public web form's per-address use over the last hour (apps/intake/src/web-form/ip-limit.service.ts):
 * the times of its recent submissions, by a salted hash of the address (no address is stored). One row per
 * address, updated in the statement that writes the submission's case: its row lock is what keeps
 * concurrent submissions from one address from slipping past the limit together.
 */
@Entity({ name: 'web_ip_usage' })
@Index('ix_web_ip_usage_updated', ['updatedAt'])
export class WebIpUsageEntity {
  @PrimaryColumn({ type: 'varchar', length: 32 }) ipHash!: string;
  /** Submissions within the hour (older ones are dropped as the row is next written). */
  @Column({ type: 'timestamptz', array: true, default: () => "'{}'" }) hits!: Date[];
  /** Those without the proof of work (no JavaScript): a stricter limit of their own. */
  @Column({ type: 'timestamptz', array: true, default: () => "'{}'" }) noJsHits!: Date[];
  @Column({ type: 'timestamptz', default: () => 'now()' }) updatedAt!: Date;
}

/**
 * What the public web form's POSTs weighed, per address and hour (`ip_hash` '*' = everybody): every attempt counts,
 * accepted or refused, and its declared bytes (apps/intake/src/web-form/upload-budget.guard.ts). Judged before a
 * byte of the body is read, so a flood of uploads costs a row update, not memory or disk.
 */
@Entity({ name: 'web_upload_usage' })
export class WebUploadUsageEntity {
  @PrimaryColumn({ type: 'timestamptz' }) hour!: Date;
  @PrimaryColumn({ type: 'varchar', length: 32 }) ipHash!: string;
  @Column({ type: 'int', default: 0 }) attempts!: number;
  @Column({ type: 'bigint', default: 0 }) bytes!: string;
}
