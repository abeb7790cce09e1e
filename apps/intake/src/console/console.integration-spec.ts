import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createTestDatabase, startTestApp, testConfig, tokenFor, type TestDatabase } from '@kefu/shared/testing';
import { schedulerApp } from '../../../scheduler/src/scheduler.app';
import { intakeApp } from '../intake.app';

describe('console: static files and the pass-through to the scheduler and notifier', () => {
  let db: TestDatabase;
  let intake: INestApplication;
  let scheduler: INestApplication;
  let echo: Server;
  const seen: Array<{ method?: string; url?: string; auth?: string; body: string }> = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    const base = testConfig({ DATABASE_URL: db.url });
    scheduler = await startTestApp(schedulerApp, base);
    await scheduler.listen(0, '127.0.0.1');
    // Stands in for the notifier: records what intake forwarded.
    echo = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, body });
        res.writeHead(201, { 'Content-Type': 'application/json', 'X-Upstream': 'echo' }).end('{"ok":true}');
      });
    });
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    const port = (s: { address(): unknown }) => (s.address() as AddressInfo).port;
    intake = await startTestApp(intakeApp, {
      ...base,
      SCHEDULER_INTERNAL_URL: `http://127.0.0.1:${port(scheduler.getHttpServer())}`,
      NOTIFIER_INTERNAL_URL: `http://127.0.0.1:${port(echo)}`,
    });
  });
  afterAll(async () => {
    await Promise.all([intake?.close(), scheduler?.close(), new Promise((r) => echo?.close(r))]);
    await db?.drop();
  });

  it('serves the console with a strict content security policy and revalidates by ETag', async () => {
    const page = await request(intake.getHttpServer()).get('/console').expect(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.text).toContain('<script type="module" src="/console/app.js">');
    const js = await request(intake.getHttpServer()).get('/console/lib/api.js').expect(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    await request(intake.getHttpServer())
      .get('/console/lib/api.js')
      .set('If-None-Match', js.headers.etag as string)
      .expect(304);
    await request(intake.getHttpServer()).get('/console/tsconfig.json').expect(404);
    await request(intake.getHttpServer()).get('/console/lib/types.d.ts').expect(404);
    await request(intake.getHttpServer()).get('/console/../package.json').expect(404);
  });

  it("passes the scheduler's API through with the caller's token, so the scheduler's role checks apply", async () => {
    await request(intake.getHttpServer()).get('/api/v1/reminders').expect(401);
    const token = await tokenFor(intake, 'cs_rep');
    const res = await request(intake.getHttpServer())
      .get('/api/v1/reminders?state=all')
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    expect(res.body).toEqual(expect.any(Array));
    const forbidden = await request(intake.getHttpServer())
      .put('/api/v1/calendar/overrides/2026-12-01')
      .set('Authorization', `Bearer ${token}`)
      .send({ working: false })
      .expect(403);
    expect(forbidden.body.error.code).toBe('forbidden');
  });

  it('forwards method, path, query and the body unparsed to the notifier', async () => {
    const res = await request(intake.getHttpServer())
      .post('/api/v1/notifications/abc/retry?x=1')
      .set('Authorization', 'Bearer t0k3n')
      .send({ why: '重发' })
      .expect(201);
    expect(res.headers['x-upstream']).toBe('echo');
    expect(seen.at(-1)).toEqual({
      method: 'POST',
      url: '/api/v1/notifications/abc/retry?x=1',
      auth: 'Bearer t0k3n',
      body: '{"why":"重发"}',
    });
  });

  it('is the one public address: acknowledgement links reach the scheduler, provider callbacks the notifier (issue 16, 5)', async () => {
    // A link scanner's GET of a (here: forged) link gets the scheduler's own page, headers included.
    const ack = await request(intake.getHttpServer()).get('/ack/not-a-real-token').expect(400);
    expect(ack.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(ack.headers['content-security-policy']).toContain("form-action 'self'");
    // Twilio's status callback, default PUBLIC_BASE_URL + /webhooks/twilio/status: passed on unparsed, so the
    // notifier checks X-Twilio-Signature over exactly the form Twilio signed.
    const form = 'MessageSid=SM0123&MessageStatus=delivered';
    await request(intake.getHttpServer())
      .post('/webhooks/twilio/status?n=42')
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .set('X-Twilio-Signature', 'sig')
      .send(form)
      .expect(201);
    expect(seen.at(-1)).toEqual({ method: 'POST', url: '/webhooks/twilio/status?n=42', auth: undefined, body: form });
  });

  it("answers 502 with Retry-After and a clear message when the app behind is down, and leaves intake's own API alone", async () => {
    const down = await startTestApp(
      intakeApp,
      testConfig({
        DATABASE_URL: db.url,
        SCHEDULER_INTERNAL_URL: 'http://127.0.0.1:9',
        NOTIFIER_INTERNAL_URL: 'http://127.0.0.1:9',
      }),
    );
    try {
      const res = await request(down.getHttpServer()).get('/api/v1/warranty/upcoming').expect(502);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.body.error).toEqual({
        code: 'upstream_unavailable',
        message: expect.stringContaining('The scheduler cannot be reached'),
      });
      await request(down.getHttpServer()).get('/api/v1/reminderss').expect(404);
      await request(down.getHttpServer()).get('/healthz').expect(200);
    } finally {
      await down.close();
    }
  });

  it('has no local outbox where real providers are configured (no LOCAL_PROVIDERS_URL): a 404 that says why', async () => {
    const token = await tokenFor(intake, 'cs_rep');
    const res = await request(intake.getHttpServer())
      .get('/api/v1/local-outbox')
      .set('Authorization', `Bearer ${token}`)
      .expect(404);
    expect(res.body.error).toMatchObject({ code: 'not_found', details: { reason: 'local_providers_off' } });
    const status = await request(intake.getHttpServer())
      .get('/api/v1/local-outbox/status')
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    expect(status.body).toEqual({ available: false });
    await request(intake.getHttpServer())
      .post('/api/v1/local-outbox/test-mail')
      .set('Authorization', `Bearer ${token}`)
      .send({ from: 'not an address', subject: '', text: 'x' })
      .expect(400);
  });
});
