import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { AuthService, type FakeClock, type StaffEntity } from '@kefu/shared';
import {
  createTestDatabase,
  factories,
  startTestApp,
  testConfig,
  useFakeClock,
  type TestDatabase,
} from '@kefu/shared/testing';
import { intakeApp } from '../apps/intake/src/intake.app';
import { SchedulerWorker } from '../apps/scheduler/src/jobs/scheduler.worker';
import { ReminderService } from '../apps/scheduler/src/reminders/reminder.service';
import { schedulerApp } from '../apps/scheduler/src/scheduler.app';

const sh = (local: string): Date => new Date(`${local.replace(' ', 'T')}:00+08:00`);
const iso = (local: string): string => `${local.replace(' ', 'T')}:00+08:00`;

/**
 * Issue 15: the department's loop on a case, rule by rule, each test named after the seed section it proves. Cases
 * come from the real intake (hotline calls, the case API), deadlines and messages from the real scheduler scan, on
 * one fake clock moved through working days (Monday 2026-10-12 onwards; National Day is over).
 */
describe('the case loop: deadlines as the seeds define them', () => {
  let db: TestDatabase;
  let intake: INestApplication;
  let scheduler: INestApplication;
  let clocks: FakeClock[];
  let gm: StaffEntity, vicegm: StaffEntity, head: StaffEntity, engDuty: StaffEntity, csDuty: StaffEntity;
  let operator: StaffEntity;
  let eng: string;
  const tokens = new Map<string, string>();

  beforeAll(async () => {
    db = await createTestDatabase();
    const config = testConfig({ DATABASE_URL: db.url });
    scheduler = await startTestApp(schedulerApp, config);
    await scheduler.get(SchedulerWorker).worker.pause(); // the tests drive every scan and job themselves
    intake = await startTestApp(intakeApp, config);
    clocks = [useFakeClock(intake, sh('2026-10-12 09:00')), useFakeClock(scheduler, sh('2026-10-12 09:00'))];
    const ds = db.dataSource;
    const cs = await factories.createDepartment(ds, { code: 'CS', name: '客户服务部' });
    eng = (await factories.createDepartment(ds, { code: 'ENG', name: '工程部' })).id;
    await ds.query(`UPDATE departments SET customer_service = true WHERE id = $1`, [cs.id]);
    gm = await factories.createStaff(ds, { role: 'gm', name: '总经理' });
    vicegm = await factories.createStaff(ds, { role: 'vice_gm', name: '副总', reportsToId: gm.id });
    head = await factories.createStaff(ds, {
      role: 'dept_manager',
      name: '工程部经理',
      departmentId: eng,
      reportsToId: vicegm.id,
    });
    engDuty = await factories.createStaff(ds, {
      role: 'cs_rep',
      name: '工程值班',
      departmentId: eng,
      reportsToId: head.id,
    });
    csDuty = await factories.createStaff(ds, { role: 'cs_rep', name: '客服值班', departmentId: cs.id });
    operator = await factories.createStaff(ds, { role: 'operator', name: '话务员' });
    for (const s of [gm, vicegm, head, engDuty, csDuty, operator])
      tokens.set(s.id, (await intake.get(AuthService).issue({ id: s.id, role: s.role, name: s.name })).accessToken);
    await ds.query(
      `INSERT INTO department_responsibilities (category, department_id) VALUES ('engineering_quality', $1)`,
      [eng],
    );
    for (const weekday of [1, 2, 3, 4, 5])
      await ds.query(`INSERT INTO duty_roster (department_id, staff_id, weekday) VALUES ($1, $2, $3), ($4, $5, $3)`, [
        eng,
        engDuty.id,
        weekday,
        cs.id,
        csDuty.id,
      ]);
  });
  afterAll(async () => {
    await intake?.close();
    await scheduler?.close();
    await db?.drop();
  });

  const as = (s: StaffEntity) => ({ Authorization: `Bearer ${tokens.get(s.id)}` });
  const api = () => request(intake.getHttpServer());
  const at = (local: string) => clocks.forEach((c) => c.set(sh(local)));
  const scanAt = async (local: string) => {
    at(local);
    return scheduler.get(ReminderService).scan();
  };
  const call = async (local: string, summary: string, extra: Record<string, unknown> = {}): Promise<string> => {
    at(local);
    const res = await api()
      .post('/api/v1/hotline/calls')
      .set(as(operator))
      .send({ callerNumber: '13811112222', startedAt: iso(local), durationSeconds: 60, summary, ...extra })
      .expect(201);
    return res.body.case.id as string;
  };
  const act = (caseId: string, action: string, by: StaffEntity, body: Record<string, unknown>) =>
    api().post(`/api/v1/cases/${caseId}/${action}`).set(as(by)).send(body);
  const deadlines = (caseId: string) =>
    db.dataSource.query<Array<{ step: string; round: number; dueAt: Date; state: string; doneAt: Date | null }>>(
      `SELECT step, round, due_at AS "dueAt", state, done_at AS "doneAt" FROM case_deadlines WHERE case_id = $1 ORDER BY due_at, step`,
      [caseId],
    );
  const deadline = async (caseId: string, step: string) => (await deadlines(caseId)).find((d) => d.step === step);
  const messages = (caseId: string) =>
    db.dataSource.query<
      Array<{ kind: string; staffId: string; channel: string; step: string; level: number | null; reason: string }>
    >(
      `SELECT kind, staff_id AS "staffId", channel, variables->>'step' AS step, (variables->>'level')::int AS level,
              variables->>'reason' AS reason
       FROM notifications WHERE case_id = $1 AND recipient_type = 'staff' ORDER BY created_at, idempotency_key`,
      [caseId],
    );
  const emails = async (caseId: string) => (await messages(caseId)).filter((m) => m.channel === 'email');

  it('004 篇2 §5.A: a major complaint is reported to the department head at once; accepting the case is not the report, the head’s acknowledgement is, and silence goes above the head', async () => {
    const told = await call('2026-10-12 10:00', '楼板开裂，重大投诉', {
      severity: 'major',
      category: 'engineering_quality',
    });
    const silent = await call('2026-10-12 10:00', '外墙脱落，重大投诉', {
      severity: 'major',
      category: 'engineering_quality',
    });
    await scanAt('2026-10-12 10:00');
    for (const id of [told, silent])
      expect((await emails(id)).map((m) => [m.kind, m.staffId, m.step])).toEqual([
        ['staff_reminder', head.id, 'reportToHead'],
      ]);
    // Both are accepted at once; only one head acknowledges.
    for (const id of [told, silent]) await act(id, 'accept', engDuty, {}).expect(200);
    const [report] = await db.dataSource.query<Array<{ id: string }>>(
      `SELECT r.id FROM reminders r JOIN case_deadlines d ON d.id = r.deadline_id
       WHERE r.case_id = $1 AND d.step = 'reportToHead' AND r.kind = 'before'`,
      [told],
    );
    clocks.forEach((c) => c.set(sh('2026-10-12 10:03')));
    await request(scheduler.getHttpServer()).post(`/api/v1/reminders/${report!.id}/ack`).set(as(head)).expect(200);

    await scanAt('2026-10-12 10:10');
    expect(await deadline(told, 'reportToHead')).toMatchObject({ state: 'met' });
    expect((await emails(told)).filter((m) => m.step === 'reportToHead')).toHaveLength(1);
    expect(await deadline(silent, 'reportToHead')).toMatchObject({ state: 'missed' });
    const above = (await emails(silent)).filter((m) => m.kind === 'escalation');
    expect(above.map((m) => [m.staffId, m.level, m.step])).toEqual([[vicegm.id, 2, 'reportToHead']]);
  });

  it('004 篇2 §4.D: the department’s analysis is due 1 hour after the hand-over to it, and done when its plan is recorded', async () => {
    // Nothing routes a sales complaint: customer service holds it, and no analysis clock runs yet.
    const planned = await call('2026-10-13 10:00', '销售承诺的车位没有兑现，投诉', { category: 'sales' });
    const late = await call('2026-10-13 10:00', '销售承诺的会所没有兑现，投诉', { category: 'sales' });
    await scanAt('2026-10-13 10:01');
    expect(await deadline(planned, 'departmentAnalysis')).toBeUndefined();
    for (const id of [planned, late]) {
      await act(id, 'accept', csDuty, {}).expect(200);
      at('2026-10-13 14:00');
      const handed = await act(id, 'assign', csDuty, { departmentId: eng }).expect(200);
      expect(handed.body.assigneeId).toBe(engDuty.id); // the department's duty person answers for it now
    }
    await scanAt('2026-10-13 14:01');
    expect((await deadline(planned, 'departmentAnalysis'))?.dueAt.toISOString()).toBe(
      sh('2026-10-13 15:00').toISOString(),
    );

    at('2026-10-13 14:30');
    await act(planned, 'handling-plan', engDuty, {
      analysis: '销售口径与合同不一致',
      plan: '三日内给出补偿方案',
      stages: [{ what: '给出补偿方案', by: iso('2026-10-16 17:00') }],
      tellOwner: 'sms', // 003 §8.1.8: the owner hears the plan and its dates
    }).expect(200);
    const [told] = await db.dataSource.query(
      `SELECT idempotency_key AS key, channel, variables->>'replyText' AS text FROM notifications
       WHERE case_id = $1 AND kind = 'case_reply'`,
      [planned],
    );
    expect(told).toMatchObject({ key: `case-reply:${planned}:plan-1`, channel: 'sms' });
    expect(told.text).toBe('处理方案：三日内给出补偿方案。处理进度：给出补偿方案：2026-10-16前');
    await scanAt('2026-10-13 15:00');
    expect(await deadline(planned, 'departmentAnalysis')).toMatchObject({ state: 'met' });
    // The plan came before the advance reminder's time (14:48): nothing was sent about the step.
    expect((await emails(planned)).filter((m) => m.step === 'departmentAnalysis')).toEqual([]);
    expect(await deadline(late, 'departmentAnalysis')).toMatchObject({ state: 'missed' });
    expect((await emails(late)).filter((m) => m.step === 'departmentAnalysis').map((m) => [m.kind, m.staffId])).toEqual(
      [
        ['staff_reminder', engDuty.id],
        ['staff_reminder', engDuty.id],
        ['escalation', head.id],
      ],
    );
  });

  it('003 §11.2.2: the site survey is due in 2 working days or at the time agreed with the owner, and done when recorded', async () => {
    const repair = await call('2026-10-14 10:00', '卫生间漏水，报修', {
      type: 'repair',
      category: 'engineering_quality',
    });
    await scanAt('2026-10-14 10:01');
    const first = await deadline(repair, 'siteSurvey');
    expect(first?.dueAt.getTime()).toBeGreaterThan(sh('2026-10-15 10:00').getTime());
    expect(first?.dueAt.getTime()).toBeLessThanOrEqual(sh('2026-10-17 00:00').getTime());
    // The owner is away until Monday: the survey time agreed with them becomes the deadline.
    at('2026-10-14 11:00');
    await act(repair, 'accept', engDuty, {}).expect(200);
    await act(repair, 'survey-appointment', engDuty, { agreedAt: iso('2026-10-19 15:00') }).expect(200);
    await scanAt('2026-10-16 18:00');
    expect((await deadline(repair, 'siteSurvey'))?.dueAt.toISOString()).toBe(sh('2026-10-19 15:00').toISOString());
    expect((await deadline(repair, 'siteSurvey'))?.state).toBe('open');
    at('2026-10-19 14:50');
    await act(repair, 'site-survey', engDuty, {
      surveyedAt: iso('2026-10-19 14:40'),
      findings: '楼上防水层破损',
    }).expect(200);
    await scanAt('2026-10-19 15:01');
    expect(await deadline(repair, 'siteSurvey')).toMatchObject({ state: 'met' });
    expect((await emails(repair)).filter((m) => m.step === 'siteSurvey' && m.kind === 'escalation')).toEqual([]);
    // A survey of a complaint is refused by name.
    const complaint = await call('2026-10-19 16:00', '电梯噪音大，投诉', { category: 'engineering_quality' });
    const refused = await act(complaint, 'site-survey', engDuty, {
      surveyedAt: iso('2026-10-19 16:00'),
      findings: '无异常',
    }).expect(409);
    expect(refused.body.error.message).toContain('报修');
  });

  it('002 §7.4.2: the reply date moves at most twice; the last agreed date missed goes straight to the GM, and a refused third move tells the GM', async () => {
    const moved = await call('2026-10-20 10:00', '园林绿化枯死，投诉', { category: 'engineering_quality' });
    const pushy = await call('2026-10-20 10:00', '景观水池漏水，投诉', { category: 'engineering_quality' });
    for (const [id, first, second] of [
      [moved, '2026-10-22 10:00', '2026-10-23 10:00'],
      [pushy, '2026-10-22 10:00', '2026-10-23 10:00'],
    ] as const) {
      await act(id, 'accept', engDuty, {}).expect(200);
      await act(id, 'reply-date', engDuty, { newDate: iso(first), customerAgreed: true, reason: '需检测' }).expect(200);
      await act(id, 'reply-date', engDuty, { newDate: iso(second), customerAgreed: true, reason: '待材料' }).expect(
        200,
      );
    }
    const third = await act(pushy, 'reply-date', engDuty, {
      newDate: iso('2026-10-26 10:00'),
      customerAgreed: true,
      reason: '再等',
    }).expect(409);
    expect(third.body.error.message).toContain('总经理');
    await scanAt('2026-10-20 10:05');
    expect((await emails(pushy)).filter((m) => m.kind === 'escalation').map((m) => [m.staffId, m.level])).toEqual([
      [gm.id, 3],
    ]);
    // Acknowledge the routine reminders so only the deadline itself matters.
    await db.dataSource.query(`UPDATE reminders SET acknowledged_at = now() WHERE case_id = $1`, [moved]);
    await scanAt('2026-10-23 10:00');
    const esc = (await emails(moved)).filter((m) => m.kind === 'escalation' && m.step === 'firstReply');
    expect(esc.map((m) => [m.staffId, m.level])).toEqual([[gm.id, 3]]);
    expect(esc[0]!.reason).toContain('总经理');
  });

  it('002 §7.3.2: an escalation staff make tells the person at that level, with the one-click acknowledgement', async () => {
    const c = await call('2026-10-21 10:00', '物业费收费不合理，投诉', { category: 'engineering_quality' });
    await act(c, 'accept', engDuty, {}).expect(200);
    await act(c, 'escalate', engDuty, { reason: '业主要求经理出面' }).expect(200);
    await scanAt('2026-10-21 10:02');
    const esc = (await emails(c)).filter((m) => m.kind === 'escalation');
    expect(esc.map((m) => [m.staffId, m.level, m.reason])).toEqual([[head.id, 1, '业主要求经理出面']]);
    const [row] = await db.dataSource.query(
      `SELECT variables->>'ackUrl' AS url FROM notifications WHERE case_id = $1 AND kind = 'escalation' LIMIT 1`,
      [c],
    );
    expect(row.url).toMatch(/\/ack\//);
  });

  it('002 §7.3.5: a complaint only several departments together can resolve goes straight to the GM, who is told', async () => {
    const c = await call('2026-10-21 11:00', '车库漏水导致车辆受损，投诉', { category: 'engineering_quality' });
    await act(c, 'accept', engDuty, {}).expect(200);
    const one = await act(c, 'coordinate', engDuty, { departmentIds: [eng] }).expect(400);
    expect(one.body.error.details.fields[0].field).toBe('departmentIds');
    const [cs] = await db.dataSource.query<Array<{ id: string }>>(`SELECT id FROM departments WHERE customer_service`);
    const done = await act(c, 'coordinate', engDuty, { departmentIds: [eng, cs!.id], reason: '涉及维修与赔偿' }).expect(
      200,
    );
    expect(done.body.escalationLevel).toBe(3);
    await scanAt('2026-10-21 11:02');
    const esc = (await emails(c)).filter((m) => m.kind === 'escalation');
    expect(esc.map((m) => [m.staffId, m.level])).toEqual([[gm.id, 3]]);
    expect(esc[0]!.reason).toBe('需工程部、客户服务部协调处理，直接交总经理：涉及维修与赔偿');
  });

  it('004 篇2 §1: a complaint unresolved for 10 days becomes major, and its head is told', async () => {
    const c = await call('2026-10-12 11:00', '地下室渗水，投诉', { category: 'engineering_quality' });
    await act(c, 'accept', engDuty, {}).expect(200);
    await db.dataSource.query(`UPDATE reminders SET acknowledged_at = now() WHERE case_id = $1`, [c]);
    await scanAt('2026-10-22 10:59');
    expect((await db.dataSource.query(`SELECT severity FROM cases WHERE id = $1`, [c]))[0].severity).toBe('minor');
    await scanAt('2026-10-22 11:00');
    expect((await db.dataSource.query(`SELECT severity FROM cases WHERE id = $1`, [c]))[0].severity).toBe('major');
    const [event] = await db.dataSource.query(
      `SELECT actor_label, details FROM case_events WHERE case_id = $1 AND kind = 'reclassified'`,
      [c],
    );
    expect(event).toMatchObject({ actor_label: 'scheduler', details: { after: { severity: 'major' } } });
    expect((await deadline(c, 'reportToHead'))?.dueAt.toISOString()).toBe(sh('2026-10-22 11:10').toISOString());
    expect((await emails(c)).filter((m) => m.step === 'reportToHead').map((m) => m.staffId)).toEqual([head.id]);
  });

  it('reclassifying re-plans: a minor complaint made major gets the 12-hour promise and the report to the head from then; made a repair, the engineer and the survey', async () => {
    const c = await call('2026-10-26 10:00', '门窗变形，投诉', { category: 'engineering_quality' });
    await scanAt('2026-10-26 10:01');
    expect((await deadline(c, 'firstReply'))?.dueAt.toISOString()).toBe(sh('2026-10-27 10:00').toISOString());
    at('2026-10-26 11:00');
    const major = await api()
      .patch(`/api/v1/cases/${c}/classification`)
      .set(as(head))
      .send({ severity: 'major' })
      .expect(200);
    expect(new Date(major.body.promisedReplyAt).toISOString()).toBe(sh('2026-10-26 23:00').toISOString());
    await scanAt('2026-10-26 11:01');
    const d = await deadlines(c);
    expect(d.find((x) => x.step === 'reportToHead')?.dueAt.toISOString()).toBe(sh('2026-10-26 11:10').toISOString());
    expect(d.find((x) => x.step === 'firstReply')?.dueAt.toISOString()).toBe(sh('2026-10-26 23:00').toISOString());
    expect(d.find((x) => x.step === 'departmentAnalysis')?.state).toBe('superseded');

    const r = await call('2026-10-26 10:00', '门锁坏了，投诉', { category: 'engineering_quality' });
    at('2026-10-26 12:00');
    await api().patch(`/api/v1/cases/${r}/classification`).set(as(head)).send({ type: 'repair' }).expect(200);
    await scanAt('2026-10-26 12:01');
    expect((await deadlines(r)).map((x) => x.step)).toEqual(expect.arrayContaining(['siteSurvey']));
    // The 24-hour engineer's call from the reclassification is the promise now (earlier than the old one).
    expect((await deadline(r, 'firstReply'))?.dueAt.toISOString()).toBe(sh('2026-10-27 10:00').toISOString());
  });

  it('004 篇2 回访 §1 and 000 §6.5.1(4): the return visit is due 24 hours after a complaint is resolved, 7 days after a repair, and done when recorded', async () => {
    const complaint = await call('2026-10-28 09:00', '噪音扰民，投诉', { category: 'engineering_quality' });
    const repair = await call('2026-10-28 09:00', '水龙头漏水，报修', {
      type: 'repair',
      category: 'engineering_quality',
    });
    for (const id of [complaint, repair]) {
      await act(id, 'accept', engDuty, {}).expect(200);
      await act(id, 'assign', engDuty, { assigneeId: engDuty.id }).expect(200);
      at('2026-10-28 10:00');
      await act(id, 'result', engDuty, { result: '已处理' }).expect(200);
    }
    await scanAt('2026-10-28 10:01');
    expect((await deadline(complaint, 'returnVisit'))?.dueAt.toISOString()).toBe(sh('2026-10-29 10:00').toISOString());
    expect((await deadline(repair, 'returnVisit'))?.dueAt.toISOString()).toBe(sh('2026-11-04 10:00').toISOString());
    // 000 §6.5.1(3): the repair's owner was asked to inspect with the result — the 2-day step is met at once.
    expect(await deadline(repair, 'inspectionNotice')).toMatchObject({ state: 'met' });
    const [asked] = await db.dataSource.query(
      `SELECT variables FROM notifications WHERE case_id = $1 AND kind = 'return_visit_request'`,
      [repair],
    );
    expect(asked.variables).toMatchObject({ repair: true });
    expect(await deadline(complaint, 'inspectionNotice')).toBeUndefined();
    at('2026-10-29 09:00');
    await act(complaint, 'return-visit', csDuty, { satisfied: true, rating: 5 }).expect(200);
    await scanAt('2026-10-29 10:00');
    expect((await deadline(complaint, 'returnVisit'))?.state).toBe('met');
    // Closed: the next scan marks it planned, so it leaves the planner's index of cases to plan for good.
    await act(complaint, 'close', csDuty, {}).expect(200);
    const planned = async () =>
      (
        await db.dataSource.query<Array<{ planned_round: number | null }>>(
          `SELECT planned_round FROM cases WHERE id = $1`,
          [complaint],
        )
      )[0]!.planned_round;
    expect(await planned()).toBeNull();
    await scanAt('2026-10-29 10:01');
    expect(await planned()).toBe(0);
    expect(await deadline(repair, 'returnVisit')).toMatchObject({ state: 'open' });
  });

  it('003 §9.2.4: a complaint another department received reaches customer service within 1 working day; one it handled itself is filed within 2 working days of completion', async () => {
    const handover = (local: string, body: Record<string, unknown>) => {
      at(local);
      return api()
        .post('/api/v1/handovers')
        .set(as(head))
        .send({ receivedAt: iso('2026-11-02 10:00'), contact: '13911112222', ...body });
    };
    const onTime = await handover('2026-11-03 09:00', {
      description: '在工程部办公室投诉销售承诺未兑现',
      category: 'sales',
      ownResponsibility: false,
    }).expect(201);
    const late = await handover('2026-11-04 09:00', {
      description: '在工程部办公室投诉物业费过高',
      category: 'sales',
      ownResponsibility: false,
    }).expect(201);
    const own = await handover('2026-11-03 09:00', {
      description: '在工程部投诉维修工人未清理现场',
      category: 'engineering_quality',
      ownResponsibility: true,
      handled: { at: iso('2026-11-02 15:00'), result: '已安排清理并致歉' },
    }).expect(201);
    expect(own.body.case.status).toBe('resolved'); // customer service's return visit follows
    const refused = await handover('2026-11-03 09:00', {
      description: '不是本部门的却说已处理',
      ownResponsibility: false,
      handled: { at: iso('2026-11-02 15:00'), result: '已处理' },
    }).expect(400);
    expect(refused.body.error.details.fields.map((f: { field: string }) => f.field)).toEqual(['handled']);

    await scanAt('2026-11-04 09:01');
    expect(await deadline(onTime.body.case.id, 'transferToCs')).toMatchObject({ state: 'met' });
    expect(await deadline(late.body.case.id, 'transferToCs')).toMatchObject({ state: 'missed' });
    expect(await deadline(own.body.case.id, 'selfHandledFiling')).toMatchObject({ state: 'met' });
    // Resolved when logged: customer service's return visit is due 24 hours later.
    expect((await deadline(own.body.case.id, 'returnVisit'))?.dueAt.toISOString()).toBe(
      sh('2026-11-04 09:00').toISOString(),
    );
    const [event] = await db.dataSource.query(
      `SELECT details FROM case_events WHERE case_id = $1 AND kind = 'handed_over'`,
      [late.body.case.id],
    );
    expect(event.details).toMatchObject({ departmentId: eng, ownResponsibility: false });
    // The case keeps the customer's own time: its promise counts from Monday, not from the day it was logged.
    const [c] = await db.dataSource.query(`SELECT received_at FROM cases WHERE id = $1`, [late.body.case.id]);
    expect(c.received_at.toISOString()).toBe(sh('2026-11-02 10:00').toISOString());
  });
});
