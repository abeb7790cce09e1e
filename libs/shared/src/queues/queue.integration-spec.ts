import { getQueueToken } from '@nestjs/bullmq';
import type { INestApplication } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { createTestDatabase, startTestApp, testConfig, type TestDatabase } from '../testing';
import { defaultJobOptions, ENQUEUE_TIMEOUT_MS, jobQueue, QueueProducer, Queues, redisConnection } from '.';
import type { AppDefinition } from '../http/bootstrap';
import { CoreModule } from '../http/core.module';

const bare: AppDefinition = {
  name: 'intake',
  title: 't',
  description: 't',
  module: (config) => ({ module: class QueueTestModule {}, imports: [CoreModule.forRoot('intake', config)] }),
};

describe('queue contract', () => {
  let db: TestDatabase;
  let app: INestApplication;
  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(bare, testConfig({ DATABASE_URL: db.url }));
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it("routes each job to its consumer's queue in Redis, with the default options and an ids-only payload", async () => {
    const producer = app.get(QueueProducer);
    const caseId = '2f1d7a52-3c1e-4a49-9a51-000000000001';
    const id = await producer.enqueue('case-received', { caseId });
    const scheduler = app.get<Queue>(getQueueToken(Queues.Scheduler), { strict: false });
    const job = await scheduler.getJob(id!);
    expect(job?.name).toBe('case-received');
    expect(job?.data).toEqual({ caseId });
    expect(job?.opts).toMatchObject({ attempts: defaultJobOptions.attempts, backoff: defaultJobOptions.backoff });
    const notifier = app.get<Queue>(getQueueToken(Queues.Notifier), { strict: false });
    expect(await notifier.getJobCounts('waiting')).toMatchObject({ waiting: 0 });
    expect(await scheduler.getJobCounts('waiting')).toMatchObject({ waiting: 1 });
  });

  it('fails an add within ENQUEUE_TIMEOUT_MS while Redis is unreachable, instead of hanging (issue 16, 10)', async () => {
    const down = await startTestApp(bare, testConfig({ DATABASE_URL: db.url, REDIS_URL: 'redis://127.0.0.1:1' }));
    try {
      const started = Date.now();
      await expect(
        down.get(QueueProducer).enqueue('case-received', { caseId: '2f1d7a52-3c1e-4a49-9a51-000000000002' }),
      ).rejects.toThrow(/Redis did not accept job 'case-received'/);
      expect(Date.now() - started).toBeGreaterThanOrEqual(ENQUEUE_TIMEOUT_MS - 100);
    } finally {
      await down.close();
    }
  }, 30_000);

  it('gives every job a queue that exists', () => {
    for (const queue of Object.values(jobQueue)) expect(Object.values(Queues)).toContain(queue);
  });

  it('parses Redis URLs with credentials, database and TLS', () => {
    expect(redisConnection('rediss://:p%40ss@cache.internal:6380/2')).toMatchObject({
      host: 'cache.internal',
      port: 6380,
      password: 'p@ss',
      db: 2,
      tls: {},
    });
    expect(redisConnection('redis://127.0.0.1')).toMatchObject({ port: 6379, db: 0, tls: undefined });
  });
});
