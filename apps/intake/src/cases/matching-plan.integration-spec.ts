import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { createTestDatabase, factories, startTestApp, testConfig, type TestDatabase } from '@kefu/shared/testing';
import { intakeApp } from '../intake.app';
import { CaseIntakeService } from './case-intake.service';

/**
 * The matching read is one prepared statement; Postgres must be able to keep one plan for it (a generic
 * plan) instead of planning it anew for every case. With a real estate's worth of owners, the read as it
 * was (owners by `mobiles && $1 OR lower(email) = $2`, units by a join) had no generic plan Postgres
 * would take, and planning it cost 1.2–1.8 ms per case: more than running it (0.5 ms) and more than half
 * of Postgres' whole share of a hotline case in bench:intake.
 */
describe('the matching read keeps one plan', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let projectId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    // One connection: every statement (and pg_prepared_statements, which is per session) on the same one.
    app = await startTestApp(intakeApp, testConfig({ DATABASE_URL: db.url, DB_POOL_SIZE: '1' }));
    projectId = (await factories.createProject(db.dataSource, { code: 'PLAN01' })).id;
    const ds = db.dataSource;
    // An estate of 2,000 units with an owner each, as in bench:intake (mobiles 13900000000 + n).
    await ds.query(`INSERT INTO buildings (project_id, name) SELECT $1, b || '栋' FROM generate_series(1, 20) b`, [
      projectId,
    ]);
    await ds.query(
      `INSERT INTO units (project_id, building_id, entrance, room, floor) SELECT b.project_id, b.id, '1', (f * 100 + r)::text, f FROM buildings b, generate_series(1, 20) f, generate_series(1, 5) r WHERE b.project_id = $1`,
      [projectId],
    );
    await ds.query(
      `WITH u AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM units WHERE project_id = $1),
            o AS (INSERT INTO owners (name, mobiles, email) SELECT '业主' || n, ARRAY[(13900000000 + n)::text], 'owner' || n || '@example.com' FROM u RETURNING id, mobiles)
       INSERT INTO owner_units (owner_id, unit_id, relation, is_primary_contact) SELECT o.id, u.id, 'owner', true FROM o JOIN u ON o.mobiles[1] = (13900000000 + u.n)::text`,
      [projectId],
    );
    await ds.query('ANALYZE');
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('runs on a generic plan after the first few cases, whoever the reporter is', async () => {
    const intake = app.get(CaseIntakeService);
    for (let i = 1; i <= 12; i++) {
      // Callers, mail reporters and unknown numbers in turn: one plan must serve them all.
      const reporter =
        i % 3 === 0
          ? { email: `Owner${i}@Example.com` }
          : i % 3 === 1
            ? { phones: [String(13900000000 + i * 37)] }
            : { phones: ['13600000000'] };
      const { caseRow } = await intake.create({
        channel: 'hotline',
        source: 'plan-test',
        externalId: `p${i}`,
        raw: {},
        receivedAt: new Date(),
        reporter,
        description: `卫生间漏水 ${i}`,
        actor: { kind: 'system', label: 'test' },
      });
      // Still the right owner, by number or (case-blind) by address.
      if (i % 3 !== 2) expect(caseRow.ownerId).not.toBeNull();
      else expect(caseRow.ownerId).toBeNull();
    }
    const rows = await app
      .get(DataSource)
      .query<Array<{ generic_plans: string; custom_plans: string }>>(
        `SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE 'WITH o AS%'`,
      );
    expect(rows).toHaveLength(1);
    // Postgres tries 5 custom plans before it compares; every case after those ran on the kept plan.
    expect(Number(rows[0]!.custom_plans)).toBeLessThanOrEqual(5);
    expect(Number(rows[0]!.generic_plans)).toBeGreaterThanOrEqual(7);
  });
});
