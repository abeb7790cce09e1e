/**
 * npm run bench:intake — cases/s end to end (HTTP → committed case → job in Redis) for hotline and
 * web-form submissions, with p50/p99 latency, next to a raw baseline measured in the same run (a plain
 * pg transaction writing the same rows plus a plain BullMQ add, same concurrency), and the ratio.
 * Then emails/s draining a Dovecot mailbox of mixed messages (bench/intake-email.ts).
 * Options: BENCH_N (default 2000 per kind), BENCH_ROUNDS (4: the kinds take turns), BENCH_CONCURRENCY (16), BENCH_EMAILS (5000; 0 skips), BENCH_PROFILE (a folder:
 * a CPU profile of each phase there), BENCH_QUERIES=1 (statements per item of each phase). Each phase also
 * prints its CPU per item: this process (the HTTP clients' share apart), Postgres, Redis.
 */
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Queue } from 'bullmq';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import {
  configSchema,
  createApp,
  dataSourceOptions,
  freePort,
  Queues,
  redisConnection,
  type AppConfig,
} from '@kefu/shared';
import { intakeApp } from '../apps/intake/src/intake.app';
import { CaseIntakeService } from '../apps/intake/src/cases/case-intake.service';
import { loadDemoData } from '../tools/demo-data';
import {
  benchServices,
  cpuSnapshot,
  queryCounter,
  runConcurrent,
  stats,
  type RunStats,
  benchProductionEnv,
} from './bench-env';
import { clientSource, complaint } from './intake-clients';
import { rawCaseWrite } from './raw-baseline';

const N = Number(process.env.BENCH_N ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const EMAILS = Number(process.env.BENCH_EMAILS ?? 5000);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 4));
const queries = queryCounter();
const summaries = [
  '3栋2单元1502卫生间漏水，楼下天花板也渗水了',
  '电梯经常停运，物业不处理',
  '小区门口路灯坏了一周了',
  '请问房产证什么时候可以办理',
  '建议在儿童游乐区增加遮阳棚',
  '楼上装修噪音太大，晚上十点还在施工',
  '车库入口道闸经常抬不起来',
];

async function waitForJobs(queue: Queue, count: number, timeoutMs = 120_000): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const counts = await queue.getJobCounts('waiting', 'active', 'completed', 'delayed');
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    if (total >= count) return performance.now();
    if (performance.now() > deadline) throw new Error(`only ${total} of ${count} jobs reached Redis`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

interface Sample {
  started: number;
  finished: number;
  latencies: number[];
  clientBusyMs: number;
}

async function kefuRun(
  base: string,
  queue: Queue,
  token: string,
  kind: 'hotline' | 'web',
  offset: number,
  n: number,
  projectId: string,
): Promise<Sample> {
  const before = Object.values(await queue.getJobCounts('waiting', 'active', 'completed', 'delayed')).reduce(
    (a, b) => a + b,
    0,
  );
  const worker = new Worker(clientSource, {
    eval: true,
    workerData: { base, token, kind, offset, projectId, n, concurrency: CONCURRENCY },
  });
  const result = await new Promise<{ started: number; latencies: number[]; clientBusyMs: number; error?: string }>(
    (resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    },
  );
  await worker.terminate();
  if (result.error) throw new Error(result.error);
  const finished = await waitForJobs(queue, before + n);
  return {
    started: result.started - performance.timeOrigin,
    finished,
    latencies: result.latencies,
    clientBusyMs: result.clientBusyMs,
  };
}

/** BENCH_PROFILE=dir: a V8 CPU profile of this process's main thread per phase (dir/<phase>.cpuprofile, for Chrome DevTools). */
async function profiled<T>(label: string, run: () => Promise<T>): Promise<T> {
  const dir = process.env.BENCH_PROFILE;
  if (!dir) return run();
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, params, (err, res) => (err ? reject(err) : resolve(res))),
    );
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 200 });
  await post('Profiler.start');
  try {
    return await run();
  } finally {
    const { profile } = (await post('Profiler.stop')) as { profile: unknown };
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${label.replace(/\W+/g, '-').replace(/-$/, '')}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
}

/**
 * One kind of work, measured over several rounds: items, the seconds they took, latencies, CPU (the HTTP
 * clients' own share apart: it is not the server's) and, with BENCH_QUERIES, statements sent.
 */
class Phase {
  private items = 0;
  private seconds = 0;
  private readonly latencies: number[] = [];
  private clientMs = 0;
  private readonly cpu = { node: 0, postgres: 0, redis: 0 };
  private readonly statements = new Map<string, number>();
  failed: string | null = null;

  constructor(readonly label: string) {}

  async round(services: Parameters<typeof cpuSnapshot>[0], r: number, run: () => Promise<Sample>): Promise<void> {
    if (this.failed) return;
    const before = cpuSnapshot(services);
    queries?.take();
    try {
      const s = await profiled(`${this.label} ${r + 1}`, run);
      const after = cpuSnapshot(services);
      for (const k of ['node', 'postgres', 'redis'] as const) this.cpu[k] += after[k] - before[k];
      for (const [sql, n] of queries?.take() ?? []) this.statements.set(sql, (this.statements.get(sql) ?? 0) + n);
      this.items += s.latencies.length;
      this.seconds += (s.finished - s.started) / 1000;
      this.latencies.push(...s.latencies);
      this.clientMs += s.clientBusyMs;
    } catch (err) {
      this.failed = err instanceof Error ? err.message.slice(0, 200) : String(err);
    }
  }

  get stats(): RunStats {
    return stats(this.items, 0, this.seconds * 1000, this.latencies);
  }

  /** Where the CPU went, per item (and the statements per item when counted). */
  get cpuLine(): string {
    const n = Math.max(1, this.items);
    const ms = (v: number) => ((v * 1000) / n).toFixed(2);
    const counted = [...this.statements].filter(([, c]) => c / n >= 0.01).sort((a, b) => b[1] - a[1]);
    return [
      ...counted.map(([sql, c]) => `    ${(c / n).toFixed(2)} per item  ${sql}`),
      `  ${this.label}: cpu per item: node ${ms(this.cpu.node)} ms, postgres ${ms(this.cpu.postgres)} ms, redis ${ms(this.cpu.redis)} ms${this.clientMs ? ` (of which the HTTP clients ${(this.clientMs / n).toFixed(2)} ms)` : ''}`,
    ].join('\n');
  }
}

function line(label: string, s: RunStats): string {
  return `${label.padEnd(34)} ${s.perSecond.toFixed(0).padStart(7)} /s   p50 ${s.p50ms.toFixed(1).padStart(6)} ms   p99 ${s.p99ms.toFixed(1).padStart(6)} ms   (${s.n} in ${s.seconds.toFixed(2)} s)`;
}

async function main(): Promise<void> {
  const services = await benchServices();
  const config: AppConfig = configSchema.parse({
    DATABASE_URL: services.databaseUrl,
    REDIS_URL: services.redisUrl,
    ...benchProductionEnv,
    LOG_LEVEL: 'silent',
    TRUST_PROXY: 'loopback', // the clients vary X-Forwarded-For from this machine
    DB_POOL_SIZE: String(CONCURRENCY + 4),
    WEB_FORM_POW_BITS: '0',
    WEB_FORM_MAX_PER_IP_PER_HOUR: '10000',
    QUEUE_PREFIX: 'bench',
  });
  const ds = new DataSource(dataSourceOptions(services.databaseUrl, { poolSize: 2 }));
  await ds.initialize();
  await loadDemoData(ds, 'bench-password-1');
  // A large estate for the callers: 5,000 units, one owner each (mobiles 13900000000 + n), so a caller's
  // recent cases stay as few as on a real day and duplicate checks do realistic work.
  await ds.query(`INSERT INTO projects (code, name, city) VALUES ('BENCH001', '压测花园', '深圳')`);
  await ds.query(
    `INSERT INTO buildings (project_id, name) SELECT p.id, b || '栋' FROM projects p, generate_series(1, 50) b WHERE p.code = 'BENCH001'`,
  );
  await ds.query(`INSERT INTO units (project_id, building_id, entrance, room, floor, handover_date)
                  SELECT b.project_id, b.id, '1', (f * 100 + r)::text, f, date '2022-06-30' FROM buildings b JOIN projects p ON p.id = b.project_id, generate_series(1, 20) f, generate_series(1, 5) r WHERE p.code = 'BENCH001'`);
  await ds.query(`WITH u AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM units WHERE project_id = (SELECT id FROM projects WHERE code = 'BENCH001')),
                       o AS (INSERT INTO owners (name, mobiles) SELECT '业主' || n, ARRAY[(13900000000 + n)::text] FROM u RETURNING id, mobiles)
                  INSERT INTO owner_units (owner_id, unit_id, relation, is_primary_contact) SELECT o.id, u.id, 'owner', true FROM o JOIN u ON o.mobiles[1] = (13900000000 + u.n)::text`);
  const [{ id: projectId }] = (await ds.query<Array<{ id: string }>>(
    `SELECT id FROM projects WHERE code = 'BENCH001'`,
  )) as [{ id: string }];
  // What autovacuum does to a freshly loaded table within a minute or so, before the clock starts: a bulk
  // load leaves its GIN index entries (owners' mobiles) in the pending list, which every look-up then
  // reads through (0.9 ms instead of 0.01 ms per look-up), a state no running installation stays in.
  await ds.query('VACUUM ANALYZE');
  await ds.destroy();

  const app = await createApp(intakeApp, config);
  const port = await freePort();
  await app.listen(port, '127.0.0.1');
  const base = `http://127.0.0.1:${port}`;
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: 'operator', password: 'bench-password-1' }),
  });
  const { accessToken } = (await login.json()) as { accessToken: string };
  const queue = new Queue(Queues.Scheduler, { connection: redisConnection(services.redisUrl), prefix: 'bench' });
  const pool = new Pool({ connectionString: services.databaseUrl, max: CONCURRENCY + 4 });
  const rawQueue = new Queue('raw-baseline', { connection: redisConnection(services.redisUrl), prefix: 'bench' });

  const out: string[] = [];
  try {
    process.stdout.write(
      `kefu bench:intake — N=${N} per kind in ${ROUNDS} rounds, concurrency ${CONCURRENCY}, ${new Date().toISOString()}\n`,
    );
    // Warm-up: JIT, pools, the calendar cache.
    await kefuRun(base, queue, accessToken, 'hotline', 900_000, Math.min(N, 500), projectId).catch(() => undefined);

    // The kinds take turns, round after round, so a drift in the machine's speed (a shared host) or
    // Postgres' background work (autovacuum of the growing tables) falls on each of them alike.
    const intake = app.get(CaseIntakeService);
    const raw = new Phase('raw');
    const direct = new Phase('no HTTP');
    const hotline = new Phase('hotline');
    const web = new Phase('web form');
    const perRound = Math.ceil(N / ROUNDS);
    for (let r = 0; r < ROUNDS; r++) {
      const n = Math.min(perRound, N - r * perRound);
      if (n <= 0) break;
      const from = r * perRound;
      await raw.round(services, r, async () => {
        const { latencies, started } = await runConcurrent(n, CONCURRENCY, (i) =>
          rawCaseWrite(pool, rawQueue, from + i, summaries[(from + i) % summaries.length]!),
        );
        return { started, finished: performance.now(), latencies, clientBusyMs: 0 };
      });
      // Diagnostic: the intake pipeline alone (no HTTP, no Nest request handling), same concurrency.
      await direct.round(services, r, async () => {
        const { latencies, started } = await runConcurrent(n, CONCURRENCY, async (i) => {
          const mobile = String(13900000000 + (((from + i) * 7919) % 5000) + 1);
          await intake.create({
            channel: 'hotline',
            source: 'bench',
            externalId: null,
            raw: {},
            receivedAt: new Date(),
            reporter: { contact: mobile, phones: [mobile] },
            description: complaint(500_000 + from + i),
            actor: { kind: 'system', label: 'bench' },
          });
        });
        return { started, finished: performance.now(), latencies, clientBusyMs: 0 };
      });
      await hotline.round(services, r, () => kefuRun(base, queue, accessToken, 'hotline', from, n, projectId));
      await web.round(services, r, () => kefuRun(base, queue, accessToken, 'web', 100_000 + from, n, projectId));
    }
    for (const phase of [raw, direct, hotline, web]) process.stdout.write(`${phase.cpuLine}\n`);
    if (raw.failed || hotline.failed) throw new Error(raw.failed ?? hotline.failed ?? '');
    process.stdout.write(`${line('  (diagnostic) intake service, no HTTP', direct.stats)}\n`);
    out.push(
      line('raw baseline (pg tx + BullMQ add)', raw.stats),
      line('kefu hotline (HTTP → case → Redis)', hotline.stats),
      `  ratio hotline / raw: ${(hotline.stats.perSecond / raw.stats.perSecond).toFixed(2)}  (aim ≥ 0.60)`,
    );
    if (web.failed) out.push(`kefu web form: not run (${web.failed})`);
    else
      out.push(
        line('kefu web form (HTTP → case → Redis)', web.stats),
        `  ratio web / raw: ${(web.stats.perSecond / raw.stats.perSecond).toFixed(2)}  (aim ≥ 0.60)`,
      );
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    await Promise.all([queue.close(), rawQueue.close(), pool.end()]);
    await app.close();
  }

  if (EMAILS > 0) {
    try {
      // Loaded by name so this file builds before bench/intake-email.ts exists.
      const emailBench: string = './intake-email';
      const { benchEmail } = (await import(emailBench)) as {
        benchEmail: (o: {
          messages: number;
          databaseUrl: string;
          redisUrl: string;
        }) => Promise<{ messages: number; seconds: number; emailsPerSecond: number }>;
      };
      const r = await benchEmail({ messages: EMAILS, databaseUrl: services.databaseUrl, redisUrl: services.redisUrl });
      process.stdout.write(
        `kefu email drain (Dovecot → cases)    ${r.emailsPerSecond.toFixed(0).padStart(7)} /s   (${r.messages} messages in ${r.seconds.toFixed(2)} s; aim ≥ 200/s)\n`,
      );
    } catch (err) {
      process.stdout.write(`email drain: not run (${err instanceof Error ? err.message : String(err)})\n`);
    }
  }
  await services.stop();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
