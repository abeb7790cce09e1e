import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** How far a mailbox has been read: survives restarts; a changed UIDVALIDITY means resync from the start. */
@Entity({ name: 'mailbox_cursors' })
export class MailboxCursorEntity {
  /** The configured mailbox's name, e.g. 'cs' (customer-service mailbox) or 'bounces'. */
  @PrimaryColumn({ type: 'varchar', length: 100 }) mailbox!: string;
  @Column({ type: 'varchar', length: 200 }) folder!: string;
  @Column({ type: 'bigint' }) uidValidity!: string;
  @Column({ type: 'bigint', default: 0 }) lastUid!: string;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt!: Date;
}
