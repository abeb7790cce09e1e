import { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '../testing';
import { dataSourceOptions } from './data-source.options';
import { revertAllMigrations, runMigrations } from './migrate';

const tables = async (ds: DataSource) =>
  (
    await ds.query<Array<{ tablename: string }>>(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`,
    )
  ).map((r) => r.tablename);

describe('migrations', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ empty: true });
  });
  afterAll(() => db.drop());

  it('apply to an empty database, match the entities exactly, and roll back to nothing', async () => {
    expect(await tables(db.dataSource)).toEqual([]);

    const applied = await runMigrations(db.url);
    expect(applied.length).toBeGreaterThan(0);
    expect(await tables(db.dataSource)).toEqual(
      expect.arrayContaining([
        'projects',
        'buildings',
        'units',
        'owners',
        'owner_units',
        'departments',
        'staff',
        'cases',
        'case_events',
        'case_number_counters',
        'calendar_overrides',
      ]),
    );
    // Running again is a no-op (a second replica booting).
    expect(await runMigrations(db.url)).toEqual([]);

    // Drift: what `migration:generate` would write. Empty means entities and migrations agree.
    const check = new DataSource(dataSourceOptions(db.url, { poolSize: 1 }));
    await check.initialize();
    const pending = await check.driver.createSchemaBuilder().log();
    await check.destroy();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);

    expect(await revertAllMigrations(db.url)).toBe(applied.length);
    expect(await tables(db.dataSource)).toEqual(['migrations']);
  });

  it('two processes migrating at once apply each migration once', async () => {
    const other = await createTestDatabase({ empty: true });
    try {
      const [a, b] = await Promise.all([runMigrations(other.url), runMigrations(other.url)]);
      expect([...a, ...b].sort()).toEqual([...new Set([...a, ...b])].sort());
      expect(a.length + b.length).toBeGreaterThan(0);
    } finally {
      await other.drop();
    }
  });
});
