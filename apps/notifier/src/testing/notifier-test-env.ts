import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  freePort,
  requestNotification,
  type AppConfig,
  type NotificationRequest,
  type NotificationKind,
} from '@kefu/shared';
import {
  createTestDatabase,
  expectEventually,
  startTestApp,
  testConfig,
  useFakeClock,
  type TestDatabase,
} from '@kefu/shared/testing';
import type { FakeClock } from '@kefu/shared';
import { notifierApp } from '../notifier.app';
import { FakeTwilio, TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, TEST_MESSAGING_SERVICE_SID } from './fake-twilio';
import { SmtpSink } from './smtp-sink';

/** A notifications row as Postgres returns it (the columns tests assert). */
export interface NotificationRow {
  id: string;
  idempotency_key: string;
  status: string;
  channel: string | null;
  attempts: number;
  not_before: Date;
  to_address: string | null;
  body: string;
  subject: string | null;
  html: string | null;
  segments: number | null;
  provider_id: string | null;
  error_code: string | null;
  error_message: string | null;
  fallback_of_id: string | null;
  sent_at: Date | null;
  delivered_at: Date | null;
  [column: string]: unknown;
}
export interface ReceiptRow {
  status: string;
  source: string;
  detail: string | null;
  raw: Record<string, unknown> | null;
  dedupe_key: string | null;
}

export interface NotifierTestEnv {
  app: INestApplication;
  db: TestDatabase;
  twilio: FakeTwilio;
  smtp: SmtpSink;
  clock: FakeClock;
  config: AppConfig;
  baseUrl: string;
  request: <K extends NotificationKind>(req: NotificationRequest<K>) => Promise<string>;
  row: (id: string) => Promise<NotificationRow>;
  receipts: (id: string) => Promise<ReceiptRow[]>;
  waitFor: (id: string, statuses: string[], timeoutMs?: number) => Promise<NotificationRow>;
  close: () => Promise<void>;
}

/** Tomorrow 10:00 in Shanghai: outside SMS quiet hours, and never before the database's now() that stamps not_before. */
export function tomorrowAt(hhmm = '10:00'): string {
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(Date.now() + 86_400_000));
  return `${day}T${hhmm}:00+08:00`;
}

/** The notifier app listening on a free port, with a fake Twilio and an SMTP sink, on a fake clock. */
export async function startNotifierTestEnv(
  overrides: Partial<Record<keyof AppConfig, string>> = {},
  opts: { db?: TestDatabase } = {},
): Promise<NotifierTestEnv> {
  const db = opts.db ?? (await createTestDatabase());
  const twilio = await new FakeTwilio().start();
  const smtp = await new SmtpSink().start();
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const config = testConfig({
    DATABASE_URL: db.url,
    NOTIFIER_PORT: String(port),
    HTTP_HOST: '127.0.0.1',
    TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
    TWILIO_MESSAGING_SERVICE_SID: TEST_MESSAGING_SERVICE_SID,
    TWILIO_API_BASE_URL: twilio.url,
    TWILIO_STATUS_CALLBACK_URL: `${baseUrl}/webhooks/twilio/status`,
    SMTP_URL: smtp.url,
    EMAIL_FROM: '客户服务部 <kefu@kefu.example.com>',
    EMAIL_REPLY_TO: 'cs@kefu.example.com',
    EMAIL_RETURN_PATH: 'bounces@kefu.example.com',
    SMS_RATE_PER_SECOND: '1000',
    EMAIL_RATE_PER_SECOND: '1000',
    ...overrides,
  });
  const app = await startTestApp(notifierApp, config);
  await app.listen(port, '127.0.0.1');
  const clock = useFakeClock(app, tomorrowAt());
  // One notion of time on both sides: the reconciler asks Twilio for messages since the attempt (by the app's clock).
  twilio.now = () => clock.now();
  const ds = app.get(DataSource);
  const row = async (id: string) =>
    (await ds.query<NotificationRow[]>(`SELECT * FROM notifications WHERE id = $1`, [id]))[0]!;
  return {
    app,
    db,
    twilio,
    smtp,
    clock,
    config,
    baseUrl,
    row,
    request: async (req) => (await db.dataSource.transaction((m) => requestNotification(m, req))).id,
    receipts: (id) =>
      ds.query<ReceiptRow[]>(
        `SELECT status, source, detail, raw, dedupe_key FROM notification_receipts WHERE notification_id = $1 ORDER BY id`,
        [id],
      ),
    waitFor: (id, statuses, timeoutMs = 15_000) =>
      expectEventually(
        async () => {
          const r = await row(id);
          if (!statuses.includes(r.status))
            throw new Error(
              `notification ${id} is ${r.status} (${r.error_code ?? ''} ${r.error_message ?? ''}), waiting for ${statuses.join('/')}`,
            );
          return r;
        },
        { timeoutMs, intervalMs: 50 },
      ),
    close: async () => {
      await twilio.settled();
      await app.close();
      await twilio.stop();
      await smtp.stop();
      if (!opts.db) await db.drop();
    },
  };
}
