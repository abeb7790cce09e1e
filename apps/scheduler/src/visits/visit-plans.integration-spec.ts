import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { JobRouter, notificationKeys, notificationVariables, type FakeClock } from '@kefu/shared';
import {
  createTestDatabase,
  factories,
  startTestApp,
  testConfig,
  tokenFor,
  useFakeClock,
  type TestDatabase,
} from '@kefu/shared/testing';
import { renderTemplate } from '../../../notifier/src/notifications/templates';
import { ReminderQueryService } from '../reminders/reminder-query.service';
import { schedulerApp } from '../scheduler.app';
import type { VisitPlanResult } from './visit-plan';
import { VISIT_PLAN_TASK } from './visit-plan.service';
import { VISIT_REMINDER_TASK } from './visit-reminder.service';

interface VisitRow {
  unit_id: string;
  room: string;
  owner_id: string | null;
  staff_id: string | null;
  kind: string;
  seq: number;
  due_on: string;
  status: string;
  end_reason: string | null;
  updated_at: Date;
}

/** The yearly visit plan, travelled through a year on the fake clock (002 §7.5.2, 000 §6.4.2, §6.5.2). */
describe('owner visit plans', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let clock: FakeClock;
  let manager: string;
  let projectId: string;
  let buildingId: string;
  const units: Record<string, { id: string; ownerId: string | null }> = {};
  let staffA: string;
  let staffB: string;
  const http = () => request(app.getHttpServer());
  const auth = () => ({ Authorization: `Bearer ${manager}` });
  const q = <T>(sql: string, params: unknown[] = []) => db.dataSource.query<T[]>(sql, params);
  const visits = (year = 2026) =>
    q<VisitRow>(
      `SELECT v.unit_id, u.room, v.owner_id, v.staff_id, v.kind, v.seq, to_char(v.due_on, 'YYYY-MM-DD') AS due_on,
              v.status, v.end_reason, v.updated_at
       FROM owner_visits v JOIN units u ON u.id = v.unit_id JOIN visit_plans p ON p.id = v.plan_id
       WHERE p.year = $1 ORDER BY u.room, v.kind, v.seq`,
      [year],
    );
  const runPlans = async () => (await app.get(JobRouter).runTask(VISIT_PLAN_TASK)) as { plans: VisitPlanResult[] };
  const unit = async (
    room: string,
    o: { handoverDate: string | null; finish?: 'rough' | 'fitted'; owned?: boolean },
  ) => {
    const u = await factories.createUnit(db.dataSource, {
      buildingId,
      entrance: '1',
      room,
      handoverDate: o.handoverDate,
      finish: o.finish ?? 'fitted',
    });
    let ownerId: string | null = null;
    if (o.owned !== false) {
      ownerId = (await factories.createOwner(db.dataSource, { name: `业主${room}` })).id;
      await factories.linkOwner(db.dataSource, ownerId, u.id, { since: '2025-01-01' });
    }
    units[room] = { id: u.id, ownerId };
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(schedulerApp, testConfig({ DATABASE_URL: db.url }));
    clock = useFakeClock(app, '2026-01-01T01:15:00+08:00');
    manager = await tokenFor(app, 'dept_manager');
    projectId = (await factories.createProject(db.dataSource, { code: 'VIS01', name: '碧海云天' })).id;
    buildingId = (await factories.createBuilding(db.dataSource, { projectId, name: '1栋' })).id;
    await unit('101', { handoverDate: '2023-06-30' });
    await unit('102', { handoverDate: '2023-06-30' });
    await unit('103', { handoverDate: '2025-12-20' }); // handover visit 2026-01-19
    await unit('104', { handoverDate: '2026-02-10', finish: 'rough' }); // handover 03-12, decoration 03-10, 05-10, 08-10
    await unit('105', { handoverDate: '2023-06-30' });
    await unit('106', { handoverDate: '2023-06-30', owned: false }); // unsold
    await unit('201', { handoverDate: '2023-06-30' });
    // A co-owner who is not the primary contact: the household is one, addressed to the primary contact.
    const co = await factories.createOwner(db.dataSource, { name: '共有人' });
    await factories.linkOwner(db.dataSource, co.id, units['101']!.id, {
      relation: 'co_owner',
      isPrimaryContact: false,
    });
    staffA = (await factories.createStaff(db.dataSource, { role: 'cs_rep', name: '客服甲' })).id;
    staffB = (await factories.createStaff(db.dataSource, { role: 'cs_rep', name: '客服乙' })).id;
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('refuses staff who do not visit owners, naming each', async () => {
    const operator = await factories.createStaff(db.dataSource, { role: 'operator' });
    const res = await http()
      .put(`/api/v1/visit-plans/${projectId}/staff`)
      .set(auth())
      .send({ staffIds: [staffA, operator.id, '00000000-0000-4000-8000-000000000000'] })
      .expect(400);
    expect(res.body.error.details.fields).toEqual([
      { field: 'staffIds.1', message: expect.stringContaining('does not visit owners') },
      { field: 'staffIds.2', message: 'no such member of staff' },
    ]);
    const rep = await tokenFor(app, 'cs_rep');
    await http()
      .put(`/api/v1/visit-plans/${projectId}/staff`)
      .set({ Authorization: `Bearer ${rep}` })
      .send({ staffIds: [staffA] })
      .expect(403);
    expect(await q(`SELECT 1 FROM visit_staff`)).toHaveLength(0);
  });

  it('plans every household three times a year, split evenly, with handover and decoration visits', async () => {
    const res = await http()
      .put(`/api/v1/visit-plans/${projectId}/staff`)
      .set(auth())
      .send({ staffIds: [staffA, staffB] })
      .expect(200);
    expect(res.body).toMatchObject({ year: 2026, households: 6, staff: 2, added: 18 + 1 + 4, ended: 0 });
    const rows = await visits();
    const routine = rows.filter((r) => r.kind === 'routine');
    // 6 households (the unsold unit is none) × 3 windows of 4 months
    expect(new Set(routine.map((r) => r.room))).toEqual(new Set(['101', '102', '103', '104', '105', '201']));
    expect(routine.filter((r) => r.seq === 0).map((r) => r.due_on)).toEqual([
      '2026-01-01',
      '2026-01-21',
      '2026-02-10',
      '2026-03-02',
      '2026-03-22',
      '2026-04-11',
    ]);
    expect(routine.filter((r) => r.room === '102').map((r) => r.due_on)).toEqual([
      '2026-01-21',
      '2026-05-21',
      '2026-09-21',
    ]);
    // Balanced: three households each, alternating in the estate's order.
    const byStaff = (s: string) => new Set(routine.filter((r) => r.staff_id === s).map((r) => r.room));
    expect(byStaff(staffA)).toEqual(new Set(['101', '103', '105']));
    expect(byStaff(staffB)).toEqual(new Set(['102', '104', '201']));
    // The co-owned unit is addressed to its primary contact.
    expect(routine.filter((r) => r.room === '101').every((r) => r.owner_id === units['101']!.ownerId)).toBe(true);
    const fixed = rows.filter((r) => r.kind !== 'routine').map((r) => [r.room, r.kind, r.seq, r.due_on, r.staff_id]);
    expect(fixed).toEqual([
      ['103', 'handover', 0, '2026-01-19', staffA],
      ['104', 'decoration', 1, '2026-03-10', staffB],
      ['104', 'decoration', 3, '2026-05-10', staffB],
      ['104', 'decoration', 6, '2026-08-10', staffB],
      ['104', 'handover', 0, '2026-03-12', staffB],
    ]);
  });

  it('changes nothing when run again', async () => {
    const before = await visits();
    clock.set('2026-01-02T01:15:00+08:00');
    const { plans } = await runPlans();
    expect(plans).toEqual([expect.objectContaining({ added: 0, reassigned: 0, ended: 0 })]);
    expect(await visits()).toEqual(before);
  });

  it('reminds each member of staff once a day of their due visits, also after a restart', async () => {
    clock.set('2026-01-19T08:00:00+08:00');
    const first = (await app.get(JobRouter).runTask(VISIT_REMINDER_TASK)) as { created: number };
    expect(first.created).toBe(2);
    const rows = await q<{ idempotency_key: string; staff_id: string; variables: unknown; kind: string }>(
      `SELECT idempotency_key, staff_id, variables, kind FROM notifications WHERE kind = 'visit_due' ORDER BY idempotency_key`,
    );
    expect(rows.map((r) => r.idempotency_key).sort()).toEqual(
      [staffA, staffB].map((s) => notificationKeys.visitDue({ staffId: s, day: '2026-01-19' })).sort(),
    );
    for (const r of rows) expect(notificationVariables.visit_due.safeParse(r.variables).success).toBe(true);
    const a = rows.find((r) => r.staff_id === staffA)!.variables;
    // A: 101 (01-01, overdue), 103's handover (today); due within 7 days: none more.
    expect(a).toMatchObject({
      date: '2026-01-19',
      overdue: 1,
      dueToday: 1,
      upcoming: 0,
      items: [
        { unitLabel: '1栋1单元101', kindLabel: '例行拜访', dueOn: '2026-01-01', state: 'overdue' },
        { unitLabel: '1栋1单元103', kindLabel: '交房回访', dueOn: '2026-01-19', state: 'due_today' },
      ],
    });
    // B: 102 due 01-21 (upcoming, within 7 days).
    expect(rows.find((r) => r.staff_id === staffB)!.variables).toMatchObject({ overdue: 0, dueToday: 0, upcoming: 1 });

    clock.set('2026-01-19T15:00:00+08:00');
    expect(await app.get(JobRouter).runTask(VISIT_REMINDER_TASK)).toMatchObject({ created: 0 });
    await app.close();
    app = await startTestApp(schedulerApp, testConfig({ DATABASE_URL: db.url }));
    clock = useFakeClock(app, '2026-01-19T16:00:00+08:00');
    expect(await app.get(JobRouter).runTask(VISIT_REMINDER_TASK)).toMatchObject({ created: 0 });
    expect(await q(`SELECT 1 FROM notifications WHERE kind = 'visit_due'`)).toHaveLength(2);
    clock.set('2026-01-20T08:00:00+08:00');
    expect(await app.get(JobRouter).runTask(VISIT_REMINDER_TASK)).toMatchObject({ created: 2 });
  });

  it("counts the team's overdue visits in their manager's daily digest", async () => {
    const boss = await factories.createStaff(db.dataSource, { role: 'dept_manager', name: '客服部经理' });
    await q(`UPDATE staff SET reports_to_id = $1 WHERE id = $2`, [boss.id, staffA]);
    // 2026-01-20: A's routine visit to 101 (01-01) and the handover visit to 103 (01-19) are overdue; B's 102 is due 01-21.
    expect(await app.get(ReminderQueryService).sendDigests(true)).toBe(1);
    const [digest] = await q<{ variables: Record<string, unknown> }>(
      `SELECT variables FROM notifications WHERE kind = 'staff_digest' AND staff_id = $1`,
      [boss.id],
    );
    expect(digest!.variables).toMatchObject({ date: '2026-01-20', overdueVisits: 2, items: [] });
    expect(notificationVariables.staff_digest.safeParse(digest!.variables).success).toBe(true);
    expect(renderTemplate('staff_digest', digest!.variables, '经理').text).toContain('业主拜访逾期2户。');
  });

  it('adds owners who join, ends those who leave, follows a sale, and keeps windows already past', async () => {
    clock.set('2026-05-12T01:15:00+08:00');
    // 106 is sold; 105's owner leaves (the unit goes back to the developer); 102 is resold.
    const buyer = await factories.createOwner(db.dataSource, { name: '新业主106' });
    await factories.linkOwner(db.dataSource, buyer.id, units['106']!.id, { since: '2026-05-10' });
    await q(`UPDATE owner_units SET until = '2026-05-10' WHERE unit_id = $1`, [units['105']!.id]);
    await q(`UPDATE owner_units SET until = '2026-05-11' WHERE unit_id = $1`, [units['102']!.id]);
    const resale = await factories.createOwner(db.dataSource, { name: '二手买家' });
    await factories.linkOwner(db.dataSource, resale.id, units['102']!.id, { since: '2026-05-11' });
    const { plans } = await runPlans();
    // 106: the second and third windows (the first ended on 05-01). 105: 3 planned routine visits ended.
    expect(plans[0]).toMatchObject({ households: 6, added: 2, ended: 3 });
    const rows = await visits();
    const r106 = rows.filter((r) => r.room === '106');
    expect(r106.map((r) => [r.seq, r.status])).toEqual([
      [1, 'planned'],
      [2, 'planned'],
    ]);
    expect(r106[0]!.due_on >= '2026-05-12').toBe(true);
    expect(rows.filter((r) => r.room === '105').map((r) => [r.status, r.end_reason])).toEqual(
      Array(3).fill(['ended', 'household_left']),
    );
    expect(rows.filter((r) => r.room === '102' && r.status === 'planned').every((r) => r.owner_id === resale.id)).toBe(
      true,
    );
    // Re-run: still nothing to do.
    expect((await runPlans()).plans[0]).toMatchObject({ added: 0, reassigned: 0, ended: 0 });
  });

  it('moves handover and decoration visits with the handover date, and rebalances when staff join', async () => {
    await q(`UPDATE units SET handover_date = '2026-04-01' WHERE id = $1`, [units['104']!.id]);
    await runPlans();
    const fixed = (await visits()).filter((r) => r.room === '104' && r.kind !== 'routine');
    expect(fixed.map((r) => [r.kind, r.seq, r.due_on, r.status])).toEqual([
      ['decoration', 1, '2026-05-01', 'planned'],
      ['decoration', 3, '2026-07-01', 'planned'],
      ['decoration', 6, '2026-10-01', 'planned'],
      ['handover', 0, '2026-05-01', 'planned'],
    ]);

    const staffC = (await factories.createStaff(db.dataSource, { role: 'cs_rep', name: '客服丙' })).id;
    const res = await http()
      .put(`/api/v1/visit-plans/${projectId}/staff`)
      .set(auth())
      .send({ staffIds: [staffA, staffB, staffC] })
      .expect(200);
    expect(res.body.reassigned).toBeGreaterThan(0);
    const planned = (await visits()).filter(
      (r) => r.kind === 'routine' && r.status === 'planned' && r.due_on >= '2026-05-12',
    );
    const households = (s: string) => new Set(planned.filter((r) => r.staff_id === s).map((r) => r.room)).size;
    expect([households(staffA), households(staffB), households(staffC)]).toEqual([2, 2, 2]);

    const list = await http().get('/api/v1/visit-plans?year=2026').set(auth()).expect(200);
    expect(list.body.find((p: { projectId: string }) => p.projectId === projectId)).toMatchObject({
      households: 6,
      plannedHouseholds: 6,
      staff: [{ name: '客服甲' }, { name: '客服乙' }, { name: '客服丙' }],
      plan: { year: 2026, startsOn: '2026-01-01', intervalMonths: 4 },
    });
  });

  it("makes next year's plan on its first night and leaves this year's as it was", async () => {
    const before = await visits(2026);
    clock.set('2027-01-01T01:15:00+08:00');
    const { plans } = await runPlans();
    expect(plans[0]).toMatchObject({ year: 2027, households: 6, staff: 3, added: 18 });
    expect(await visits(2026)).toEqual(before);
    await http().post(`/api/v1/visit-plans/${projectId}/2026/generate`).set(auth()).expect(400);
  });
});
