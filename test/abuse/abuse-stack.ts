import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { SMTPServer } from 'smtp-server';
import { freePort, type AppConfig } from '@kefu/shared';
import {
  createTestDatabase,
  factories,
  quietHoursElsewhere,
  startTestApp,
  testConfig,
  type TestDatabase,
} from '@kefu/shared/testing';
import { intakeApp } from '../../apps/intake/src/intake.app';
import { notifierApp } from '../../apps/notifier/src/notifier.app';
import {
  FakeTwilio,
  TEST_ACCOUNT_SID,
  TEST_AUTH_TOKEN,
  TEST_MESSAGING_SERVICE_SID,
} from '../../apps/notifier/src/testing/fake-twilio';
import { schedulerApp } from '../../apps/scheduler/src/scheduler.app';

/** The reverse proxy the stack trusts (TRUST_PROXY): requests from this address may say who the client is. */
export const PROXY_ADDRESS = '127.0.0.2';

/** An SMTP server that takes mail, except that it never answers the message of mail to `slow@…` (a stalled DATA). */
export class StallingSmtp {
  readonly delivered: Array<{ to: string[]; raw: string }> = [];
  readonly stalled: string[] = [];
  private server!: SMTPServer;
  url = '';

  async start(): Promise<this> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, session, cb) => {
        const to = session.envelope.rcptTo.map((r) => r.address);
        let raw = '';
        stream.on('data', (c: Buffer) => (raw += c.toString('latin1')));
        stream.on('end', () => {
          if (to.some((a) => a.startsWith('slow@'))) {
            this.stalled.push(to.join(','));
            return; // answers after "3 minutes": never, within the test
          }
          this.delivered.push({ to, raw });
          cb();
        });
      },
    });
    this.server.on('error', () => undefined);
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.url = `smtp://127.0.0.1:${(this.server.server.address() as AddressInfo).port}`;
    return this;
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

export interface AbuseStack {
  db: TestDatabase;
  config: AppConfig;
  intake: INestApplication;
  scheduler: INestApplication;
  notifier: INestApplication;
  /** Intake's address: the one public address (the apps behind are reached through it). */
  baseUrl: string;
  twilio: FakeTwilio;
  smtp: StallingSmtp;
  projectId: string;
  close: () => Promise<void>;
}

/** The system as deployed, in this process: three apps on their own ports, a Twilio and an SMTP server outside. */
export async function startAbuseStack(overrides: Partial<Record<keyof AppConfig, string>> = {}): Promise<AbuseStack> {
  const db = await createTestDatabase();
  const twilio = await new FakeTwilio().start();
  const smtp = await new StallingSmtp().start();
  const [schedulerPort, notifierPort] = await Promise.all([freePort(), freePort()]);
  const config = testConfig({
    DATABASE_URL: db.url,
    TRUST_PROXY: PROXY_ADDRESS,
    WEB_FORM_POW_BITS: '0',
    TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
    TWILIO_MESSAGING_SERVICE_SID: TEST_MESSAGING_SERVICE_SID,
    TWILIO_API_BASE_URL: twilio.url,
    TWILIO_STATUS_CALLBACK_URL: `http://127.0.0.1:${notifierPort}/webhooks/twilio/status`,
    SMTP_URL: smtp.url,
    SMTP_TIMEOUT_SECONDS: '2',
    AUTH_STAFF_CACHE_SECONDS: '1',
    EMAIL_FROM: '客户服务部 <kefu@kefu.example.com>',
    SMS_QUIET_HOURS: quietHoursElsewhere(),
    SMS_RATE_PER_SECOND: '1000',
    EMAIL_RATE_PER_SECOND: '1000',
    SCHEDULER_INTERNAL_URL: `http://127.0.0.1:${schedulerPort}`,
    NOTIFIER_INTERNAL_URL: `http://127.0.0.1:${notifierPort}`,
    ...overrides,
  });
  const [scheduler, notifier] = await Promise.all([
    startTestApp(schedulerApp, config),
    startTestApp(notifierApp, config),
  ]);
  await Promise.all([scheduler.listen(schedulerPort, '127.0.0.1'), notifier.listen(notifierPort, '127.0.0.1')]);
  const intake = await startTestApp(intakeApp, config);
  await intake.listen(0, '127.0.0.1');
  const baseUrl = `http://127.0.0.1:${((intake.getHttpServer() as Server).address() as AddressInfo).port}`;
  const projectId = (await factories.createProject(db.dataSource, { name: '碧海云天' })).id;
  return {
    db,
    config,
    intake,
    scheduler,
    notifier,
    baseUrl,
    twilio,
    smtp,
    projectId,
    close: async () => {
      await twilio.settled();
      await Promise.all([intake.close(), scheduler.close(), notifier.close()]);
      await Promise.all([twilio.stop(), smtp.stop()]);
      await db.drop();
    },
  };
}

/** A JSON request from a given local address (the proxy's, or a client's own), with extra headers. */
export function send(
  url: string,
  o: { method?: string; body?: unknown; headers?: Record<string, string>; from?: string } = {},
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON of any answer, as supertest gives it
): Promise<{ status: number; body: any; headers: Record<string, string | string[] | undefined> }> {
  const payload = o.body === undefined ? undefined : JSON.stringify(o.body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: o.method ?? (payload ? 'POST' : 'GET'),
        localAddress: o.from,
        headers: { ...(payload ? { 'Content-Type': 'application/json' } : {}), ...o.headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // HTML pages stay text
          }
          resolve({ status: res.statusCode ?? 0, body, headers: res.headers });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
