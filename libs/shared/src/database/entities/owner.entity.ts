import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { NotifyChannel } from './enums';

/** 业主: personal data (mobiles, email, address) — never logged unmasked, never put in queue payloads. */
@Entity({ name: 'owners' })
// GIN index for caller lookup (`mobiles @> ARRAY[...]`), created by hand in the migration.
@Index('ix_owners_mobiles', { synchronize: false })
// On lower(email), for intake's case-blind match of a reporter's address (no query reads email as typed); created by hand in the migration.
@Index('ix_owners_email_lower', { synchronize: false })
// An erased owner keeps no contact detail (written by hand in migration Retention).
@Check(
  'ck_owners_erased',
  `"erased_at" IS NULL OR ("email" IS NULL AND "postal_address" IS NULL AND "postcode" IS NULL AND "mobiles" = '{}')`,
)
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
  /** The owner asked for no greetings or other marketing (estate notices of kind holiday_greeting leave them out). */
  @Column({ type: 'boolean', default: false }) marketingOptOut!: boolean;
  /** Set when the owner's personal data was erased on request (PIPL; apps/intake/src/privacy): the row stays, anonymised. */
  @Column({ type: 'timestamptz', nullable: true }) erasedAt!: Date | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt!: Date;
}
