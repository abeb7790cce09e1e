import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { createTestDatabase, factories, startTestApp, testConfig, type TestDatabase } from '@kefu/shared/testing';
import { intakeApp } from '../apps/intake/src/intake.app';

/** Issue 16 (7): login throttling by login and by client address, before scrypt; the auth_events trail. */
describe('login throttling', () => {
  let db: TestDatabase;
  let app: INestApplication;
  const login = (l: string, password: string, from: string) =>
    request(app.getHttpServer())
      .post('/api/v1/auth/login')
      .set('X-Forwarded-For', from) // trusted: TRUST_PROXY is 'loopback' and supertest connects from 127.0.0.1
      .send({ login: l, password });
  const events = (ds: DataSource, where: string, params: unknown[] = []) =>
    ds.query<Array<{ kind: string; login: string; client_address: string; details: Record<string, unknown> }>>(
      `SELECT kind, login, client_address, details FROM auth_events WHERE ${where} ORDER BY id`,
      params,
    );

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(intakeApp, testConfig({ DATABASE_URL: db.url }));
    for (const l of ['op1', 'rep1', 'rep2', 'rep3'])
      await factories.createStaff(db.dataSource, { login: l, role: 'cs_rep', password: `${l}-pass-123` });
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('locks a login out after 5 wrong passwords, from any address, even for the right password', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await login('op1', `wrong-${i}`, `198.51.100.${i + 1}`).expect(401);
      expect(res.body.error.code).toBe('invalid_credentials');
    }
    const locked = await login('OP1', 'op1-pass-123', '198.51.100.99').expect(429);
    expect(locked.body.error).toEqual({
      code: 'too_many_attempts',
      message: 'Too many login attempts for this login or from this address; try again in 60 seconds.',
    });
    expect(locked.headers['retry-after']).toBe('60');
    // Other logins from the same addresses are not affected.
    await login('rep1', 'rep1-pass-123', '198.51.100.1').expect(200);

    const trail = await events(db.dataSource, `login = 'op1'`);
    expect(trail.map((e) => e.kind)).toEqual([...Array<string>(5).fill('login_failed'), 'login_locked']);
    expect(trail[0]?.client_address).toBe('198.51.100.1');
    expect(trail[5]).toMatchObject({ client_address: '198.51.100.99', details: { scope: 'login', lockedSeconds: 60 } });
    const ok = await events(db.dataSource, `login = 'rep1'`);
    expect(ok.map((e) => e.kind)).toEqual(['login_succeeded']);
    // No password, right or wrong, is kept anywhere in the trail.
    const all = JSON.stringify(await db.dataSource.query(`SELECT * FROM auth_events`));
    expect(all).not.toMatch(/wrong-\d|pass-123/);
    const [staff] = await db.dataSource.query(`SELECT last_login_at FROM staff WHERE login = 'rep1'`);
    expect(staff.last_login_at).not.toBeNull();
  });

  it('answers an unknown login exactly as a known one, lockout included', async () => {
    const answers = async (l: string, from: string) => {
      const out: Array<[number, unknown, string | undefined]> = [];
      for (let i = 0; i < 6; i++) {
        const res = await login(l, `nope-${i}`, from);
        out.push([res.status, res.body, res.headers['retry-after']]);
      }
      return out;
    };
    const known = await answers('rep2', '203.0.113.10');
    const unknown = await answers('no-such-person', '203.0.113.11');
    expect(unknown).toEqual(known);
    expect(known.map(([status]) => status)).toEqual([401, 401, 401, 401, 401, 429]);
    expect((await events(db.dataSource, `login = 'no-such-person'`)).map((e) => e.kind)).toEqual([
      ...Array<string>(5).fill('login_failed'),
      'login_locked',
    ]);
  });

  it('locks an address out after 20 failures across logins; the same people get in from elsewhere', async () => {
    const from = '192.0.2.50';
    for (let i = 0; i < 20; i++) await login(`guess-${i}`, 'guess-password', from).expect(401);
    const res = await login('rep3', 'rep3-pass-123', from).expect(429);
    expect(res.body.error.code).toBe('too_many_attempts');
    // An IPv6 /64 counts as one address; the v4-mapped form of an IPv4 address is that address.
    await login('rep3', 'rep3-pass-123', `::ffff:${from}`).expect(429);
    await login('rep3', 'rep3-pass-123', '192.0.2.51').expect(200);
    const [lock] = await events(db.dataSource, `kind = 'login_locked' AND client_address = $1`, [from]);
    expect(lock).toMatchObject({ login: 'rep3', details: { scope: 'address', lockedSeconds: 60 } });
  });
  // The flood of 500 wrong passwords with real logins beside it: test/abuse (run alone, timing is its point).
});

describe('login lockouts double', () => {
  let db: TestDatabase;
  let app: INestApplication;
  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(
      intakeApp,
      testConfig({
        DATABASE_URL: db.url,
        AUTH_LOGIN_MAX_FAILURES: '2',
        AUTH_LOCKOUT_SECONDS: '1',
        AUTH_LOCKOUT_MAX_SECONDS: '3',
      }),
    );
    await factories.createStaff(db.dataSource, { login: 'slow', role: 'cs_rep', password: 'slow-pass-123' });
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('waits 1 s, then 2 s, then no more than the longest lockout; a success clears the record', async () => {
    const login = (password: string) =>
      request(app.getHttpServer()).post('/api/v1/auth/login').send({ login: 'slow', password });
    const lockFor = async () => {
      await login('wrong-password').expect(401);
      await login('wrong-password').expect(401);
      const res = await login('slow-pass-123').expect(429);
      return Number(res.headers['retry-after']);
    };
    const wait = (s: number) => new Promise((r) => setTimeout(r, s * 1000 + 100));
    expect(await lockFor()).toBe(1);
    await wait(1);
    expect(await lockFor()).toBe(2);
    await wait(2);
    expect(await lockFor()).toBe(3);
    await wait(3);
    await login('slow-pass-123').expect(200);
    expect(await lockFor()).toBe(1);
  }, 30_000);
});
