/**
 * npm run bench:notifier — mixed notifications (half SMS, half email) through the notifier end to end
 * (outbox → BullMQ → render → claim → provider → record; Twilio status callbacks → receipts), against the
 * local fake Twilio (its real wire format, signed callbacks) and an smtp-server sink. Beside it, a raw
 * baseline measured in the same run: the same provider calls (twilio SDK, pooled nodemailer) and the same
 * database writes by a plain script (pg, no Nest, no BullMQ) at the same concurrency, with a plain HTTP
 * server taking the same signed callbacks. Prints sent/s, receipts processed/s, peak RSS, and the ratios.
 * Letters are not in the mix (a letter is a PDF made locally, with no provider call to compare). Options: BENCH_N (default 20000).
 */
import 'reflect-metadata';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import nodemailer from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import { Pool } from 'pg';
import { poolTransaction } from './raw-baseline';
import twilio from 'twilio';
import {
  configSchema,
  createApp,
  dataSourceOptions,
  freePort,
  isForwardTransition,
  smsE164,
  type AppConfig,
  type NotificationStatus,
} from '@kefu/shared';
import { DataSource } from 'typeorm';
import { notifierApp } from '../apps/notifier/src/notifier.app';
import { forChannel, renderTemplate, smsSegments } from '../apps/notifier/src/notifications/templates';
import { RebasedRequestClient } from '../apps/notifier/src/notifications/twilio-sms.sender';
import { messageIdFor } from '../apps/notifier/src/notifications/smtp-email.sender';
import {
  FakeTwilio,
  TEST_ACCOUNT_SID,
  TEST_AUTH_TOKEN,
  TEST_MESSAGING_SERVICE_SID,
} from '../apps/notifier/src/testing/fake-twilio';
import { SmtpSink } from '../apps/notifier/src/testing/smtp-sink';
import { benchServices, runConcurrent, benchProductionEnv } from './bench-env';

const N = Number(process.env.BENCH_N ?? 20_000);
/** The notifier worker's concurrency (apps/notifier/src/jobs/notifier.worker.ts); the baseline uses the same. */
const CONCURRENCY = 8;
const SIGNATURE = '【客户服务部】';

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;

async function seed(ds: DataSource, prefix: 'k' | 'r', base: number): Promise<string[]> {
  await ds.query(
    `INSERT INTO owners (name, mobiles, email, preferred_channels)
     SELECT '业主' || i, ARRAY['139' || lpad(($2 + i)::text, 8, '0')], $1 || i || '@bench.example.com', ARRAY['sms'] FROM generate_series(1, $3) i`,
    [`${prefix}-owner-`, base, N],
  );
  const rows = await ds.query<Array<{ id: string }>>(
    `INSERT INTO notifications (idempotency_key, kind, channel, recipient_type, owner_id, variables)
     SELECT $1 || o.rn, 'warranty_expiry', CASE WHEN o.rn % 2 = 0 THEN 'sms' ELSE 'email' END, 'owner', o.id,
            jsonb_build_object('estateName', '碧海云天', 'unitLabel', (o.rn % 30 + 1) || '栋' || (o.rn % 4 + 1) || '单元', 'itemName', '屋面防水', 'expiresOn', '2027-01-31')
       FROM (SELECT id, row_number() OVER (ORDER BY email) AS rn FROM owners WHERE email LIKE $2) o
     RETURNING id`,
    [`${prefix}:`, `${prefix}-owner-%`],
  );
  return rows.map((r) => r.id);
}

async function waitUntil(
  ds: DataSource,
  sql: string,
  params: unknown[],
  target: number,
  timeoutMs = 30 * 60_000,
): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const [{ n }] = await ds.query<[{ n: number }]>(sql, params);
    if (n >= target) return performance.now();
    if (performance.now() > deadline) throw new Error(`timed out: ${n} of ${target}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface RunResult {
  sentPerSec: number;
  receiptsPerSec: number;
  seconds: number;
  callbacks: number;
  rssStart: number;
  rssEnd: number;
}

async function kefuRun(
  services: { databaseUrl: string; redisUrl: string },
  ds: DataSource,
  fake: FakeTwilio,
  smtp: SmtpSink,
): Promise<RunResult> {
  const ids = await seed(ds, 'k', 0);
  const port = await freePort();
  const config: AppConfig = configSchema.parse({
    DATABASE_URL: services.databaseUrl,
    REDIS_URL: services.redisUrl,
    ...benchProductionEnv,
    LOG_LEVEL: 'silent',
    NOTIFIER_PORT: String(port),
    HTTP_HOST: '127.0.0.1',
    DB_POOL_SIZE: String(CONCURRENCY + 6),
    QUEUE_PREFIX: 'benchn',
    TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
    TWILIO_MESSAGING_SERVICE_SID: TEST_MESSAGING_SERVICE_SID,
    TWILIO_API_BASE_URL: fake.url,
    TWILIO_STATUS_CALLBACK_URL: `http://127.0.0.1:${port}/webhooks/twilio/status`,
    SMTP_URL: smtp.url,
    SMTP_POOL_SIZE: '5',
    SMS_RATE_PER_SECOND: '10000',
    EMAIL_RATE_PER_SECOND: '10000',
    SMS_QUIET_HOURS: '00:00-00:00',
    EMAIL_FROM: '客户服务部 <kefu@kefu.example.com>',
  });
  const app = await createApp(notifierApp, config);
  await app.listen(port, '127.0.0.1');
  // The clock starts when the requests are committed to the outbox (as producers do), with the app warm.
  const rssStart = process.memoryUsage().rss;
  const started = performance.now();
  await ds.query(
    `INSERT INTO outbox (job_name, payload, dedupe_key) SELECT 'notification-requested', jsonb_build_object('notificationId', id), 'notification-requested:' || id FROM unnest($1::uuid[]) id`,
    [ids],
  );
  const sentDone = await waitUntil(
    ds,
    `SELECT count(*)::int AS n FROM notifications WHERE idempotency_key LIKE 'k:%' AND status IN ('sent', 'delivered')`,
    [],
    N,
  );
  await waitUntil(
    ds,
    `SELECT count(*)::int AS n FROM notifications WHERE idempotency_key LIKE 'k:%' AND status = 'delivered'`,
    [],
    Math.floor(N / 2),
  );
  await fake.settled();
  const s = fake.callbackStats;
  const result = {
    sentPerSec: N / ((sentDone - started) / 1000),
    receiptsPerSec: s.ok / ((s.last - s.first) / 1000),
    seconds: (sentDone - started) / 1000,
    callbacks: s.ok,
    rssStart,
    rssEnd: process.memoryUsage().rss,
  };
  if (s.failed) throw new Error(`${s.failed} callbacks were refused`);
  await app.close();
  return result;
}

/** The same work without Nest or BullMQ: read, render, claim (with the same-text count for SMS), provider call, record; callbacks into a plain HTTP server. */
async function rawRun(
  services: { databaseUrl: string },
  ds: DataSource,
  fake: FakeTwilio,
  smtp: SmtpSink,
): Promise<RunResult> {
  const ids = await seed(ds, 'r', 50_000_000);
  const pool = new Pool({ connectionString: services.databaseUrl, max: CONCURRENCY + 6 });
  const client = twilio(TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, {
    httpClient: new RebasedRequestClient(fake.url),
    autoRetry: false,
  });
  const transport = nodemailer.createTransport({
    url: smtp.url,
    pool: true,
    maxConnections: 5,
    maxMessages: Infinity,
  } as SMTPPool.Options);
  const tx = poolTransaction(pool);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString()));
      const url = `${callbackBase}${req.url!.slice(req.url!.indexOf('?'))}`;
      if (!twilio.validateRequest(TEST_AUTH_TOKEN, String(req.headers['x-twilio-signature']), url, params))
        return void res.writeHead(403).end();
      const id = new URL(req.url!, 'http://x').searchParams.get('n')!;
      const to = params.MessageStatus as NotificationStatus;
      void tx(async (c) => {
        const { rows } = await c.query<{ status: NotificationStatus }>(
          `SELECT status FROM notifications WHERE id = $1 FOR UPDATE`,
          [id],
        );
        const ins = await c.query(
          `INSERT INTO notification_receipts (notification_id, occurred_at, status, source, raw, dedupe_key) VALUES ($1, now(), $2, 'twilio', $3, $4) ON CONFLICT (dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING RETURNING id`,
          [id, to, JSON.stringify(params), `twilio:${params.MessageSid}:${to}`],
        );
        if (ins.rowCount && rows[0] && isForwardTransition(rows[0].status, to)) {
          await c.query(
            `UPDATE notifications SET status = $3, provider_id = COALESCE(provider_id, $4), delivered_at = CASE WHEN $3::varchar = 'delivered' THEN now() ELSE delivered_at END, updated_at = now() WHERE id = $1 AND status = $2`,
            [id, rows[0].status, to, params.MessageSid],
          );
        }
      }).then(
        () => res.writeHead(204).end(),
        () => res.writeHead(500).end(),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const callbackBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/twilio/status`;
  const rssStart = process.memoryUsage().rss;
  const { started } = await runConcurrent(ids.length, CONCURRENCY, async (i) => {
    const id = ids[i]!;
    const {
      rows: [n],
    } = await pool.query<{
      kind: 'warranty_expiry';
      channel: 'sms' | 'email';
      variables: Record<string, unknown>;
      name: string;
      mobiles: string[];
      email: string;
    }>(
      `SELECT n.kind, n.channel, n.variables, o.name, o.mobiles, o.email FROM notifications n JOIN owners o ON o.id = n.owner_id WHERE n.id = $1`,
      [id],
    );
    const msg = forChannel(n!.channel, renderTemplate(n!.kind, n!.variables, n!.name), SIGNATURE);
    const to = n!.channel === 'sms' ? n!.mobiles[0]! : n!.email;
    const attempt = await tx(async (c) => {
      if (n!.channel === 'sms') {
        await c.query(`SELECT pg_advisory_xact_lock(hashtextextended('kefu-sms:' || $1, 0))`, [to]);
        await c.query(
          `SELECT count(*)::int AS n FROM notifications WHERE to_address = $1 AND channel = 'sms' AND id <> $2 AND sent_at > now() - interval '24 hours' AND status IN ('sending', 'sent', 'delivered', 'undelivered') AND md5(body) = md5($3)`,
          [to, id, msg.body],
        );
      }
      const r = await c.query<{ attempts: number }>(
        `UPDATE notifications SET status = 'sending', attempts = attempts + 1, to_address = $2, subject = $3, body = $4, html = $5, segments = $6, sent_at = now(), updated_at = now() WHERE id = $1 AND status = 'pending' RETURNING attempts`,
        [id, to, msg.subject, msg.body, msg.html, n!.channel === 'sms' ? smsSegments(msg.body) : null],
      );
      return r.rows[0]!.attempts;
    });
    let providerId: string;
    let raw: Record<string, unknown>;
    if (n!.channel === 'sms') {
      const m = await client.messages.create({
        to: smsE164(to),
        body: msg.body,
        statusCallback: `${callbackBase}?n=${id}&a=${attempt}`,
        messagingServiceSid: TEST_MESSAGING_SERVICE_SID,
      });
      providerId = m.sid;
      raw = { sid: m.sid, status: m.status, numSegments: m.numSegments };
    } else {
      const messageId = messageIdFor(id, attempt, 'kefu@kefu.example.com');
      const info = await transport.sendMail({
        from: '客户服务部 <kefu@kefu.example.com>',
        to,
        subject: msg.subject!,
        text: msg.body,
        html: msg.html!,
        messageId: `<${messageId}>`,
        headers: { 'Auto-Submitted': 'auto-generated' },
      });
      providerId = messageId;
      raw = { messageId, accepted: info.accepted, rejected: info.rejected, response: info.response };
    }
    await tx(async (c) => {
      await c.query(
        `UPDATE notifications SET status = CASE WHEN status = 'sending' THEN 'sent' ELSE status END, provider_id = $3, updated_at = now() WHERE id = $1 AND attempts = $2 AND status <> 'pending'`,
        [id, attempt, providerId],
      );
      await c.query(
        `INSERT INTO notification_receipts (notification_id, occurred_at, status, source, raw, dedupe_key) VALUES ($1, now(), 'sent', $2, $3, $4) ON CONFLICT (dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING`,
        [id, n!.channel === 'sms' ? 'twilio' : 'smtp', JSON.stringify(raw), `x:sent:${id}:${attempt}`],
      );
    });
  });
  const sentDone = performance.now();
  await waitUntil(
    ds,
    `SELECT count(*)::int AS n FROM notifications WHERE idempotency_key LIKE 'r:%' AND status = 'delivered'`,
    [],
    Math.floor(N / 2),
  );
  await fake.settled();
  const s = fake.callbackStats;
  const result = {
    sentPerSec: N / ((sentDone - started) / 1000),
    receiptsPerSec: s.ok / ((s.last - s.first) / 1000),
    seconds: (sentDone - started) / 1000,
    callbacks: s.ok,
    rssStart,
    rssEnd: process.memoryUsage().rss,
  };
  transport.close();
  server.close();
  await pool.end();
  return result;
}

async function main(): Promise<void> {
  const services = await benchServices();
  const ds = new DataSource(dataSourceOptions(services.databaseUrl, { poolSize: 2 }));
  await ds.initialize();
  const fake = await new FakeTwilio().start();
  fake.keep = false;
  const smtp = await new SmtpSink().start();
  smtp.keep = false;
  try {
    console.log(
      `bench:notifier — ${N} notifications (${N / 2} SMS via the fake Twilio with 2 signed status callbacks each, ${N / 2} email via an smtp-server sink), concurrency ${CONCURRENCY}; letters not in the mix (no provider call)`,
    );
    const raw = await rawRun(services, ds, fake, smtp);
    fake.reset();
    fake.keep = false;
    fake.defaultCallbacks = { kind: 'callbacks', statuses: ['sent', 'delivered'] };
    const kefu = await kefuRun(services, ds, fake, smtp);
    const line = (label: string, r: RunResult) =>
      `${label.padEnd(30)} sent ${r.sentPerSec.toFixed(0).padStart(6)} /s   receipts ${r.receiptsPerSec.toFixed(0).padStart(6)} /s   (${N} in ${r.seconds.toFixed(1)} s; ${r.callbacks} callbacks)   RSS ${mb(r.rssStart)} → ${mb(r.rssEnd)}`;
    console.log(line('raw baseline (pg + SDK, no Nest/BullMQ)', raw));
    console.log(line('kefu notifier (outbox → BullMQ → Nest)', kefu));
    console.log(
      `ratio: sent ${(kefu.sentPerSec / raw.sentPerSec).toFixed(2)}   receipts ${(kefu.receiptsPerSec / raw.receiptsPerSec).toFixed(2)}   (aim ≥ 0.6)`,
    );
    console.log(`peak RSS of the whole bench process (fakes, baseline and app): ${mb(peakRss)}`);
  } finally {
    clearInterval(sampler);
    await fake.stop();
    await smtp.stop();
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
