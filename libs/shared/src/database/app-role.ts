import { Client, escapeIdentifier, escapeLiteral } from 'pg';

/** Tables the apps only ever add to: no UPDATE, no TRUNCATE for the apps' role (DELETE only through the purge). */
const APPEND_ONLY = ['case_events'];

/**
 * Creates (or updates) the role the three apps connect as, and gives it exactly what they need, run after every
 * migration by the owner (`cli migrate` with APP_DATABASE_URL; `npm start` does it too): log in, read and write the
 * tables' rows, use their sequences — and nothing more. It owns nothing, so it cannot alter a table or disable
 * the trigger that keeps `case_events` append-only; it is no superuser, cannot create roles, databases or tables
 * (Postgres 15+ gives PUBLIC no CREATE on schema public), and has no UPDATE or TRUNCATE on the append-only tables.
 *
 * `appUrl` names the role and its password (postgres://kefu_app:<password>@…); the owner's connection is `ownerUrl`.
 */
export async function grantAppRole(ownerUrl: string, appUrl: string): Promise<{ role: string }> {
  const app = new URL(appUrl);
  const role = decodeURIComponent(app.username);
  const password = decodeURIComponent(app.password);
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(role))
    throw new Error(`APP_DATABASE_URL: the role name "${role}" must be lower-case letters, digits and _`);
  if (!password) throw new Error('APP_DATABASE_URL: give the role a password (postgres://role:password@host/db)');
  const owner = new Client({ connectionString: ownerUrl, application_name: 'kefu-migrate' });
  await owner.connect();
  try {
    const [{ user, db }] = (
      await owner.query<{ user: string; db: string }>(`SELECT current_user AS user, current_database() AS db`)
    ).rows as [{ user: string; db: string }];
    if (user === role)
      throw new Error("APP_DATABASE_URL: the apps' role must differ from the owner that runs migrations");
    const r = escapeIdentifier(role);
    const attributes = 'LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS';
    const exists = (await owner.query(`SELECT 1 FROM pg_roles WHERE rolname = $1`, [role])).rowCount;
    // Two migrate runs at once (replicas): the second CREATE may find the role made; ALTER settles it either way.
    if (!exists) await owner.query(`CREATE ROLE ${r} ${attributes}`).catch(() => undefined);
    await owner.query(`ALTER ROLE ${r} ${attributes} PASSWORD ${escapeLiteral(password)}`);
    await owner.query(`REVOKE ALL ON DATABASE ${escapeIdentifier(db)} FROM PUBLIC`);
    await owner.query(`GRANT CONNECT, TEMPORARY ON DATABASE ${escapeIdentifier(db)} TO ${r}`);
    await owner.query(`GRANT USAGE ON SCHEMA public TO ${r}`);
    await owner.query(`REVOKE CREATE ON SCHEMA public FROM PUBLIC, ${r}`);
    await owner.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${r}`);
    await owner.query(`GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO ${r}`);
    await owner.query(`REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON migrations FROM ${r}`);
    for (const table of APPEND_ONLY)
      await owner.query(`REVOKE UPDATE, TRUNCATE ON ${escapeIdentifier(table)} FROM ${r}`);
    return { role };
  } finally {
    await owner.end();
  }
}
