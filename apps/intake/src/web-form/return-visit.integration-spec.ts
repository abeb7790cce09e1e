import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { notificationKeys } from '@kefu/shared';
import {
  createTestDatabase,
  startTestApp,
  testConfig,
  tokenFor,
  useFakeClock,
  type TestDatabase,
} from '@kefu/shared/testing';
import { intakeApp } from '../intake.app';

/** 回访 through the owner's link (004 篇2 回访; 002 §7.5): asked at resolution, answered once, counted. */
describe('return visit: the request with its signed link, and the public satisfaction page', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let operator: string;
  let rep: string;
  const http = () => request(app.getHttpServer());
  const as = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(
      intakeApp,
      testConfig({
        DATABASE_URL: db.url,
        PUBLIC_BASE_URL: 'https://kefu.example.com',
        RETURN_VISIT_LINK_TTL_DAYS: '14',
      }),
    );
    [operator, rep] = await Promise.all([tokenFor(app, 'operator'), tokenFor(app, 'cs_rep', '客服 陈敏')]);
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  const go = (id: string, step: string, body: Record<string, unknown> = {}) =>
    http().post(`/api/v1/cases/${id}/${step}`).set(as(rep)).send(body);

  /** A hotline complaint taken to `resolved`; returns the case and the path of the link its request carries. */
  async function resolvedCase(callerNumber: string) {
    const call = await http()
      .post('/api/v1/hotline/calls')
      .set(as(operator))
      .send({
        callerNumber,
        startedAt: new Date().toISOString(),
        durationSeconds: 60,
        summary: '物业保安态度恶劣，投诉',
      })
      .expect(201);
    const c = call.body.case as { id: string; number: string };
    await go(c.id, 'accept').expect(200);
    await go(c.id, 'assign', { assigneeId: null, departmentId: await department() }).expect(200);
    await go(c.id, 'result', { result: '保安已调岗，物业经理上门致歉' }).expect(200);
    return { ...c, path: await linkPath(c.id, 1) };
  }

  let departmentId: string | undefined;
  async function department(): Promise<string> {
    departmentId ??= (
      await db.dataSource.query<[{ id: string }]>(
        `INSERT INTO departments (code, name) VALUES ('RV1', '物业公司') RETURNING id`,
      )
    )[0].id;
    return departmentId;
  }

  async function linkPath(caseId: string, round: number): Promise<string> {
    const [n] = await db.dataSource.query<Array<{ channel: string; variables: { visitUrl: string } }>>(
      `SELECT channel, variables FROM notifications WHERE idempotency_key = $1`,
      [notificationKeys.returnVisit({ caseId, round: String(round) })],
    );
    expect(n?.channel).toBe('sms');
    expect(n!.variables.visitUrl).toMatch(/^https:\/\/kefu\.example\.com\/visit\/[A-Za-z0-9_-]{40,60}$/);
    return new URL(n!.variables.visitUrl).pathname;
  }

  it('asks the reporter at resolution; a 5 from the public page closes the loop once, on the timeline and in the month', async () => {
    const c = await resolvedCase('13833334444');
    const form = await http().get(c.path).expect(200);
    expect(form.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(form.headers['content-security-policy']).toContain("default-src 'none'");
    expect(form.text).toContain(c.number);
    expect(form.text).toContain('name="rating"');
    expect(form.text).not.toContain('<script');

    const thanks = await http().post(c.path).type('form').send({ rating: '5', satisfied: 'yes', comments: '很满意' });
    expect(thanks.status).toBe(200);
    expect(thanks.text).toContain('感谢您的评价');
    const detail = await http().get(`/api/v1/cases/${c.id}`).set(as(rep)).expect(200);
    expect(detail.body.case.status).toBe('return_visited');
    const visit = detail.body.events.find((e: { kind: string }) => e.kind === 'return_visit');
    expect(visit).toMatchObject({
      actor: '业主（回访链接）',
      details: { satisfied: true, rating: 5, comments: '很满意', via: 'owner_link' },
    });
    const rows = await db.dataSource.query<unknown[]>(
      `SELECT round, via, satisfied, rating, recorded_by_id FROM return_visits WHERE case_id = $1`,
      [c.id],
    );
    expect(rows).toEqual([{ round: 1, via: 'owner_link', satisfied: true, rating: 5, recorded_by_id: null }]);

    // Once: a second answer (a double tap, a forwarded link) changes nothing.
    const again = await http().post(c.path).type('form').send({ rating: '1', satisfied: 'no' });
    expect(again.status).toBe(409);
    expect(again.text).toContain('已经评价过');
    expect((await http().get(`/api/v1/cases/${c.id}`).set(as(rep))).body.case.status).toBe('return_visited');

    // The case can now be closed (complaints close only after the return visit).
    await go(c.id, 'close').expect(200);
    // The month's figures: the return visit and the satisfied answer count.
    const gm = await tokenFor(app, 'gm');
    const month = await http().get('/api/v1/reports/monthly').set(as(gm)).expect(200);
    expect(month.body.totals).toMatchObject({ returnVisited: 1, visitAnswered: 1, satisfied: 1, satisfactionRate: 1 });
  });

  it('reopens on an unsatisfied answer; the next resolution asks again with a new link and the old one is spent', async () => {
    const c = await resolvedCase('13833335555');
    await http().post(c.path).type('form').send({ rating: '2', satisfied: 'no', comments: '还是没解决' }).expect(200);
    const detail = await http().get(`/api/v1/cases/${c.id}`).set(as(rep)).expect(200);
    expect(detail.body.case.status).toBe('assigned');
    await go(c.id, 'result', { result: '再次处理' }).expect(200);
    const second = await linkPath(c.id, 2);
    expect(second).not.toBe(c.path);
    expect((await http().get(c.path)).status).toBe(409);
    expect((await http().get(second)).status).toBe(200);
  });

  it('refuses forged, altered and expired links and bad answers with a plain page, never a stack trace', async () => {
    const c = await resolvedCase('13833336666');
    const forged = await http().get(`/visit/${'A'.repeat(51)}`);
    expect(forged.status).toBe(404);
    expect(forged.text).toContain('链接无效');
    const token = c.path.split('/').pop()!;
    const altered = token.slice(0, 5) + (token[5] === 'A' ? 'B' : 'A') + token.slice(6);
    expect((await http().get(`/visit/${altered}`)).status).toBe(404);

    const bad = await http().post(c.path).type('form').send({ rating: '9' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('请选择总体评价');
    expect(bad.text).toContain('请选择是否满意');
    expect(bad.text).not.toMatch(/\bat \w+ \(/);

    const clock = useFakeClock(app, new Date(Date.now() + 15 * 86_400_000));
    try {
      const expired = await http().get(c.path);
      expect(expired.status).toBe(410);
      expect(expired.text).toContain('链接已过期');
    } finally {
      clock.set(new Date());
    }
  });

  it('a return visit staff logged by phone spends the link; staff cannot record the same round twice', async () => {
    const c = await resolvedCase('13833337777');
    await go(c.id, 'return-visit', { satisfied: true, rating: 4, comments: '电话回访：满意' }).expect(200);
    expect((await http().post(c.path).type('form').send({ rating: '5', satisfied: 'yes' })).status).toBe(409);
    const [row] = await db.dataSource.query<Array<{ via: string; rating: number }>>(
      `SELECT via, rating FROM return_visits WHERE case_id = $1`,
      [c.id],
    );
    expect(row).toEqual({ via: 'phone', rating: 4 });
  });
});
