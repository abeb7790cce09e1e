import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import request from 'supertest';
import { createTestDatabase, factories, startTestApp, testConfig, type TestDatabase } from '@kefu/shared/testing';
import { intakeApp } from '../intake.app';
import { WebIpLimits } from './ip-limit.service';
import { inputValue, solve } from './testing/fixtures';

const BITS = 4;
const PER_HOUR = 5; // so 1 per hour without JavaScript

describe('web form per-IP limits', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let projectId: string;
  let seq = 0;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(
      intakeApp,
      testConfig({
        DATABASE_URL: db.url,
        WEB_FORM_POW_BITS: String(BITS),
        WEB_FORM_MAX_PER_IP_PER_HOUR: String(PER_HOUR),
      }),
    );
    projectId = (await factories.createProject(db.dataSource, { name: '碧海云天' })).id;
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  const challenge = async () => inputValue((await http().get('/complaint').expect(200)).text, 'challenge');
  const form = (c: string, nonce: string) => {
    const values = {
      name: '李女士',
      mobile: '13900001111',
      projectId,
      unitText: '5栋101',
      type: 'complaint',
      description: `第${++seq}次提交：楼上装修噪音`,
      challenge: c,
      nonce,
      website: '',
    };
    let req = http().post('/complaint');
    for (const [k, v] of Object.entries(values)) req = req.field(k, v);
    return req;
  };
  const webRecords = async () =>
    (await db.dataSource.query(`SELECT count(*)::int AS n FROM intake_records WHERE source = 'web'`))[0].n as number;

  it('allows fewer submissions without JavaScript, then refuses with 429 and a Chinese page', async () => {
    await form(await challenge(), '').expect(200);
    const refused = await form(await challenge(), '')
      .expect(429)
      .expect('Content-Type', /text\/html/);
    expect(refused.text).toContain('未启用JavaScript时，同一网络每小时最多提交1次');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(3000);
    // With the work done, the same address may still submit.
    const c = await challenge();
    await form(c, solve(c, BITS)).expect(200);
    expect(await webRecords()).toBe(2);
  });

  it('holds the hourly limit under concurrent submissions, and answers JSON clients with 429 too', async () => {
    // 2 used; 3 left. Five at once: exactly three get through.
    const cs = await Promise.all(Array.from({ length: 5 }, challenge));
    const results = await Promise.all(cs.map((c) => form(c, solve(c, BITS))));
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 429, 429]);
    expect(await webRecords()).toBe(PER_HOUR);

    const api = await http().get('/api/v1/web-complaints/challenge').expect(200);
    const res = await http()
      .post('/api/v1/web-complaints')
      .send({
        name: '李女士',
        mobile: '13900001111',
        projectId,
        unitText: '5栋101',
        type: 'complaint',
        description: '再提交一次看看',
        challenge: api.body.challenge,
        nonce: solve(api.body.challenge, BITS),
      })
      .expect(429);
    expect(res.body.error).toMatchObject({
      code: 'rate_limited',
      message: expect.stringContaining('同一网络每小时最多提交5次'),
    });
    expect(res.headers['retry-after']).toBeDefined();
  });

  it('answers an address over its limit with 429 whatever it sends: an invalid form, the honeypot', async () => {
    const c = await challenge();
    const invalid = await http()
      .post('/api/v1/web-complaints')
      .send({
        name: '李女士',
        mobile: '123',
        projectId,
        unitText: '5栋101',
        type: 'complaint',
        description: '',
        challenge: c,
        nonce: solve(c, BITS),
      })
      .expect(429);
    expect(invalid.body.error.code).toBe('rate_limited');
    const spam = await http()
      .post('/api/v1/web-complaints')
      .send({
        name: 'bot',
        mobile: '13900001111',
        projectId,
        unitText: '5栋101',
        type: 'complaint',
        description: '广告广告广告广告',
        challenge: c,
        nonce: solve(c, BITS),
        website: 'http://spam.example',
      })
      .expect(429);
    expect(spam.body.error.code).toBe('rate_limited');
    expect(await webRecords()).toBe(PER_HOUR);
  });

  it('counts by a salted hash of the address, never the address itself', async () => {
    const rows = await db.dataSource.query(`SELECT raw FROM intake_records WHERE source = 'web'`);
    const hashes = new Set(rows.map((r: { raw: { client: { ipHash: string } } }) => r.raw.client.ipHash));
    expect(hashes.size).toBe(1);
    expect([...hashes][0]).toMatch(/^[0-9a-f]{32}$/);
    expect(JSON.stringify(rows)).not.toMatch(/127\.0\.0\.1|::1|::ffff/);
  });

  it('judges the limit and writes the case in one statement, with no transaction or lock round trips', async () => {
    const spy = jest.spyOn(Client.prototype, 'query');
    try {
      const api = await http()
        .get('/api/v1/web-complaints/challenge')
        .set('X-Forwarded-For', '198.51.100.7')
        .expect(200);
      await http()
        .post('/api/v1/web-complaints')
        .set('X-Forwarded-For', '198.51.100.7')
        .send({
          name: '王先生',
          mobile: '13900002222',
          projectId,
          unitText: '5栋102',
          type: 'complaint',
          description: '电梯按钮失灵',
          challenge: api.body.challenge,
          nonce: solve(api.body.challenge, BITS),
        })
        .expect(201);
      const text = (q: unknown) => (typeof q === 'string' ? q : (q as { text: string }).text);
      // The outbox relay, kicked by the commit, runs its own statements meanwhile.
      const ours = spy.mock.calls
        .map(([q]) => text(q))
        .filter((sql) => !/\boutbox\b/.test(sql) || /WITH guard AS/.test(sql));
      expect(ours.filter((sql) => /^(BEGIN|START TRANSACTION|COMMIT)\b|pg_advisory/.test(sql))).toEqual([]);
      expect(ours.filter((sql) => /WITH guard AS/.test(sql))).toHaveLength(1);
    } finally {
      spy.mockRestore();
    }
  });

  it('forgets addresses with no submission within the hour', async () => {
    const limits = app.get(WebIpLimits);
    await db.dataSource.query(
      `INSERT INTO web_ip_usage (ip_hash, hits, updated_at) VALUES ('${'a'.repeat(32)}', ARRAY[now() - interval '2 hours'], now() - interval '2 hours')`,
    );
    const before = (await db.dataSource.query(`SELECT count(*)::int AS n FROM web_ip_usage`))[0].n as number;
    expect(await limits.sweep()).toBe(1);
    expect((await db.dataSource.query(`SELECT count(*)::int AS n FROM web_ip_usage`))[0].n).toBe(before - 1);
  });
});
