import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source.options';

/** Arbitrary but fixed: the advisory lock key that serialises migration runs across processes. */
const MIGRATION_LOCK_KEY = 4_242_001;

/**
 * Applies pending migrations under a Postgres advisory lock, so that two processes
 * starting at once (replicas, the dev runner and a test) never run them twice.
 * Returns the names of the migrations applied.
 */
export async function runMigrations(url: string): Promise<string[]> {
  const ds = new DataSource({ ...dataSourceOptions(url, { poolSize: 2, applicationName: 'kefu-migrate' }) });
  await ds.initialize();
  const runner = ds.createQueryRunner();
  try {
    await runner.connect();
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const applied = await ds.runMigrations({ transaction: 'each' });
      return applied.map((m) => m.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await runner.release();
    await ds.destroy();
  }
}

/** Reverts every applied migration, newest first (tests and `npm run migration:revert -- --all`). */
export async function revertAllMigrations(url: string): Promise<number> {
  const ds = new DataSource(dataSourceOptions(url, { poolSize: 2, applicationName: 'kefu-migrate' }));
  await ds.initialize();
  let reverted = 0;
  try {
    while ((await ds.query<Array<{ n: number }>>('SELECT count(*)::int AS n FROM migrations'))[0]!.n > 0) {
      await ds.undoLastMigration({ transaction: 'each' });
      reverted += 1;
    }
  } finally {
    await ds.destroy();
  }
  return reverted;
}
