import request from 'supertest';
import { createTestDatabase, startTestApp, testConfig, type TestDatabase } from '@kefu/shared/testing';
import { freePort } from '@kefu/shared';
import { intakeApp } from '../apps/intake/src/intake.app';

describe('/healthz', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('answers 200 with Postgres and Redis up', async () => {
    const app = await startTestApp(intakeApp, testConfig({ DATABASE_URL: db.url }));
    try {
      const res = await request(app.getHttpServer()).get('/healthz').expect(200);
      expect(res.body).toMatchObject({ status: 'ok', info: { postgres: { status: 'up' }, redis: { status: 'up' } } });
    } finally {
      await app.close();
    }
  });

  it('answers 503 naming Redis, within the timeout, when Redis is unreachable', async () => {
    const deadPort = await freePort();
    const app = await startTestApp(
      intakeApp,
      testConfig({ DATABASE_URL: db.url, REDIS_URL: `redis://127.0.0.1:${deadPort}`, HEALTH_TIMEOUT_MS: '500' }),
    );
    try {
      const started = Date.now();
      const res = await request(app.getHttpServer()).get('/healthz').expect(503);
      expect(Date.now() - started).toBeLessThan(3000);
      expect(res.body.error.code).toBe('service_unavailable');
      expect(res.body.error.details).toMatchObject({ postgres: { status: 'up' }, redis: { status: 'down' } });
    } finally {
      await app.close();
    }
  });
});
