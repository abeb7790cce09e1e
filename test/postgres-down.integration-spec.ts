import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { ensureDatabase, freePort, runMigrations, startEmbeddedPostgres, type LocalPostgres } from '@kefu/shared';
import { startTestApp, testConfig, tokenFor } from '@kefu/shared/testing';
import { intakeApp } from '../apps/intake/src/intake.app';

/** Its own Postgres cluster, because this test stops it (the harness's cluster serves every other file). */
describe('Postgres down', () => {
  let dir: string;
  let port: number;
  let pg: LocalPostgres;
  let app: INestApplication;
  const start = () => startEmbeddedPostgres({ dataDir: join(dir, 'pg'), port, password: 'down-test', ephemeral: true });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kefu-pg-down-'));
    port = await freePort();
    pg = await start();
    await ensureDatabase(pg.url(), 'kefu');
    await runMigrations(pg.url('kefu'));
    app = await startTestApp(intakeApp, testConfig({ DATABASE_URL: pg.url('kefu'), HEALTH_TIMEOUT_MS: '1000' }));
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 503 with Retry-After and no stack trace, and recovers when Postgres returns', async () => {
    const token = await tokenFor(app, 'operator');
    const call = {
      callerNumber: '13812345678',
      startedAt: new Date().toISOString(),
      durationSeconds: 20,
      summary: '停车场道闸坏了',
    };
    await request(app.getHttpServer())
      .post('/api/v1/hotline/calls')
      .set('Authorization', `Bearer ${token}`)
      .send(call)
      .expect(201);

    await pg.stop();
    const down = await request(app.getHttpServer())
      .post('/api/v1/hotline/calls')
      .set('Authorization', `Bearer ${token}`)
      .send({ ...call, summary: '又坏了' })
      .expect(503);
    expect(down.headers['retry-after']).toBe('30');
    expect(down.body).toEqual({
      error: { code: 'service_unavailable', message: expect.stringContaining('database is not reachable') },
    });
    await request(app.getHttpServer()).get('/api/v1/cases').set('Authorization', `Bearer ${token}`).expect(503);
    const health = await request(app.getHttpServer()).get('/healthz').expect(503);
    expect(health.body.error.details).toMatchObject({ postgres: { status: 'down' } });

    pg = await start();
    const back = await request(app.getHttpServer())
      .post('/api/v1/hotline/calls')
      .set('Authorization', `Bearer ${token}`)
      .send({ ...call, summary: '又坏了' })
      .expect(201);
    expect(back.body.case.number).toMatch(/-00002$/);
  }, 60_000);
});
