/**
 * npm run bench:notifier (second part) — the domestic SMS path: +86 owners' SMS through the notifier end to end
 * (outbox → BullMQ → render → claim → SMS router: template parameters, per-number frequency limit in Redis, route
 * recorded → Alibaba Cloud SDK → record) against the local Alibaba Cloud SMS (verifying every ACS3 signature).
 * Beside it, a raw baseline in the same run: the same SDK calls and the same database writes by a plain script
 * (pg, no Nest, no BullMQ) at the same concurrency. Receipt pushes are off in both (the Twilio part measures
 * receipts). Prints sent/s and the ratio. Options: BENCH_DOMESTIC_N (default 4000).
 */
import 'reflect-metadata';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Dysmsapi, { SendSmsRequest } from '@alicloud/dysmsapi20170525';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { Pool } from 'pg';
import { poolTransaction } from './raw-baseline';
import { DataSource } from 'typeorm';
import { configSchema, createApp, dataSourceOptions, freePort, type AppConfig } from '@kefu/shared';
import { notifierApp } from '../apps/notifier/src/notifier.app';
import { templateParams, type TemplateEntry } from '../apps/notifier/src/sms/sms-templates';
import { startDomesticSmsFakes, TEST_SIGN_NAME, TEST_TEMPLATES } from '../apps/notifier/src/testing/domestic-sms-fakes';
import { benchProductionEnv, benchServices, runConcurrent } from './bench-env';

const N = Number(process.env.BENCH_DOMESTIC_N ?? 4000);
const CONCURRENCY = 8;

async function seed(ds: DataSource, prefix: 'k' | 'r', base: number): Promise<string[]> {
  await ds.query(
    `INSERT INTO owners (name, mobiles, email, preferred_channels)
     SELECT '业主' || i, ARRAY['138' || lpad(($2 + i)::text, 8, '0')], $1 || i || '@bench.example.com', ARRAY['sms'] FROM generate_series(1, $3) i`,
    [`${prefix}-dom-`, base, N],
  );
  const rows = await ds.query<Array<{ id: string }>>(
    `INSERT INTO notifications (idempotency_key, kind, channel, recipient_type, owner_id, variables)
     SELECT $1 || o.rn, 'warranty_expiry', 'sms', 'owner', o.id,
            jsonb_build_object('estateName', '碧海云天', 'unitLabel', (o.rn % 30 + 1) || '栋' || (o.rn % 4 + 1) || '单元', 'itemName', '屋面防水', 'expiresOn', '2027-01-31')
       FROM (SELECT id, row_number() OVER (ORDER BY email) AS rn FROM owners WHERE email LIKE $2) o
     RETURNING id`,
    [`${prefix}d:`, `${prefix}-dom-%`],
  );
  return rows.map((r) => r.id);
}

async function waitSent(ds: DataSource, prefix: string): Promise<number> {
  const deadline = performance.now() + 30 * 60_000;
  for (;;) {
    const [{ n }] = await ds.query<[{ n: number }]>(
      `SELECT count(*)::int AS n FROM notifications WHERE idempotency_key LIKE $1 AND status IN ('sent', 'delivered')`,
      [`${prefix}%`],
    );
    if (n >= N) return performance.now();
    if (performance.now() > deadline) throw new Error(`timed out: ${n} of ${N}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function main(): Promise<void> {
  const services = await benchServices();
  const ds = new DataSource(dataSourceOptions(services.databaseUrl, { poolSize: 2 }));
  await ds.initialize();
  const fakes = await startDomesticSmsFakes('aliyun', null);
  fakes.aliyun.receiptUrl = null;
  const o = fakes.overrides;
  try {
    console.log(
      `bench:notifier (domestic) — ${N} SMS to +86 owners via the local Alibaba Cloud SMS, concurrency ${CONCURRENCY}`,
    );
    // Raw baseline: render the template parameters, claim, SDK call, record — plain pg.
    const rawIds = await seed(ds, 'r', 0);
    const pool = new Pool({ connectionString: services.databaseUrl, max: CONCURRENCY + 2 });
    const tx = poolTransaction(pool);
    const client = new Dysmsapi(
      new $OpenApiUtil.Config({
        accessKeyId: o.ALIYUN_SMS_ACCESS_KEY_ID,
        accessKeySecret: o.ALIYUN_SMS_ACCESS_KEY_SECRET,
        endpoint: fakes.aliyun.endpoint,
        protocol: 'http',
      }),
    );
    const t = TEST_TEMPLATES.aliyun.warranty_expiry as TemplateEntry;
    const rawStart = performance.now();
    await runConcurrent(rawIds.length, CONCURRENCY, async (i) => {
      const id = rawIds[i]!;
      const {
        rows: [n],
      } = await pool.query<{ variables: Record<string, unknown>; name: string; mobile: string }>(
        `SELECT n.variables, o.name, o.mobiles[1] AS mobile FROM notifications n JOIN owners o ON o.id = n.owner_id WHERE n.id = $1`,
        [id],
      );
      const values = templateParams(t, n!.variables, n!.name);
      if (!values.ok) throw new Error(values.message);
      const attempt = await tx(async (c) => {
        const r = await c.query<{ attempts: number }>(
          `UPDATE notifications SET status = 'sending', attempts = attempts + 1, to_address = $2, sent_at = now(), updated_at = now() WHERE id = $1 AND status = 'pending' RETURNING attempts`,
          [id, n!.mobile],
        );
        return r.rows[0]!.attempts;
      });
      const r = await client.sendSms(
        new SendSmsRequest({
          phoneNumbers: n!.mobile,
          signName: TEST_SIGN_NAME,
          templateCode: t.template,
          templateParam: JSON.stringify(Object.fromEntries(t.params.map((p, k) => [p, values.values[k]]))),
          outId: `${id}.${attempt}`,
        }),
      );
      await tx(async (c) => {
        await c.query(
          `UPDATE notifications SET status = 'sent', provider_id = $3, sms_route = 'aliyun', updated_at = now() WHERE id = $1 AND attempts = $2 AND status = 'sending'`,
          [id, attempt, r.body!.bizId],
        );
        await c.query(
          `INSERT INTO notification_receipts (notification_id, occurred_at, status, source, raw, dedupe_key) VALUES ($1, now(), 'sent', 'aliyun', $2, $3) ON CONFLICT (dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING`,
          [id, JSON.stringify({ bizId: r.body!.bizId }), `aliyun:sent:${id}:${attempt}`],
        );
      });
    });
    const raw = N / ((performance.now() - rawStart) / 1000);
    await pool.end();

    const ids = await seed(ds, 'k', N);
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'kefu-bench-sms-'));
    writeFileSync(join(dir, 't.json'), JSON.stringify(TEST_TEMPLATES));
    const config: AppConfig = configSchema.parse({
      DATABASE_URL: services.databaseUrl,
      REDIS_URL: services.redisUrl,
      ...benchProductionEnv,
      ...o,
      SMS_TEMPLATES_FILE: join(dir, 't.json'),
      LOG_LEVEL: 'silent',
      NOTIFIER_PORT: String(port),
      HTTP_HOST: '127.0.0.1',
      DB_POOL_SIZE: String(CONCURRENCY + 6),
      QUEUE_PREFIX: 'benchd',
      SMS_RATE_PER_SECOND: '10000',
      SMS_QUIET_HOURS: '00:00-00:00',
    });
    const app = await createApp(notifierApp, config);
    await app.listen(port, '127.0.0.1');
    const started = performance.now();
    await ds.query(
      `INSERT INTO outbox (job_name, payload, dedupe_key) SELECT 'notification-requested', jsonb_build_object('notificationId', id), 'notification-requested:' || id FROM unnest($1::uuid[]) id`,
      [ids],
    );
    const kefu = (N / ((await waitSent(ds, 'kd:')) - started)) * 1000;
    await app.close();
    const refused = fakes.aliyun.requests.filter((r) => !r.ok).length;
    console.log(`raw baseline (pg + Alibaba Cloud SDK)   sent ${raw.toFixed(0).padStart(6)} /s`);
    console.log(`kefu notifier (outbox → BullMQ → router) sent ${kefu.toFixed(0).padStart(6)} /s`);
    console.log(`ratio: sent ${(kefu / raw).toFixed(2)}   (aim ≥ 0.6); bad signatures seen by the fake: ${refused}`);
  } finally {
    await fakes.stop();
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
