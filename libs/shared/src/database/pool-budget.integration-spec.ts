import { createTestDatabase, type TestDatabase } from '../testing';
import { poolBudgetWarning } from './pool-budget';

/** The start-up check of DB_POOL_SIZE against what the real Postgres allows and has open. */
describe('poolBudgetWarning', () => {
  let db: TestDatabase;
  let max: number;
  let reserved: number;

  beforeAll(async () => {
    db = await createTestDatabase();
    const [row] = await db.dataSource.query<Array<{ max: number; reserved: number }>>(
      `SELECT current_setting('max_connections')::int AS max,
              current_setting('superuser_reserved_connections')::int AS reserved`,
    );
    ({ max, reserved } = row!);
  });
  afterAll(() => db.drop());

  it('says nothing while the pool fits', async () => {
    await expect(poolBudgetWarning(db.dataSource, 2)).resolves.toBeUndefined();
  });

  it('warns, with the figures, when the pool would pass max_connections minus the reserve', async () => {
    const warning = await poolBudgetWarning(db.dataSource, max);
    expect(warning).toContain(`Postgres allows ${max - reserved} connections (max_connections ${max}`);
    expect(warning).toContain(`this process may open ${max} (DB_POOL_SIZE)`);
  });
});
