import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Queue } from 'bullmq';
import request from 'supertest';
import { freePort, Queues, redisConnection, startRedisServer, type LocalRedis } from '@kefu/shared';
import {
  createTestDatabase,
  expectEventually,
  startTestApp,
  testConfig,
  tokenFor,
  type TestDatabase,
} from '@kefu/shared/testing';
import { intakeApp } from '../intake.app';

describe('a case taken while Redis is down', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let redis: LocalRedis;
  let port: number;
  let dir: string;
  let prefix: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'kefu-redis-down-'));
    port = await freePort();
    redis = await startRedisServer({ port, dir, persistent: false });
    const config = testConfig({ DATABASE_URL: db.url, REDIS_URL: redis.url });
    prefix = config.QUEUE_PREFIX;
    app = await startTestApp(intakeApp, config);
  });
  afterAll(async () => {
    await app.close();
    await redis.stop();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is still created, and queued exactly once when Redis returns', async () => {
    const token = await tokenFor(app, 'operator');
    await redis.stop();

    const res = await request(app.getHttpServer())
      .post('/api/v1/hotline/calls')
      .set('Authorization', `Bearer ${token}`)
      .send({
        callerNumber: '13812345678',
        startedAt: new Date().toISOString(),
        durationSeconds: 30,
        summary: '楼上装修噪音，晚上十点还在施工',
      })
      .expect(201);
    const caseId = res.body.case.id as string;
    const pending = () =>
      db.dataSource.query<Array<{ relayed_at: Date | null; last_error: string | null }>>(
        `SELECT relayed_at, last_error FROM outbox WHERE dedupe_key = $1`,
        [`case-received:${caseId}`],
      );
    expect((await pending())[0]).toMatchObject({ relayed_at: null });
    // The relay notes its failure on the oldest pending row (the case's job or its acknowledgement's).
    const noted = () =>
      db.dataSource.query<Array<{ last_error: string }>>(
        `SELECT last_error FROM outbox WHERE relayed_at IS NULL AND last_error IS NOT NULL`,
      );
    await expectEventually(async () => expect((await noted())[0]?.last_error).toMatch(/Redis|Connection|closed/i), {
      timeoutMs: 15_000,
    });

    redis = await startRedisServer({ port, dir, persistent: false });
    await expectEventually(async () => expect((await pending())[0]?.relayed_at).not.toBeNull(), {
      timeoutMs: 45_000,
      intervalMs: 250,
    });

    const queue = new Queue(Queues.Scheduler, { connection: redisConnection(redis.url), prefix });
    try {
      const jobs = await queue.getJobs(['waiting', 'delayed', 'active', 'completed']);
      expect(jobs.filter((j) => (j.data as { caseId?: string }).caseId === caseId)).toHaveLength(1);
    } finally {
      await queue.close();
    }
  }, 90_000);
});
