import type { INestApplication } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import request from 'supertest';
import {
  createTestDatabase,
  expectEventually,
  factories,
  startTestApp,
  testConfig,
  useFakeClock,
  type TestDatabase,
} from '@kefu/shared/testing';
import { CLOCK, systemClock, type AppClock, type StaffEntity, type StaffRole } from '@kefu/shared';
import { intakeApp } from '../apps/intake/src/intake.app';
import { schedulerApp } from '../apps/scheduler/src/scheduler.app';

/** Issue 16 (8): staff lifecycle — deactivate, reactivate, role, password reset, own password, session limits. */
describe('staff lifecycle', () => {
  let db: TestDatabase;
  let intake: INestApplication;
  let scheduler: INestApplication;
  let admin: StaffEntity;
  let adminToken: string;

  const login = (l: string, password: string, from = '127.0.0.1') =>
    request(intake.getHttpServer())
      .post('/api/v1/auth/login')
      .set('X-Forwarded-For', from)
      .send({ login: l, password });
  const tokenOf = async (l: string, password: string) =>
    (await login(l, password).expect(200)).body.accessToken as string;
  const me = (app: INestApplication, token: string) =>
    request(app.getHttpServer()).get('/api/v1/auth/me').set('Authorization', `Bearer ${token}`);
  const act = (token: string, path: string, body: object = {}) =>
    request(intake.getHttpServer()).post(`/api/v1/staff${path}`).set('Authorization', `Bearer ${token}`).send(body);
  let n = 0;
  const person = async (role: StaffRole = 'cs_rep') => {
    n += 1;
    const password = `person-${n}-pass`;
    const s = await factories.createStaff(db.dataSource, { login: `person${n}`, name: `员工${n}`, role, password });
    return { ...s, password };
  };
  const trail = (staffId: string) =>
    db.dataSource.query<Array<{ kind: string; actor_id: string | null; details: Record<string, unknown> }>>(
      `SELECT kind, actor_id, details FROM auth_events WHERE staff_id = $1 AND kind NOT LIKE 'login_%' ORDER BY id`,
      [staffId],
    );

  beforeAll(async () => {
    db = await createTestDatabase();
    // A 1-second account cache: another app notices a change within a second (production: a minute).
    const config = testConfig({ DATABASE_URL: db.url, AUTH_STAFF_CACHE_SECONDS: '1' });
    [intake, scheduler] = await Promise.all([startTestApp(intakeApp, config), startTestApp(schedulerApp, config)]);
    admin = await factories.createStaff(db.dataSource, {
      login: 'boss',
      name: '管理员',
      role: 'admin',
      password: 'boss-pass-123',
    });
    adminToken = await tokenOf('boss', 'boss-pass-123');
  });
  afterAll(async () => {
    await Promise.all([intake?.close(), scheduler?.close()]);
    await db?.drop();
  });

  it('deactivates: the account cannot log in and its tokens stop in every app within the cache window', async () => {
    const p = await person();
    const token = await tokenOf(p.login, p.password);
    await me(scheduler, token).expect(200); // cached by the scheduler as active
    const res = await act(adminToken, `/${p.id}/deactivate`).expect(200);
    expect(res.body).toMatchObject({ id: p.id, active: false });
    // Intake made the change and forgot its entry at once; the scheduler asks Postgres again within a second.
    expect((await me(intake, token).expect(401)).body.error.code).toBe('unauthenticated');
    const t0 = Date.now();
    await expectEventually(() => me(scheduler, token).expect(401), { timeoutMs: 3000, intervalMs: 50 });
    expect(Date.now() - t0).toBeLessThan(2000);
    await login(p.login, p.password).expect(401);

    await act(adminToken, `/${p.id}/reactivate`).expect(200);
    await tokenOf(p.login, p.password);
    await me(intake, token).expect(401); // a token from before the deactivation stays dead
    expect((await trail(p.id)).map((e) => [e.kind, e.actor_id])).toEqual([
      ['staff_deactivated', admin.id],
      ['staff_reactivated', admin.id],
    ]);
  });

  it('changes a role: the token version moves on, old tokens stop, the next login carries the new role', async () => {
    const p = await person('cs_rep');
    const token = await tokenOf(p.login, p.password);
    await me(scheduler, token).expect(200);
    const [before] = await db.dataSource.query(`SELECT token_version FROM staff WHERE id = $1`, [p.id]);
    await act(adminToken, `/${p.id}/role`, { role: 'dept_manager' }).expect(200);
    const [after] = await db.dataSource.query(`SELECT token_version, role FROM staff WHERE id = $1`, [p.id]);
    expect(after).toEqual({ token_version: before.token_version + 1, role: 'dept_manager' });
    await request(intake.getHttpServer())
      .post('/api/v1/auth/refresh')
      .set('Authorization', `Bearer ${token}`)
      .expect(401);
    await expectEventually(() => me(scheduler, token).expect(401), { timeoutMs: 3000, intervalMs: 50 });
    const fresh = await tokenOf(p.login, p.password);
    expect((await me(scheduler, fresh).expect(200)).body.role).toBe('dept_manager');
    expect(await trail(p.id)).toEqual([
      { kind: 'role_changed', actor_id: admin.id, details: { from: 'cs_rep', to: 'dept_manager' } },
    ]);
    const bad = await act(adminToken, `/${p.id}/role`, { role: 'superuser' }).expect(400);
    expect(bad.body.error.code).toBe('validation_failed');
  });

  it('never leaves the installation without an active admin', async () => {
    const self = await act(adminToken, `/${admin.id}/deactivate`).expect(409);
    expect(self.body.error).toEqual({
      code: 'conflict',
      message: 'boss is the last active admin: make another admin first, then deactivate this account.',
    });
    await act(adminToken, `/${admin.id}/role`, { role: 'gm' }).expect(409);
    // With a second admin, the first may step down (and its own token stops with it).
    const second = await person('cs_rep');
    await act(adminToken, `/${second.id}/role`, { role: 'admin' }).expect(200);
    await act(adminToken, `/${admin.id}/role`, { role: 'gm' }).expect(200);
    await me(intake, adminToken).expect(401);
    const secondToken = await tokenOf(second.login, second.password);
    await act(secondToken, `/${second.id}/deactivate`).expect(409);
    await act(secondToken, `/${admin.id}/role`, { role: 'admin' }).expect(200);
    adminToken = await tokenOf('boss', 'boss-pass-123');
    await act(adminToken, `/${second.id}/deactivate`).expect(200);
  });

  it('resets a password: a generated one is shown once, the old password and tokens stop working', async () => {
    const p = await person();
    const token = await tokenOf(p.login, p.password);
    const res = await act(adminToken, `/${p.id}/password`).expect(200);
    const generated = res.body.generatedPassword as string;
    expect(generated).toMatch(/^[A-Za-z0-9]{16}$/);
    expect(res.body.staff).toMatchObject({ id: p.id, login: p.login });
    await login(p.login, p.password).expect(401);
    await tokenOf(p.login, generated);
    await me(intake, token).expect(401);
    const list = await request(intake.getHttpServer())
      .get('/api/v1/staff')
      .set('Authorization', `Bearer ${adminToken}`)
      .expect(200);
    expect(JSON.stringify(list.body)).not.toContain(generated);
    expect(list.body.find((s: { id: string }) => s.id === p.id).lastLoginAt).toEqual(expect.any(String));

    const chosen = await act(adminToken, `/${p.id}/password`, { password: 'chosen-by-admin' }).expect(200);
    expect(chosen.body.generatedPassword).toBeNull();
    await tokenOf(p.login, 'chosen-by-admin');
    await act(adminToken, `/${p.id}/password`, { password: 'short' }).expect(400);
    expect((await trail(p.id)).map((e) => [e.kind, e.details])).toEqual([
      ['password_reset', { generated: true }],
      ['password_reset', { generated: false }],
    ]);
    const all = JSON.stringify(await db.dataSource.query(`SELECT * FROM auth_events`));
    expect(all).not.toContain(generated);
    expect(all).not.toContain('chosen-by-admin');
  });

  it('lets anyone change their own password with the current one; other sessions end, this one goes on', async () => {
    const p = await person('operator');
    const other = await tokenOf(p.login, p.password);
    const token = await tokenOf(p.login, p.password);
    const wrong = await act(token, '/me/password', { currentPassword: 'not-it', newPassword: 'a-new-password' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.details.fields).toEqual([{ field: 'currentPassword', message: 'is wrong' }]);
    const same = await act(token, '/me/password', { currentPassword: p.password, newPassword: p.password });
    expect(same.status).toBe(400);
    const ok = await act(token, '/me/password', { currentPassword: p.password, newPassword: 'a-new-password' });
    expect(ok.status).toBe(200);
    await me(intake, ok.body.accessToken).expect(200);
    await me(intake, other).expect(401);
    await expectEventually(() => me(scheduler, token).expect(401), { timeoutMs: 3000, intervalMs: 50 });
    await login(p.login, p.password).expect(401);
    await tokenOf(p.login, 'a-new-password');
    expect((await trail(p.id)).map((e) => [e.kind, e.actor_id])).toEqual([['password_changed', p.id]]);
    // Only admins manage others.
    await act(ok.body.accessToken, `/${admin.id}/deactivate`).expect(403);
    await act(ok.body.accessToken, `/${admin.id}/password`).expect(403);
  });

  it('refuses to renew a session past AUTH_SESSION_MAX_HOURS (12) after its login', async () => {
    const p = await person();
    const start = new Date();
    const clock = useFakeClock(intake, start);
    try {
      let token = await tokenOf(p.login, p.password);
      const refresh = () =>
        request(intake.getHttpServer()).post('/api/v1/auth/refresh').set('Authorization', `Bearer ${token}`);
      clock.advance(11 * 3600_000);
      const renewed = await refresh().expect(200);
      expect(renewed.body.expiresIn).toBe(900);
      token = renewed.body.accessToken;
      const claims = new JwtService().decode<{ auth_time: number; ver: number }>(token);
      expect(claims.auth_time).toBe(Math.floor(start.getTime() / 1000));
      clock.advance(59 * 60_000 + 30_000); // 30 s of the session left: the token lasts no longer
      const last = await refresh().expect(200);
      expect(last.body.expiresIn).toBeLessThanOrEqual(30);
      token = last.body.accessToken;
      clock.advance(31_000);
      const over = await refresh().expect(401);
      expect(over.body.error).toEqual({
        code: 'token_expired',
        message: 'Sessions last at most 12 hours from logging in; log in again.',
      });
    } finally {
      intake.get<AppClock>(CLOCK).use(systemClock);
    }
  });
});
