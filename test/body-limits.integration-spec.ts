import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import {
  createTestDatabase,
  partialRequest,
  startTestApp,
  testConfig,
  tokenFor,
  type TestDatabase,
} from '@kefu/shared/testing';
import { intakeApp } from '../apps/intake/src/intake.app';

const MB = 1024 * 1024;

/**
 * Issue 16 (6): bodies are read only where a route takes them and after its guard; a declared length over the
 * limit is refused before a byte is read; the web form's uploads have per-address and global budgets and a cap on
 * uploads read at once. Each request here declares a large body, sends a little of it and waits: an answer means
 * the server did not sit reading (or buffering) the rest.
 */
describe('request bodies and uploads (issue 16, 6)', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(
      intakeApp,
      testConfig({
        DATABASE_URL: db.url,
        TRUST_PROXY: 'loopback',
        WEB_FORM_MAX_ATTEMPTS_PER_IP_PER_HOUR: '4',
        WEB_FORM_UPLOAD_MB_PER_IP_PER_HOUR: '60',
        WEB_FORM_UPLOAD_MB_PER_HOUR: '64',
        WEB_FORM_MAX_CONCURRENT_UPLOADS: '2',
      }),
    );
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  const csv = { 'Content-Type': 'text/csv' };
  const from = (ip: string) => ({ 'X-Forwarded-For': ip });
  const multipart = { 'Content-Type': 'multipart/form-data; boundary=XyZ' };
  const firstPart =
    '--XyZ\r\nContent-Disposition: form-data; name="photos"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8\xff';

  it('reads no body for a route that does not exist or a caller without a token', async () => {
    const missing = await partialRequest({
      url: `${base}/api/v1/nowhere`,
      headers: csv,
      declaredBytes: 20 * MB,
      firstChunk: 'a,b\n',
    });
    expect(missing.status).toBe(404);
    const anonymous = await partialRequest({
      url: `${base}/api/v1/hotline/cdr-imports`,
      headers: csv,
      declaredBytes: 20 * MB,
      firstChunk: 'a,b\n',
    });
    expect(anonymous.status).toBe(401);
  });

  it('reads a text body only on the routes that take one, and refuses a declared length over their limit at once', async () => {
    const token = await tokenFor(app, 'operator');
    const tooLarge = await partialRequest({
      url: `${base}/api/v1/hotline/cdr-imports`,
      headers: { ...csv, Authorization: `Bearer ${token}` },
      declaredBytes: 21 * MB,
      firstChunk: 'a,b\n',
    });
    expect(tooLarge.status).toBe(413);
    expect(JSON.parse(tooLarge.text).error).toEqual({
      code: 'payload_too_large',
      message: expect.stringContaining('too large'),
    });
    // A staff route that takes JSON does not read a CSV at all.
    const notHere = await partialRequest({
      url: `${base}/api/v1/hotline/calls`,
      headers: { ...csv, Authorization: `Bearer ${token}` },
      declaredBytes: 15 * MB,
      firstChunk: 'a,b\n',
    });
    expect(notHere.status).toBe(400);
    const json = await partialRequest({
      url: `${base}/api/v1/hotline/calls`,
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      declaredBytes: 2 * MB,
      firstChunk: '{"a":',
    });
    expect(json.status).toBe(413);
  });

  it('refuses a web-form upload larger than any real submission before reading it', async () => {
    const res = await partialRequest({
      url: `${base}/complaint`,
      headers: { ...multipart, ...from('203.0.113.1') },
      declaredBytes: 60 * MB,
      firstChunk: firstPart,
    });
    expect(res.status).toBe(413);
    expect(res.text).toContain('提交的内容太大');
  });

  it('counts every POST of an address, refused ones too, and its bytes: over either budget, 429 before reading', async () => {
    // Four attempts an hour: invalid forms count.
    for (let i = 0; i < 4; i++) {
      const invalid = await fetch(`${base}/api/v1/web-complaints`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...from('203.0.113.2') },
        body: '{}',
      });
      expect(invalid.status).toBe(400);
    }
    const fifth = await fetch(`${base}/api/v1/web-complaints`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...from('203.0.113.2') },
      body: '{}',
    });
    expect(fifth.status).toBe(429);
    expect(Number(fifth.headers.get('retry-after'))).toBeGreaterThanOrEqual(60);
    // Bytes: 60 MB an hour, judged by the declared length — the second 40 MB upload is refused unread.
    const upload = () =>
      partialRequest({
        url: `${base}/complaint`,
        headers: { ...multipart, ...from('203.0.113.3') },
        declaredBytes: 40 * MB,
        firstChunk: firstPart,
        waitMs: 1500,
      });
    await expect(upload()).rejects.toThrow(/reading the declared body/);
    const second = await upload();
    expect(second.status).toBe(429);
    expect(second.text).toContain('提交过于频繁');
  });

  it('reads at most WEB_FORM_MAX_CONCURRENT_UPLOADS uploads at once (503), and has an hourly budget for everybody', async () => {
    const open = (ip: string, mb = 1) =>
      partialRequest({
        url: `${base}/complaint`,
        headers: { ...multipart, ...from(ip) },
        declaredBytes: mb * MB,
        firstChunk: firstPart,
        waitMs: 2500,
      });
    // Two uploads being read (never finished); the third is turned away at once.
    const [a, b] = [open('198.51.100.1'), open('198.51.100.2')];
    await new Promise((r) => setTimeout(r, 300));
    const third = await open('198.51.100.3');
    expect(third.status).toBe(503);
    expect(Number(third.headers['retry-after'])).toBe(30);
    await Promise.allSettled([a, b]);
    // Everybody together: 64 MB an hour. 40 (above; the refused 40 MB did not count) + 1 + 1 + 1 + small forms: a
    // 30 MB upload from a fresh address is too much for everybody, although within its own budget.
    const big = await open('198.51.100.4', 30);
    expect(big.status).toBe(503);
    expect(big.text).toContain('服务暂时不可用');
    const rows = await db.dataSource.query<Array<{ ip_hash: string; attempts: number; bytes: string }>>(
      `SELECT ip_hash, attempts, bytes::text FROM web_upload_usage`,
    );
    // No address is stored, only keyed hashes; '*' is everybody.
    expect(rows.every((r) => r.ip_hash === '*' || /^[0-9a-f]{32}$/.test(r.ip_hash))).toBe(true);
  });
});
