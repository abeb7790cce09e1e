import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { NotifyChannel } from './enums';

/** 业主: personal data (mobiles, email, address) — never logged unmasked, never put in queue payloads. */
@Entity({ name: 'owners' })
// GIN index for caller lookup (`mobiles @> ARRAY[...]`), created by hand in the migration.
@Index('ix_owners_mobiles', { synchronize: false })
// On lower(email), for intake's case-blind match of a reporter's address (no query reads email as typed); created by hand in the migration.
@Index('ix_owners_email_lower', { synchronize: false })
export class OwnerEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'varchar', length: 100 }) name!: string;
  /** Normalised mainland mobiles (11 digits) or landlines with area code, most preferred first. */
  @Column({ type: 'text', array: true, default: () => "'{}'" }) mobiles!: string[];
  @Column({ type: 'varchar', length: 254, nullable: true }) email!: string | null;
  /** Postal address and postcode for EMS letters. */
  @Column({ type: 'varchar', length: 300, nullable: true }) postalAddress!: string | null;
  @Column({ type: 'varchar', length: 6, nullable: true }) postcode!: string | null;
  @Column({ type: 'text', array: true, default: () => "'{sms}'" }) preferredChannels!: NotifyChannel[];
  /** Channels the owner has opted out of (e.g. Twilio 21610 STOP sets 'sms'). */
  @Column({ type: 'text', array: true, default: () => "'{}'" }) optOuts!: NotifyChannel[];
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt!: Date;
}
