import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { inList } from './enums';

/** What an auth_events row records: logins (each failure, each lockout, each success) and changes to staff accounts. */
export const authEventKinds = [
  'login_succeeded',
  'login_failed',
  'login_locked',
  'staff_created',
  'staff_deactivated',
  'staff_reactivated',
  'role_changed',
  'password_reset',
  'password_changed',
] as const;
export type AuthEventKind = (typeof authEventKinds)[number];

/**
 * The audit trail of staff sign-ins and account changes (libs/shared/src/auth/auth-events.ts is its only
 * writer). Never holds a password: a login row keeps the login as typed (truncated) and the client address.
 * No foreign keys: a row outlives the account and records unknown logins too.
 */
@Entity({ name: 'auth_events' })
@Index('ix_auth_events_at', ['at'])
@Index('ix_auth_events_staff', ['staffId', 'at'])
@Check('ck_auth_events_kind', inList('kind', authEventKinds))
export class AuthEventEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint' }) id!: string;
  @Column({ type: 'timestamptz', default: () => 'now()' }) at!: Date;
  @Column({ type: 'varchar', length: 30 }) kind!: AuthEventKind;
  /** The login as typed at the login form (first 60 characters), or the account's login for a change. */
  @Column({ type: 'varchar', length: 60, nullable: true }) login!: string | null;
  /** The account concerned, when known (a successful login, the target of a change). */
  @Column({ type: 'uuid', nullable: true }) staffId!: string | null;
  /** Who made a change (an admin, or the person changing their own password); null for logins. */
  @Column({ type: 'uuid', nullable: true }) actorId!: string | null;
  /** The client address (Express `req.ip`). */
  @Column({ type: 'varchar', length: 64, nullable: true }) clientAddress!: string | null;
  /** e.g. `{ from: 'cs_rep', to: 'dept_manager' }`, `{ lockedSeconds: 60, scope: 'login' }`. */
  @Column({ type: 'jsonb', default: () => "'{}'" }) details!: Record<string, unknown>;
}
