/**
 * npm run bench:notices — an estate-wide SMS notice (a typhoon alert) to BENCH_OWNERS owners (default 100,000) through
 * the real path: the notice's audience resolved and stored, send (a `notice-send` job through the outbox), the
 * notifier's chunked fan-out into notifications (notificationsCte, one outbox job per thousand), the fan-out of those
 * into one job per message, and each message rendered, claimed, sent to the fake Twilio (its real wire format, with
 * signed status callbacks back to the notifier) and recorded. Beside it, in the same run, a raw loop of the same
 * provider calls (the twilio SDK at the same concurrency, callbacks into a plain HTTP server). Prints the audience
 * time, enqueue-to-all-queued time, send rate, the ratio to the raw loop (aim ≥ 0.6) and the bench process's RSS
 * sampled through the run (flat: nothing held per recipient in memory).
 * SMS_RATE_PER_SECOND is set above what either side reaches, so the provider's limit is not what is measured.
 */
import 'reflect-metadata';
import { createServer } from 'node:http';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { DataSource } from 'typeorm';
import {
  configSchema,
  createApp,
  dataSourceOptions,
  freePort,
  cancelNotice,
  resolveNoticeAudience,
  smsE164,
  startNoticeRound,
  type AppConfig,
} from '@kefu/shared';
import { notifierApp } from '../apps/notifier/src/notifier.app';
import { RebasedRequestClient } from '../apps/notifier/src/notifications/twilio-sms.sender';
import {
  FakeTwilio,
  TEST_ACCOUNT_SID,
  TEST_AUTH_TOKEN,
  TEST_MESSAGING_SERVICE_SID,
} from '../apps/notifier/src/testing/fake-twilio';
import { benchProductionEnv, benchServices, runConcurrent } from './bench-env';

const N = Number(process.env.BENCH_OWNERS ?? 100_000);
/**
 * 0 (default): wait until every message is sent. Else: the send rates of both sides over a window of this many
 * seconds (Kefu's from its first message sent), then the notice is cancelled (its unsent messages withdrawn) — for a
 * machine too slow or too busy to send N messages twice in the time there is.
 */
const WINDOW = Number(process.env.BENCH_SEND_SECONDS ?? 0);
/** The notifier worker's concurrency (apps/notifier/src/jobs/notifier.worker.ts); the raw loop uses the same. */
const CONCURRENCY = 8;
const BODY = '今晚台风“海燕”过境，请关好门窗，勿外出。';

const rss: Array<{ at: number; mb: number; heap: number }> = [];
/** The heap still reachable after a full collection, every 5 s: what is retained, not garbage not yet collected. */
const live: number[] = [];
v8.setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
let liveSampling: NodeJS.Timeout | null = null;
const mb = (b: number) => Math.round(b / 1024 / 1024);
let sampling: NodeJS.Timeout | null = null;
const sample = (every = 500) => {
  rss.length = 0;
  live.length = 0;
  liveSampling = setInterval(() => {
    gc();
    live.push(mb(process.memoryUsage().heapUsed));
  }, 5000);
  const t0 = performance.now();
  sampling = setInterval(() => {
    const u = process.memoryUsage();
    rss.push({ at: (performance.now() - t0) / 1000, mb: mb(u.rss), heap: mb(u.heapUsed) });
  }, every);
};
const stopSampling = () => {
  if (sampling) clearInterval(sampling);
  if (liveSampling) clearInterval(liveSampling);
  sampling = null;
  liveSampling = null;
  return [...rss];
};

async function waitUntil(ds: DataSource, sql: string, params: unknown[], target: number, timeoutMs = 60 * 60_000) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const [{ n }] = await ds.query<[{ n: number }]>(sql, params);
    if (n >= target) return performance.now();
    if (performance.now() > deadline) throw new Error(`timed out: ${n} of ${target}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** One estate: 100 buildings, N units, one owner each with a mobile (distinct), all handed over. */
async function seed(ds: DataSource): Promise<{ projectId: string; staffId: string }> {
  const [p] = await ds.query<Array<{ id: string }>>(
    `INSERT INTO projects (code, name, city) VALUES ('BENCH01', '碧海云天', '深圳') RETURNING id`,
  );
  await ds.query(`INSERT INTO buildings (project_id, name) SELECT $1, b || '栋' FROM generate_series(1, 100) b`, [
    p!.id,
  ]);
  await ds.query(
    `INSERT INTO units (project_id, building_id, entrance, room, handover_date)
     SELECT $1, b.id, '1', (1000 + i)::text, '2022-06-30'
       FROM buildings b, generate_series(1, CEIL($2::numeric / 100)::int) i WHERE b.project_id = $1`,
    [p!.id, N],
  );
  await ds.query(
    `WITH u AS (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM units WHERE project_id = $1 LIMIT $2),
          o AS (INSERT INTO owners (name, mobiles, preferred_channels)
                SELECT '业主' || rn, ARRAY['139' || lpad(rn::text, 8, '0')], ARRAY['sms'] FROM u RETURNING id, mobiles)
     INSERT INTO owner_units (owner_id, unit_id, relation, is_primary_contact, since)
     SELECT o.id, u.id, 'owner', true, '2021-01-01'
       FROM o JOIN u ON '139' || lpad(u.rn::text, 8, '0') = o.mobiles[1]`,
    [p!.id, N],
  );
  const [s] = await ds.query<Array<{ id: string }>>(
    `INSERT INTO staff (login, name, role, active) VALUES ('bench', '客服', 'cs_rep', true) RETURNING id`,
  );
  return { projectId: p!.id, staffId: s!.id };
}

interface KefuResult {
  audienceSeconds: number;
  queuedSeconds: number;
  sentSeconds: number;
  sentPerSec: number;
  rss: Array<{ at: number; mb: number; heap: number }>;
}

async function kefuRun(services: { databaseUrl: string; redisUrl: string }, ds: DataSource, fake: FakeTwilio) {
  const { projectId, staffId } = await seed(ds);
  const port = await freePort();
  const config: AppConfig = configSchema.parse({
    DATABASE_URL: services.databaseUrl,
    REDIS_URL: services.redisUrl,
    ...benchProductionEnv,
    LOG_LEVEL: 'silent',
    NOTIFIER_PORT: String(port),
    HTTP_HOST: '127.0.0.1',
    DB_POOL_SIZE: String(CONCURRENCY + 6),
    QUEUE_PREFIX: 'benchnotices',
    TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
    TWILIO_MESSAGING_SERVICE_SID: TEST_MESSAGING_SERVICE_SID,
    TWILIO_API_BASE_URL: fake.url,
    TWILIO_STATUS_CALLBACK_URL: `http://127.0.0.1:${port}/webhooks/twilio/status`,
    SMS_RATE_PER_SECOND: '10000',
  });
  let created = 0;
  fake.onCreated = () => void created++;
  const app = await createApp(notifierApp, config);
  await app.listen(port, '127.0.0.1');
  sample();
  const a0 = performance.now();
  const [n] = await ds.query<Array<{ id: string }>>(
    `INSERT INTO notices (project_id, kind, title, body, created_by_id) VALUES ($1, 'safety_alert', '台风预警', $2, $3) RETURNING id`,
    [projectId, BODY, staffId],
  );
  const noticeId = n!.id;
  const counts = await ds.transaction((m) =>
    resolveNoticeAudience(m, { id: noticeId, projectId, kind: 'safety_alert' }, {}, '2026-12-07', {}),
  );
  if (counts.recipients !== N) throw new Error(`audience: ${counts.recipients} of ${N}`);
  const audienceSeconds = (performance.now() - a0) / 1000;
  console.log(`audience resolved and stored (${N} recipients): ${audienceSeconds.toFixed(1)} s`);
  // The clock starts when the send is committed (what the staff API does on the click).
  const t0 = performance.now();
  await ds.transaction((m) => startNoticeRound(m, noticeId, 'draft', { staffId, at: new Date() }));
  const queued = await waitUntil(
    ds,
    `SELECT CASE WHEN queued_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM outbox WHERE relayed_at IS NULL) THEN 1 ELSE 0 END AS n
       FROM notices WHERE id = $1`,
    [noticeId],
    1,
  );
  console.log(`send → all ${N} queued (notifications + outbox relayed): ${((queued - t0) / 1000).toFixed(1)} s`);
  const sentSql = `SELECT count(*)::int AS n FROM notifications WHERE source_type = 'notice' AND source_id = $1 AND status IN ('sent', 'delivered')`;
  let result: KefuResult;
  if (WINDOW > 0) {
    // The window starts once everything is queued (messages go out meanwhile: counted, not in the window).
    const first = await waitUntil(ds, sentSql, [noticeId], 1);
    const [{ n: before }] = await ds.query<[{ n: number }]>(sentSql, [noticeId]);
    console.log(`${before} already sent when the window starts`);
    await new Promise((r) => setTimeout(r, WINDOW * 1000));
    const [{ n: after }] = await ds.query<[{ n: number }]>(sentSql, [noticeId]);
    // Callbacks the notifier has not answered yet pile up in the fake (and in this process's memory).
    console.log(
      `at the window's end: ${created} messages taken by the fake Twilio, ${fake.callbackStats.ok} status callbacks answered of ${2 * created} posted`,
    );
    const c0 = performance.now();
    const withdrawn = await ds.transaction((m) => cancelNotice(m, noticeId));
    console.log(
      `window from ${((first - t0) / 1000).toFixed(1)} s after send; ${after - before} sent in the ${WINDOW} s window; cancelled then (${withdrawn.withdrawn} unsent withdrawn in ${((performance.now() - c0) / 1000).toFixed(1)} s)`,
    );
    result = {
      audienceSeconds,
      queuedSeconds: (queued - t0) / 1000,
      sentSeconds: WINDOW,
      sentPerSec: (after - before) / WINDOW,
      rss: stopSampling(),
    };
  } else {
    const sent = await waitUntil(ds, sentSql, [noticeId], N);
    result = {
      audienceSeconds,
      queuedSeconds: (queued - t0) / 1000,
      sentSeconds: (sent - t0) / 1000,
      sentPerSec: N / ((sent - t0) / 1000),
      rss: stopSampling(),
    };
  }
  await fake.settled();
  await app.close();
  return result;
}

/** The same provider calls without Kefu: the twilio SDK at the same concurrency, callbacks into a plain server. */
async function rawRun(fake: FakeTwilio): Promise<{ seconds: number; sentPerSec: number }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const callback = `http://127.0.0.1:${(server.address() as AddressInfo).port}/status`;
  const client = twilio(TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, {
    httpClient: new RebasedRequestClient(fake.url),
    autoRetry: false,
  });
  const stopAt = WINDOW > 0 ? performance.now() + WINDOW * 1000 : Infinity;
  let calls = 0;
  const { started } = await runConcurrent(N, CONCURRENCY, async (i) => {
    if (performance.now() > stopAt) return;
    calls++;
    await client.messages.create({
      to: smsE164(`139${String(i + 1).padStart(8, '0')}`),
      body: `【客户服务部】业主${i + 1}您好：【碧海云天·台风预警】${BODY}`,
      statusCallback: `${callback}?n=${i}`,
      messagingServiceSid: TEST_MESSAGING_SERVICE_SID,
    });
  });
  const seconds = Math.min((performance.now() - started) / 1000, WINDOW > 0 ? WINDOW : Infinity);
  await fake.settled();
  server.close();
  return { seconds, sentPerSec: calls / seconds };
}

async function main(): Promise<void> {
  const services = await benchServices();
  const ds = new DataSource(dataSourceOptions(services.databaseUrl, { poolSize: 2 }));
  await ds.initialize();
  const fake = await new FakeTwilio().start();
  fake.keep = false;
  try {
    console.log(
      `bench:notices — a typhoon alert to ${N} owners of one estate by SMS (fake Twilio, 2 signed status callbacks each), concurrency ${CONCURRENCY}`,
    );
    const raw = await rawRun(fake);
    console.log(
      `raw loop (twilio SDK only)        sent ${raw.sentPerSec.toFixed(0).padStart(6)} /s   (over ${raw.seconds.toFixed(1)} s)`,
    );
    fake.reset();
    fake.keep = false;
    const kefu = await kefuRun(services, ds, fake);
    const rssMb = kefu.rss.map((r) => r.mb);
    const at = (q: number) => kefu.rss[Math.min(kefu.rss.length - 1, Math.floor((kefu.rss.length * q) / 4))];
    const quarter = (q: number) => at(q)?.mb;
    const heap = (q: number) => at(q)?.heap;
    console.log(
      `kefu (${WINDOW > 0 ? 'steady, notifier' : 'send → all sent'})    sent ${kefu.sentPerSec.toFixed(0).padStart(6)} /s   (over ${kefu.sentSeconds.toFixed(1)} s)`,
    );
    console.log(`ratio: ${(kefu.sentPerSec / raw.sentPerSec).toFixed(2)} (aim ≥ 0.6)`);
    console.log(
      `bench process RSS during the kefu run: start ${rssMb[0]} MB, quarters ${[1, 2, 3].map(quarter).join(' / ')} MB, end ${rssMb[rssMb.length - 1]} MB, peak ${Math.max(...rssMb)} MB`,
    );
    console.log(`bench process V8 heap live after a full GC, every 5 s: ${live.join(' / ')} MB`);
    console.log(
      `bench process V8 heap in use: start ${heap(0)} MB, quarters ${[1, 2, 3].map(heap).join(' / ')} MB, end ${heap(4)} MB`,
    );
  } finally {
    stopSampling();
    await fake.stop();
    await ds.destroy();
    await services.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
