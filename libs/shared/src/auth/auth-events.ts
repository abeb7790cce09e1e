import type { DataSource, EntityManager } from 'typeorm';
import type { AuthEventKind } from '../database/entities';

export interface AuthEventInput {
  kind: AuthEventKind;
  /** The login as typed (kept to its first 60 characters), or the account's login. */
  login?: string | null;
  staffId?: string | null;
  actorId?: string | null;
  clientAddress?: string | null;
  details?: Record<string, unknown>;
}

/**
 * The one writer of `auth_events`, the audit trail of logins and staff-account changes. Pass the
 * transaction's manager when the event belongs to a change, so both commit or neither. Never give it a password.
 */
export async function recordAuthEvent(m: DataSource | EntityManager, e: AuthEventInput): Promise<void> {
  await m.query(
    `INSERT INTO auth_events (kind, login, staff_id, actor_id, client_address, details) VALUES ($1, $2, $3, $4, $5, $6)`,
    [
      e.kind,
      e.login == null ? null : e.login.slice(0, 60),
      e.staffId ?? null,
      e.actorId ?? null,
      e.clientAddress == null ? null : e.clientAddress.slice(0, 64),
      JSON.stringify(e.details ?? {}),
    ],
  );
}
