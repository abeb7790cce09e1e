import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import request from 'supertest';
import { createTestDatabase, factories, startTestApp, testConfig, tokenFor, type TestDatabase } from '../testing';
import { intakeApp } from '../../../../apps/intake/src/intake.app';
import { grantAppRole } from './app-role';

/** Issue 16 (11): the apps connect as a role that reads and writes rows and can do nothing else. */
describe("the apps' least-privilege database role", () => {
  let db: TestDatabase;
  let appUrl: string;
  let role: string;
  let app: Client;

  beforeAll(async () => {
    db = await createTestDatabase();
    role = `kefu_app_${randomBytes(4).toString('hex')}`;
    const url = new URL(db.url);
    url.username = role;
    url.password = randomBytes(12).toString('hex');
    appUrl = url.toString();
    await grantAppRole(db.url, appUrl);
    await grantAppRole(db.url, appUrl); // every migrate run grants again: harmless
    app = new Client({ connectionString: appUrl });
    await app.connect();
  });
  afterAll(async () => {
    await app?.end();
    await db.dataSource.query(`DROP OWNED BY ${role}`);
    await db.drop();
    await db.dataSource.query(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
  });

  const refused = async (sql: string) => {
    const err = await app.query(sql).then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/permission denied|must be owner|must be superuser|must have/);
  };

  it('reads and writes rows, appends case events', async () => {
    const c = await factories.createCase(db.dataSource);
    await app.query(`UPDATE cases SET description = '改写的描述' WHERE id = $1`, [c.id]);
    await app.query(
      `INSERT INTO case_events (case_id, kind, actor_label, details) VALUES ($1, 'note', 'system', '{}')`,
      [c.id],
    );
    const events = await app.query(`SELECT kind FROM case_events WHERE case_id = $1 ORDER BY id`, [c.id]);
    expect(events.rows.map((r: { kind: string }) => r.kind)).toEqual(['created', 'note']);
  });

  it('cannot change history, the schema, its own powers or the migrations', async () => {
    await refused(`UPDATE case_events SET kind = kind`);
    await refused(`TRUNCATE case_events`);
    await refused(`ALTER TABLE case_events DISABLE TRIGGER ALL`);
    await refused(`DROP TABLE cases`);
    await refused(`CREATE TABLE stash (x int)`);
    await refused(`ALTER ROLE ${role} SUPERUSER`);
    await refused(`CREATE ROLE someone`);
    await refused(`DELETE FROM migrations`);
  });

  it('is enough for an app: intake logs a call as a case through it', async () => {
    let intake: INestApplication | undefined;
    try {
      intake = await startTestApp(intakeApp, testConfig({ DATABASE_URL: appUrl }));
      const token = await tokenFor(intake, 'operator');
      const res = await request(intake.getHttpServer())
        .post('/api/v1/hotline/calls')
        .set('Authorization', `Bearer ${token}`)
        .send({
          callerNumber: '13812345678',
          startedAt: new Date().toISOString(),
          durationSeconds: 60,
          summary: '电梯困人',
        })
        .expect(201);
      expect(res.body.case.number).toMatch(/^KF-\d{4}-\d{5}$/);
    } finally {
      await intake?.close();
    }
  });

  it('refuses a role name that is not a plain identifier, and the owner itself', async () => {
    const bad = new URL(appUrl);
    bad.username = 'x;drop';
    await expect(grantAppRole(db.url, bad.toString())).rejects.toThrow(/lower-case letters, digits and _/);
    await expect(grantAppRole(db.url, db.url)).rejects.toThrow(/must differ from the owner/);
  });
});
