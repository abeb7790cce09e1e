import type { INestApplication } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import request from 'supertest';
import {
  createTestDatabase,
  factories,
  startTestApp,
  testConfig,
  TEST_TOKEN_SECRET,
  type TestDatabase,
} from '@kefu/shared/testing';
import type { AppConfig } from '@kefu/shared';
import { intakeApp } from '../apps/intake/src/intake.app';
import { notifierApp } from '../apps/notifier/src/notifier.app';
import { schedulerApp } from '../apps/scheduler/src/scheduler.app';

describe('staff auth across the three apps', () => {
  let db: TestDatabase;
  let config: AppConfig;
  let intake: INestApplication;
  let scheduler: INestApplication;
  let notifier: INestApplication;
  const sign = (claims: object, opts: { secret?: string; expiresIn?: number } = {}) =>
    new JwtService().sign(claims, {
      secret: opts.secret ?? TEST_TOKEN_SECRET,
      algorithm: 'HS256',
      issuer: 'kefu',
      expiresIn: opts.expiresIn ?? 300,
    });

  beforeAll(async () => {
    db = await createTestDatabase();
    config = testConfig({ DATABASE_URL: db.url });
    [intake, scheduler, notifier] = await Promise.all([
      startTestApp(intakeApp, config),
      startTestApp(schedulerApp, config),
      startTestApp(notifierApp, config),
    ]);
    await factories.createStaff(db.dataSource, {
      login: 'op1',
      name: '王接线',
      role: 'operator',
      password: 'operator-pass-1',
    });
    await factories.createStaff(db.dataSource, {
      login: 'admin',
      name: '管理员',
      role: 'admin',
      password: 'admin-pass-123',
    });
    await factories.createStaff(db.dataSource, {
      login: 'gone',
      name: '离职',
      role: 'cs_rep',
      password: 'gone-pass-123',
      active: false,
    });
  });
  afterAll(async () => {
    await Promise.all([intake?.close(), scheduler?.close(), notifier?.close()]);
    await db.drop();
  });

  const login = (login: string, password: string) =>
    request(intake.getHttpServer()).post('/api/v1/auth/login').send({ login, password });

  it('logs in with a hashed password and the token works in all three apps', async () => {
    const res = await login('OP1', 'operator-pass-1').expect(200);
    expect(res.body).toMatchObject({
      tokenType: 'Bearer',
      expiresIn: 900,
      staff: { role: 'operator', name: '王接线' },
    });
    const token = res.body.accessToken as string;
    for (const app of [intake, scheduler, notifier]) {
      const me = await request(app.getHttpServer())
        .get('/api/v1/auth/me')
        .set('Authorization', `Bearer ${token}`)
        .expect(200);
      expect(me.body).toMatchObject({ role: 'operator', name: '王接线' });
    }
    const stored = await db.dataSource.query(`SELECT password_hash FROM staff WHERE login = 'op1'`);
    expect(stored[0].password_hash).toMatch(/^scrypt\$/);
  });

  it('renews a session with a fresh token, and stops renewing once the account is deactivated', async () => {
    const staff = await factories.createStaff(db.dataSource, {
      login: 'shift1',
      name: '夜班',
      role: 'cs_rep',
      password: 'shift-pass-123',
    });
    const token = (await login('shift1', 'shift-pass-123').expect(200)).body.accessToken as string;
    const renewed = await request(intake.getHttpServer())
      .post('/api/v1/auth/refresh')
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    expect(renewed.body).toMatchObject({ tokenType: 'Bearer', staff: { id: staff.id, role: 'cs_rep', name: '夜班' } });
    await request(scheduler.getHttpServer())
      .get('/api/v1/auth/me')
      .set('Authorization', `Bearer ${renewed.body.accessToken}`)
      .expect(200);
    await db.dataSource.query(`UPDATE staff SET active = false WHERE id = $1`, [staff.id]);
    const refused = await request(intake.getHttpServer())
      .post('/api/v1/auth/refresh')
      .set('Authorization', `Bearer ${token}`)
      .expect(401);
    expect(refused.body.error.code).toBe('unauthenticated');
    await request(intake.getHttpServer()).post('/api/v1/auth/refresh').expect(401);
  });

  it('refuses a wrong password, an unknown login and a deactivated account the same way', async () => {
    for (const [l, p] of [
      ['op1', 'wrong-password'],
      ['nobody', 'whatever-pass'],
      ['gone', 'gone-pass-123'],
    ] as const) {
      const res = await login(l, p).expect(401);
      expect(res.body).toEqual({ error: { code: 'invalid_credentials', message: 'Wrong login or password.' } });
    }
  });

  it('names each bad field of a bad login request', async () => {
    const res = await request(intake.getHttpServer()).post('/api/v1/auth/login').send({ login: '' }).expect(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details.fields.map((f: { field: string }) => f.field).sort()).toEqual(['login', 'password']);
  });

  it('refuses a missing, malformed, expired or forged token, in every app', async () => {
    const staffId = '00000000-0000-4000-8000-000000000001';
    const expired = sign({ sub: staffId, role: 'admin', name: 'x', typ: 'staff' }, { expiresIn: -10 });
    const forged = sign(
      { sub: staffId, role: 'admin', name: 'x', typ: 'staff' },
      { secret: 'not-the-secret-not-the-secret-000000' },
    );
    const noneAlg = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: staffId, role: 'admin', typ: 'staff', iss: 'kefu' })).toString('base64url')}.`;
    const cases: Array<[string | undefined, number, string]> = [
      [undefined, 401, 'unauthenticated'],
      ['Basic abc', 401, 'unauthenticated'],
      [`Bearer ${expired}`, 401, 'token_expired'],
      [`Bearer ${forged}`, 401, 'unauthenticated'],
      [`Bearer ${noneAlg}`, 401, 'unauthenticated'],
      [`Bearer ${sign({ sub: staffId, role: 'superuser', name: 'x', typ: 'staff' })}`, 401, 'unauthenticated'],
    ];
    for (const app of [intake, scheduler, notifier]) {
      for (const [header, status, code] of cases) {
        const req = request(app.getHttpServer()).get('/api/v1/auth/me');
        if (header) req.set('Authorization', header);
        const res = await req.expect(status);
        expect(res.body.error.code).toBe(code);
        expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts|stack/i);
      }
    }
  });

  it('applies roles: an operator may not create staff, an admin may', async () => {
    const op = (await login('op1', 'operator-pass-1')).body.accessToken as string;
    const admin = (await login('admin', 'admin-pass-123')).body.accessToken as string;
    const body = { login: 'rep2', name: '赵客服', role: 'cs_rep', password: 'a-long-password' };
    const denied = await request(intake.getHttpServer())
      .post('/api/v1/staff')
      .set('Authorization', `Bearer ${op}`)
      .send(body)
      .expect(403);
    expect(denied.body.error).toMatchObject({ code: 'forbidden' });
    await request(intake.getHttpServer()).get('/api/v1/staff').set('Authorization', `Bearer ${op}`).expect(403);
    const created = await request(intake.getHttpServer())
      .post('/api/v1/staff')
      .set('Authorization', `Bearer ${admin}`)
      .send(body)
      .expect(201);
    expect(created.body).toMatchObject({ login: 'rep2', role: 'cs_rep' });
    expect(created.body).not.toHaveProperty('passwordHash');
    await request(intake.getHttpServer())
      .post('/api/v1/staff')
      .set('Authorization', `Bearer ${admin}`)
      .send(body)
      .expect(409);
    await login('rep2', 'a-long-password').expect(200);
  });

  it('leaves public endpoints public and documents the API', async () => {
    for (const app of [intake, scheduler, notifier]) {
      await request(app.getHttpServer()).get('/healthz').expect(200);
      const docs = await request(app.getHttpServer()).get('/api/docs-json').expect(200);
      expect(docs.body.paths['/api/v1/auth/login']).toBeDefined();
    }
  });
});

describe('error responses', () => {
  let db: TestDatabase;
  let app: INestApplication;
  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(intakeApp, testConfig({ DATABASE_URL: db.url }));
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('answer bad JSON, unknown routes and oversized bodies with a code and a clear message', async () => {
    const bad = await request(app.getHttpServer())
      .post('/api/v1/auth/login')
      .set('content-type', 'application/json')
      .send('{bad')
      .expect(400);
    expect(bad.body).toEqual({ error: { code: 'bad_request', message: 'The request body is not valid JSON.' } });
    const missing = await request(app.getHttpServer()).get('/api/v1/nope').set('Authorization', 'Bearer x').expect(404);
    expect(missing.body.error.code).toBe('not_found');
    const big = await request(app.getHttpServer())
      .post('/api/v1/auth/login')
      .set('content-type', 'application/json')
      .send(JSON.stringify({ login: 'x'.repeat(2_000_000), password: 'y' }))
      .expect(413);
    expect(big.body.error.code).toBe('payload_too_large');
  });
});
