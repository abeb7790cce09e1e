import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { JobRouter, notificationVariables, SurveyLinks, type FakeClock } from '@kefu/shared';
import {
  createTestDatabase,
  factories,
  startTestApp,
  testConfig,
  tokenFor,
  useFakeClock,
  type TestDatabase,
} from '@kefu/shared/testing';
import { schedulerApp } from '../scheduler.app';
import { SURVEY_SCAN_TASK, type SurveyScanResult } from './survey-scan.service';

interface InvitationRow {
  id: string;
  occasion: string;
  due_on: string;
  life_stage: string;
  late: boolean;
  month: string;
}

describe('survey scan: invitations by life stage (time travel)', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let clock: FakeClock;
  let buildingId: string;
  let config: ReturnType<typeof testConfig>;
  const scan = () => app.get(JobRouter).runTask(SURVEY_SCAN_TASK) as Promise<SurveyScanResult>;
  const q = <T>(sql: string, params: unknown[] = []) => db.dataSource.query<T[]>(sql, params);
  const invitationsOf = (ownerId: string) =>
    q<InvitationRow>(
      `SELECT si.id, si.occasion, to_char(si.due_on, 'YYYY-MM-DD') AS due_on, si.life_stage, si.late,
              to_char(r.month, 'YYYY-MM-DD') AS month
         FROM survey_invitations si JOIN survey_rounds r ON r.id = si.round_id
        WHERE si.owner_id = $1 ORDER BY si.due_on`,
      [ownerId],
    );
  const owner = async (room: string, unit: { handoverDate: string | null }, link: { since: string }) => {
    const u = await factories.createUnit(db.dataSource, { buildingId, entrance: '1', room, ...unit });
    const o = await factories.createOwner(db.dataSource, { name: `业主${room}` });
    await factories.linkOwner(db.dataSource, o.id, u.id, link);
    return o.id;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    config = testConfig({ DATABASE_URL: db.url });
    app = await startTestApp(schedulerApp, config);
    clock = useFakeClock(app, '2026-06-10T09:40:00+08:00');
    const projectId = (await factories.createProject(db.dataSource, { code: 'MYD01', name: '明月岛' })).id;
    buildingId = (await factories.createBuilding(db.dataSource, { projectId, name: '2栋' })).id;
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('registers the scan as a recurring task', () => {
    expect(app.get(JobRouter).taskNames()).toContain(SURVEY_SCAN_TASK);
  });

  it('asks each life stage on its occasion, once, and catches up after downtime without asking twice', async () => {
    // Today is 2026-06-10. 准业主: bought a month ago, unit not handed over → the contract survey.
    const prospective = await owner('101', { handoverDate: null }, { since: '2026-05-10' });
    // 磨合期: moved in 3 months ago → the 3-month survey.
    const settling = await owner('102', { handoverDate: '2026-03-10' }, { since: '2025-01-01' });
    // 稳定期: moved in a year ago → the 1-year survey.
    const stable = await owner('103', { handoverDate: '2025-06-10' }, { since: '2024-01-01' });
    // 老业主: 3 years → yearly survey; 7 years → the every-2-years one after year 5; 6 years → nothing (off-year).
    const established = await owner('104', { handoverDate: '2023-06-10' }, { since: '2022-01-01' });
    const sevenYears = await owner('105', { handoverDate: '2019-06-10' }, { since: '2018-01-01' });
    const sixYears = await owner('106', { handoverDate: '2020-06-10' }, { since: '2019-01-01' });
    // A resale buyer of a unit handed over long ago: no contract survey; moved in on the transfer → 3 months later.
    const resale = await owner('107', { handoverDate: '2020-01-01' }, { since: '2026-05-10' });
    // An owner whose data was erased (PIPL) is asked nothing more.
    const erased = await owner('108', { handoverDate: '2026-03-10' }, { since: '2025-01-01' });
    await q(
      `UPDATE owners SET erased_at = now(), name = '已删除', mobiles = '{}', email = NULL, postal_address = NULL, postcode = NULL WHERE id = $1`,
      [erased],
    );

    const first = await scan();
    expect(first).toMatchObject({ from: '2026-06-09', through: '2026-06-10', invitations: 5, late: 0 });
    const one = async (id: string) =>
      (await invitationsOf(id)).map((i) => [i.occasion, i.due_on, i.life_stage, i.late]);
    expect(await one(prospective)).toEqual([['contract-1m', '2026-06-10', 'prospective', false]]);
    expect(await one(settling)).toEqual([['movein-3m', '2026-06-10', 'settling', false]]);
    expect(await one(stable)).toEqual([['movein-12m', '2026-06-10', 'stable', false]]);
    expect(await one(established)).toEqual([['movein-36m', '2026-06-10', 'established', false]]);
    expect(await one(sevenYears)).toEqual([['movein-84m', '2026-06-10', 'established', false]]);
    expect(await one(sixYears)).toEqual([]);
    expect(await one(resale)).toEqual([]);
    expect(await one(erased)).toEqual([]);
    // One round for the estate and month.
    expect(new Set((await invitationsOf(settling)).map((i) => i.month))).toEqual(new Set(['2026-06-01']));

    // Each invitation asked the notifier for one message with a working signed link; the variables meet the contract.
    const [inv] = await invitationsOf(settling);
    const [n] = await q<{ idempotency_key: string; variables: Record<string, unknown>; owner_id: string }>(
      `SELECT idempotency_key, variables, owner_id FROM notifications WHERE source_type = 'survey_invitation' AND source_id = $1`,
      [inv!.id],
    );
    expect(n).toMatchObject({ idempotency_key: `survey:${inv!.id}:invite`, owner_id: settling });
    expect(notificationVariables.survey_invitation.parse(n!.variables)).toMatchObject({
      estateName: '明月岛',
      unitLabel: '2栋1单元102',
      title: '业主满意度调查',
      expiresOn: '2026-07-10',
      reminder: false,
    });
    const url = String(n!.variables.surveyUrl);
    expect(url.startsWith(`${config.PUBLIC_BASE_URL.replace(/\/$/, '')}/survey/`)).toBe(true);
    const link = new SurveyLinks(config.AUTH_TOKEN_SECRET).verify(url.split('/survey/')[1]!);
    expect(link?.invitationId).toBe(inv!.id);
    expect((n!.variables.questions as unknown[]).length).toBeGreaterThanOrEqual(4);

    // The same day again: nothing new.
    expect(await scan()).toMatchObject({ from: null, invitations: 0 });

    // Down from 2026-06-11 to 2026-09-11: the resale buyer's 3-month survey fell due on 2026-08-10 → late, once.
    clock.set(new Date('2026-09-11T10:40:00+08:00'));
    const caughtUp = await scan();
    expect(caughtUp).toMatchObject({ from: '2026-06-10', through: '2026-09-11', invitations: 1, late: 1 });
    expect(await one(resale)).toEqual([['movein-3m', '2026-08-10', 'settling', true]]);
    expect(await scan()).toMatchObject({ from: null, invitations: 0 });
    // Nobody asked twice.
    const [dup] = await q<{ n: number }>(
      `SELECT count(*)::int AS n FROM (SELECT owner_id, unit_id, occasion FROM survey_invitations GROUP BY 1, 2, 3 HAVING count(*) > 1) d`,
    );
    expect(dup!.n).toBe(0);

    // The 准业主 moves in (handover recorded 2026-09-11): 3 months later, on 2026-12-11, the move-in survey — 磨合期 now.
    await q(
      `UPDATE units SET handover_date = '2026-09-11' WHERE id = (SELECT unit_id FROM owner_units WHERE owner_id = $1)`,
      [prospective],
    );
    clock.set(new Date('2026-12-11T09:40:00+08:00'));
    await scan();
    expect((await one(prospective)).map((i) => i.slice(0, 3))).toEqual([
      ['contract-1m', '2026-06-10', 'prospective'],
      ['movein-3m', '2026-12-11', 'settling'],
    ]);
  });

  it('lets a manager run the scan now (POST /api/v1/survey-scan); other roles may not', async () => {
    const [manager, rep] = await Promise.all([tokenFor(app, 'dept_manager'), tokenFor(app, 'cs_rep')]);
    const http = () => request(app.getHttpServer());
    const ran = await http()
      .post('/api/v1/survey-scan')
      .set({ Authorization: `Bearer ${manager}` })
      .expect(200);
    expect(ran.body).toMatchObject({ through: '2026-12-11', invitations: 0 });
    await http()
      .post('/api/v1/survey-scan')
      .set({ Authorization: `Bearer ${rep}` })
      .expect(403);
  });

  it('reminds owners who have not answered, once, after SURVEY_REMINDER_AFTER_DAYS, while the link works', async () => {
    clock.set(new Date('2027-03-01T09:40:00+08:00'));
    await scan(); // days since the last scan, nothing to remind yet
    const a = await owner('201', { handoverDate: '2026-12-02' }, { since: '2026-01-01' });
    const b = await owner('202', { handoverDate: '2026-12-02' }, { since: '2026-01-01' });
    clock.set(new Date('2027-03-02T09:40:00+08:00')); // handover + 3 months
    expect(await scan()).toMatchObject({ invitations: 2, reminders: 0 });
    const [ia] = await invitationsOf(a);
    await q(`UPDATE survey_invitations SET answered_at = $2 WHERE id = $1`, [ia!.id, clock.now()]);

    clock.set(new Date('2027-03-09T09:39:00+08:00')); // a minute short of 7 days
    expect(await scan()).toMatchObject({ reminders: 0 });
    clock.set(new Date('2027-03-09T10:40:00+08:00'));
    expect(await scan()).toMatchObject({ reminders: 1 });
    expect(await scan()).toMatchObject({ reminders: 0 });
    const [ib] = await invitationsOf(b);
    const reminders = await q<{ idempotency_key: string; variables: { reminder: boolean; surveyUrl: string } }>(
      `SELECT idempotency_key, variables FROM notifications WHERE source_id = ANY($1::uuid[]) ORDER BY idempotency_key`,
      [[ia!.id, ib!.id]],
    );
    expect(reminders.map((r) => r.idempotency_key)).toEqual(
      [`survey:${ia!.id}:invite`, `survey:${ib!.id}:invite`, `survey:${ib!.id}:reminder`].sort(),
    );
    const invite = reminders.find((r) => r.idempotency_key.endsWith(`${ib!.id}:invite`))!;
    const reminder = reminders.find((r) => r.idempotency_key.endsWith(':reminder'))!;
    expect(reminder.variables.reminder).toBe(true);
    expect(reminder.variables.surveyUrl).toBe(invite.variables.surveyUrl); // the same link, same expiry
  });
});
