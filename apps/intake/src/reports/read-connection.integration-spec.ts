import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { READ_DATA_SOURCE, readDataSourceProvider } from '@kefu/shared';
import {
  createTestDatabase,
  expectEventually,
  factories,
  startTestApp,
  testConfig,
  tokenFor,
  type TestDatabase,
} from '@kefu/shared/testing';
import { intakeApp } from '../intake.app';

/**
 * DATABASE_READ_URL (issue 20): reports and the dashboard read through a second, read-only connection. The read role
 * here may even INSERT into one table, so a refused write proves the session itself is read-only.
 */
describe('reports through DATABASE_READ_URL', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let gm: string;
  const role = `kefu_read_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  const http = () => request(app.getHttpServer());
  const readUrl = (pw = password) => {
    const u = new URL(db.url);
    u.username = role;
    u.password = pw;
    return u.toString();
  };
  const readConnections = async () =>
    Number(
      (
        await db.dataSource.query<Array<{ n: string }>>(
          `SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'kefu-intake-read' AND datname = current_database()`,
        )
      )[0]!.n,
    );

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.dataSource.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
    await db.dataSource.query(`GRANT USAGE ON SCHEMA public TO ${role}`);
    await db.dataSource.query(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${role}`);
    await db.dataSource.query(`GRANT INSERT ON projects TO ${role}`);
    app = await startTestApp(intakeApp, testConfig({ DATABASE_URL: db.url, DATABASE_READ_URL: readUrl() }));
    gm = await tokenFor(app, 'gm');
    const project = await factories.createProject(db.dataSource, { code: 'RD', name: '读库花园' });
    await factories.createCase(db.dataSource, { projectId: project.id, projectCode: 'RD', status: 'new' });
  });

  afterAll(async () => {
    await app?.close();
    // The role is the cluster's, not the database's: its grants go first, then the role, then the database.
    await db?.dataSource.query(`DROP OWNED BY ${role}`).catch(() => undefined);
    await db?.dataSource.query(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
    await db?.drop();
  });

  it('the dashboard works, its figures read through the read connection', async () => {
    const res = await http().get('/api/v1/reports/open-cases').set('Authorization', `Bearer ${gm}`).expect(200);
    expect(res.body).toMatchObject({ totals: { open: 1 } });
    expect(await readConnections()).toBeGreaterThanOrEqual(1);
    const ds = app.get<DataSource>(READ_DATA_SOURCE);
    expect(ds).not.toBe(app.get(getDataSourceToken()));
    expect(ds.options).toMatchObject({ poolSize: 4, applicationName: 'kefu-intake-read' });
  });

  it('a write through it is refused by Postgres, though the role may insert', async () => {
    const ds = app.get<DataSource>(READ_DATA_SOURCE);
    await expect(
      ds.query(`INSERT INTO projects (id, code, name) VALUES (gen_random_uuid(), 'RX', '不该写入')`),
    ).rejects.toThrow(/read-only transaction/);
    expect(await db.dataSource.query(`SELECT 1 FROM projects WHERE code = 'RX'`)).toEqual([]);
  });

  it('/healthz reports the read connection, read-only', async () => {
    const res = await http().get('/healthz').expect(200);
    expect(res.body.info).toMatchObject({
      postgres: { status: 'up' },
      postgres_read: { status: 'up', readOnly: true },
    });
  });

  it('an unreachable read connection degrades reports only: /healthz stays 200 and says why, the report fails without a stack', async () => {
    await db.dataSource.query(`ALTER ROLE ${role} NOLOGIN`);
    await db.dataSource.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'kefu-intake-read'`,
    );
    try {
      await expectEventually(
        async () => {
          const res = await http().get('/healthz');
          expect(res.status).toBe(200);
          expect(res.body.info.postgres).toEqual({ status: 'up' });
          expect(res.body.info.postgres_read).toMatchObject({ status: 'up', degraded: true });
        },
        { timeoutMs: 15_000 },
      );
      const report = await http().get('/api/v1/reports/open-cases').set('Authorization', `Bearer ${gm}`);
      expect(report.status).toBeGreaterThanOrEqual(500);
      expect(JSON.stringify(report.body)).not.toMatch(/at \w+ \(|node_modules/);
    } finally {
      await db.dataSource.query(`ALTER ROLE ${role} LOGIN`);
    }
    await expectEventually(
      () => http().get('/api/v1/reports/open-cases').set('Authorization', `Bearer ${gm}`).expect(200),
      { timeoutMs: 15_000 },
    );
  });

  it('a read URL that cannot connect stops start-up, naming DATABASE_READ_URL and not its password', async () => {
    const wrong = 'not-the-password';
    const config = testConfig({ DATABASE_URL: db.url, DATABASE_READ_URL: readUrl(wrong) });
    // The provider as the app's start-up runs it (a whole failed boot would leave its Redis clients behind).
    const boot = async () => readDataSourceProvider('intake').useFactory(config, app.get(getDataSourceToken()));
    const err = await boot().then(
      () => new Error('connected'),
      (e: unknown) => e as Error,
    );
    expect(err.message).toMatch(/^DATABASE_READ_URL: cannot connect \(.*password authentication failed/);
    expect(err.message).not.toContain(wrong);
  });

  it('without DATABASE_READ_URL reports read the primary and /healthz has no postgres_read', async () => {
    const plain = await startTestApp(intakeApp, testConfig({ DATABASE_URL: db.url }));
    try {
      expect(plain.get(READ_DATA_SOURCE)).toBe(plain.get(getDataSourceToken()));
      const res = await request(plain.getHttpServer()).get('/healthz').expect(200);
      expect(res.body.info.postgres_read).toBeUndefined();
    } finally {
      await plain.close();
    }
  });
});
