import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Worker } from 'bullmq';
import { Cluster, type Redis } from 'ioredis';
import { configSchema, type AppConfig } from '../config';
import { CoreModule } from '../http/core.module';
import type { AppDefinition } from '../http/bootstrap';
import {
  startRedisCluster,
  startRedisSentinels,
  type LocalRedisCluster,
  type LocalRedisSentinels,
} from '../local-services';
import { QueueProducer, Queues } from '../queues';
import { createTestDatabase, expectEventually, startTestApp, testConfig, type TestDatabase } from '../testing';
import { REDIS } from './redis.module';
import { queueConnection, queuePrefix, redisKeyPrefix, redisTopology } from './redis-topology';

const bare: AppDefinition = {
  name: 'intake',
  title: 't',
  description: 't',
  module: (config) => ({ module: class RedisTopologyTestModule {}, imports: [CoreModule.forRoot('intake', config)] }),
};

describe('Redis topology from config (issue 20)', () => {
  const base = {
    REDIS_URL: 'rediss://kefu:p%40ss@cache.internal:6380/2',
    QUEUE_PREFIX: 'kefu',
    AUTH_TOKEN_SECRET: 'x'.repeat(32),
  };
  const parse = (env: Record<string, string>) =>
    configSchema.parse({ DATABASE_URL: 'postgres://x@localhost/kefu', ...base, ...env });

  it('reads one server, a cluster or Sentinels, with REDIS_URL’s credentials and TLS everywhere', () => {
    expect(redisTopology(parse({}))).toEqual({
      kind: 'single',
      options: { host: 'cache.internal', port: 6380, username: 'kefu', password: 'p@ss', db: 2, tls: {} },
    });
    const cluster = redisTopology(parse({ REDIS_CLUSTER_NODES: 'a.internal:7000, b.internal:7001,c.internal' }));
    expect(cluster).toEqual({
      kind: 'cluster',
      nodes: [
        { host: 'a.internal', port: 7000 },
        { host: 'b.internal', port: 7001 },
        { host: 'c.internal', port: 6379 },
      ],
      options: { username: 'kefu', password: 'p@ss', tls: {} }, // a cluster has only database 0
    });
    const sentinel = redisTopology(parse({ REDIS_SENTINELS: 's1:26379,s2', REDIS_SENTINEL_MASTER: 'kefu-main' }));
    expect(sentinel).toMatchObject({
      kind: 'sentinel',
      name: 'kefu-main',
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26379 },
      ],
      options: { password: 'p@ss', sentinelPassword: 'p@ss', db: 2, failoverDetector: true },
    });
  });

  it('gives queue and script keys a hash tag in a cluster only', () => {
    const single = parse({});
    const cluster = parse({ REDIS_CLUSTER_NODES: 'a:7000' });
    expect([queuePrefix(single), redisKeyPrefix(single, 'auth')]).toEqual(['kefu', 'kefu:auth']);
    expect([queuePrefix(cluster), redisKeyPrefix(cluster, 'auth')]).toEqual(['{kefu}', '{kefu:auth}']);
  });

  it('refuses a cluster and Sentinels at once, and a malformed node list, naming the setting', () => {
    const both = configSchema.safeParse({
      DATABASE_URL: 'postgres://x@localhost/kefu',
      ...base,
      REDIS_CLUSTER_NODES: 'a:7000',
      REDIS_SENTINELS: 's1:26379',
    });
    expect(both.success).toBe(false);
    expect(both.error?.issues[0]).toMatchObject({
      path: ['REDIS_SENTINELS'],
      message: expect.stringMatching(/not both/),
    });
    const bad = configSchema.safeParse({
      DATABASE_URL: 'postgres://x@localhost/kefu',
      ...base,
      REDIS_CLUSTER_NODES: 'a:b:c',
    });
    expect(bad.error?.issues[0]).toMatchObject({
      path: ['REDIS_CLUSTER_NODES'],
      message: 'must be host:port,host:port',
    });
  });
});

/**
 * The queue contract on Redis beyond one node: the app's producer adds jobs, a worker on the same settings takes
 * them and records each in Postgres (unique per job, as every Kefu handler is), and halfway through the sends the
 * master under the queues fails over. Afterwards every job is recorded exactly once.
 */
describe.each([
  ['a Redis Cluster (3 masters, a replica each)', 'cluster'],
  ['Redis Sentinels (a master, a replica, 3 Sentinels)', 'sentinel'],
] as const)('the queue contract on %s, through a master failover during sends', (_label, kind) => {
  const JOBS = 120;
  let dir: string;
  let db: TestDatabase;
  let app: INestApplication;
  let config: AppConfig;
  let cluster: LocalRedisCluster | undefined;
  let sentinels: LocalRedisSentinels | undefined;
  let worker: Worker | undefined;
  let workerConnection: ReturnType<typeof queueConnection> | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), `kefu-redis-${kind}-`));
    db = await createTestDatabase();
    const env: Record<string, string> & { DATABASE_URL: string } = { DATABASE_URL: db.url };
    if (kind === 'cluster') {
      cluster = await startRedisCluster({ dir });
      env.REDIS_CLUSTER_NODES = cluster.nodes;
    } else {
      sentinels = await startRedisSentinels({ dir });
      env.REDIS_SENTINELS = sentinels.sentinels;
      env.REDIS_SENTINEL_MASTER = sentinels.masterName;
    }
    config = testConfig(env);
    app = await startTestApp(bare, config);
    await db.dataSource.query(`CREATE TABLE handled (job_id text PRIMARY KEY, deliveries int NOT NULL DEFAULT 1)`);
  }, 90_000);
  afterAll(async () => {
    // Each step bounded: on a loaded machine a client still following the failover may take long to say goodbye,
    // and the servers are stopped below anyway.
    const bounded = (p: Promise<unknown> | undefined, ms = 10_000) =>
      Promise.race([p?.catch(() => undefined), new Promise((r) => setTimeout(r, ms).unref())]);
    await bounded(worker?.close(true));
    // BullMQ does not close a cluster client it was given: its owner does.
    if (workerConnection instanceof Cluster) {
      const c = workerConnection;
      await bounded(c.quit());
      c.disconnect();
    }
    await bounded(app?.close(), 20_000);
    await cluster?.stop();
    await sentinels?.stop();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  }, 90_000);

  it('takes every job exactly once, and the app’s own Redis client and scripts keep working', async () => {
    const topology = redisTopology(config);
    expect(topology.kind).toBe(kind);
    worker = new Worker(
      Queues.Scheduler,
      async (job) => {
        await db.dataSource.query(
          `INSERT INTO handled (job_id) VALUES ($1) ON CONFLICT (job_id) DO UPDATE SET deliveries = handled.deliveries + 1`,
          [job.id],
        );
      },
      { connection: (workerConnection = queueConnection(topology)), prefix: queuePrefix(config), concurrency: 4 },
    );
    // During the failover a worker's own writes may fail (a completion lost, a job's key gone): it logs and goes on.
    const workerErrors: string[] = [];
    worker.on('error', (err) => workerErrors.push(err.message));
    const producer = app.get(QueueProducer);
    // The outbox relay's way: an add that fails is tried again under the same job id (BullMQ keeps one per id).
    const add = async (i: number) => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await producer.enqueue(
            'case-received',
            { caseId: `2f1d7a52-3c1e-4a49-9a51-${String(i).padStart(12, '0')}` },
            { jobId: `job-${i}` },
          );
        } catch (err) {
          if (attempt > 40) throw err;
          await new Promise((r) => setTimeout(r, 250));
        }
      }
    };
    // Which jobs were added while the failover was under way (between its start and the new master serving).
    const during = new Set<string>();
    let settled = false;
    let failedOver: Promise<number> | undefined;
    for (let i = 0; i < JOBS; i++) {
      if (i === JOBS / 2) {
        const started = cluster ? cluster.failover(`{${config.QUEUE_PREFIX}}`, 'graceful') : sentinels!.failover();
        failedOver = started.finally(() => (settled = true));
      }
      if (failedOver && !settled) during.add(`job-${i}`);
      await add(i);
    }
    expect(await failedOver!).toBeGreaterThan(0);
    // More after the failover has settled: the producer and the worker follow the new master.
    for (let i = JOBS; i < JOBS + 10; i++) await add(i);

    const handled = async () =>
      new Map(
        (
          await db.dataSource.query<Array<{ job_id: string; deliveries: number }>>(
            `SELECT job_id, deliveries FROM handled`,
          )
        ).map((r) => [r.job_id, r.deliveries]),
      );
    const all = Array.from({ length: JOBS + 10 }, (_, i) => `job-${i}`);
    if (kind === 'cluster') {
      // A cluster's manual failover lets the replica catch up first: nothing is lost, nothing runs twice.
      await expectEventually(
        async () => expect([...(await handled())].sort()).toEqual(all.map((id) => [id, 1]).sort()),
        {
          timeoutMs: 60_000,
        },
      );
    } else {
      // Sentinels promote the replica without waiting for it: what the old master accepted in the last moments
      // (asynchronous replication) may be lost, and a job whose completion was lost runs again. Every job added
      // outside that window is done, and each job's effect is recorded once in Postgres (its key is unique).
      await expectEventually(
        async () => {
          const done = await handled();
          expect(all.filter((id) => !during.has(id) && !done.has(id))).toEqual([]);
        },
        { timeoutMs: 60_000 },
      );
      const done = await handled();
      const lost = [...during].filter((id) => !done.has(id));
      const again = [...done.values()].filter((n) => n > 1).length;
      process.stdout.write(
        `Sentinel failover: ${during.size} jobs added during it, ${lost.length} of them lost, ${again} jobs delivered twice (recorded once)\n`,
      );
      expect(lost.length).toBeLessThan(during.size || 1);
    }

    // The app's shared client (health, throttles, rate limits) on the same topology, after the failover.
    const redis = app.get<Redis>(REDIS);
    const key = `${redisKeyPrefix(config, 'auth')}:probe`;
    await expectEventually(async () => expect(await redis.set(key, '1', 'EX', 5)).toBe('OK'), { timeoutMs: 20_000 });
    // A script over several keys of one purpose: they share a slot in a cluster (CROSSSLOT otherwise).
    const twoKeys = await redis.eval(
      `redis.call('SET', KEYS[1], ARGV[1]); redis.call('SET', KEYS[2], ARGV[1]); return redis.call('MGET', KEYS[1], KEYS[2])`,
      2,
      `${redisKeyPrefix(config, 'auth')}:a`,
      `${redisKeyPrefix(config, 'auth')}:b`,
      'x',
    );
    expect(twoKeys).toEqual(['x', 'x']);
  }, 180_000);
});
