import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import {
  AuthService,
  JobRouter,
  notificationVariables,
  type CaseEntity,
  type FakeClock,
  type StaffEntity,
} from '@kefu/shared';
import {
  createTestDatabase,
  factories,
  startTestApp,
  testConfig,
  useFakeClock,
  type TestDatabase,
} from '@kefu/shared/testing';
import { SchedulerWorker } from '../jobs/scheduler.worker';
import { schedulerApp } from '../scheduler.app';
import { ReminderService } from './reminder.service';

const sh = (local: string): Date => new Date(`${local.replace(' ', 'T')}:00+08:00`);

describe('the escalation chain as data (002 §7.3.2)', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let clock: FakeClock;
  let reminders: ReminderService;
  let gm: StaffEntity, vicegm: StaffEntity, engManager: StaffEntity, marketManager: StaffEntity, rep: StaffEntity;
  let gmOffice: StaffEntity;
  let engId: string, marketId: string;
  const tokens = new Map<string, string>();

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(schedulerApp, testConfig({ DATABASE_URL: db.url }));
    await app.get(SchedulerWorker).worker.pause(); // the tests drive every scan
    clock = useFakeClock(app, '2026-10-12T09:00:00+08:00');
    reminders = app.get(ReminderService);
    const ds = db.dataSource;
    engId = (await factories.createDepartment(ds, { code: 'ENG', name: '工程部' })).id;
    marketId = (await factories.createDepartment(ds, { code: 'MKT', name: '市场部' })).id;
    gm = await factories.createStaff(ds, { role: 'gm', name: '总经理' });
    vicegm = await factories.createStaff(ds, { role: 'vice_gm', name: '副总', reportsToId: gm.id });
    engManager = await factories.createStaff(ds, {
      role: 'dept_manager',
      name: '工程部经理',
      departmentId: engId,
      reportsToId: vicegm.id,
    });
    marketManager = await factories.createStaff(ds, {
      role: 'dept_manager',
      name: '市场部经理',
      departmentId: marketId,
      reportsToId: vicegm.id,
    });
    gmOffice = await factories.createStaff(ds, { role: 'cs_rep', name: '总经办客户代表' });
    // No reports_to: the chain alone decides who is above.
    rep = await factories.createStaff(ds, { role: 'cs_rep', name: '王工', departmentId: engId });
    for (const s of [gm, vicegm, engManager, marketManager, rep])
      tokens.set(s.id, (await app.get(AuthService).issue({ id: s.id, role: s.role, name: s.name })).accessToken);
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  const http = () => request(app.getHttpServer());
  const as = (s: StaffEntity) => ({ Authorization: `Bearer ${tokens.get(s.id)}` });
  const newCase = async (o: Partial<CaseEntity>): Promise<CaseEntity> => {
    const c = await factories.createCase(db.dataSource, {
      type: 'complaint',
      severity: 'major',
      status: 'assigned',
      assigneeId: rep.id,
      departmentId: engId,
      ...o,
    });
    await app.get(JobRouter).dispatch({ name: 'case-received', data: { caseId: c.id } } as never);
    return c;
  };
  const escalationsOf = (caseId: string) =>
    db.dataSource.query<Array<{ staffId: string; variables: Record<string, unknown> }>>(
      `SELECT staff_id AS "staffId", variables FROM notifications
       WHERE case_id = $1 AND kind = 'escalation' AND channel = 'email' AND variables->>'step' = 'firstReply'
       ORDER BY created_at, idempotency_key`,
      [caseId],
    );
  const scanAt = async (local: string) => {
    clock.set(sh(local));
    return reminders.scan();
  };
  /** The head takes note of a major complaint's report: only the first reply's chain is followed below. */
  const headAcknowledges = async (caseId: string) => {
    const [report] = await db.dataSource.query<Array<{ id: string }>>(
      `SELECT r.id FROM reminders r JOIN case_deadlines d ON d.id = r.deadline_id
       WHERE r.case_id = $1 AND d.step = 'reportToHead' AND r.kind = 'before' AND r.sent_at IS NOT NULL`,
      [caseId],
    );
    await http().post(`/api/v1/reminders/${report!.id}/ack`).set(as(engManager)).expect(200);
  };

  it('starts with the chain the code had: 部门经理 of the case department → 主管副总 → 总经理', async () => {
    const res = await http().get('/api/v1/escalation-chain').set(as(vicegm)).expect(200);
    expect(res.body.top).toBe(3);
    expect(
      res.body.levels.map((l: Record<string, unknown>) => [
        l.level,
        l.name,
        l.resolver,
        l.role,
        l.withinCaseDepartment,
      ]),
    ).toEqual([
      [1, '部门经理', 'role', 'dept_manager', true],
      [2, '主管副总', 'role', 'vice_gm', false],
      [3, '总经理', 'role', 'gm', false],
    ]);
    expect(res.body.warnings).toEqual([]);
    await http().get('/api/v1/escalation-chain').set(as(engManager)).expect(403);
    await http().get('/api/v1/escalation-chain').set(as(rep)).expect(403);

    // The default chain through the real scan, with each level's name in the message.
    const c = await newCase({ receivedAt: sh('2026-10-12 10:00') });
    await scanAt('2026-10-12 10:00');
    await headAcknowledges(c.id);
    await scanAt('2026-10-12 16:36');
    await scanAt('2026-10-12 16:46');
    await scanAt('2026-10-12 16:56');
    await scanAt('2026-10-12 22:00');
    const esc = await escalationsOf(c.id);
    expect(esc.map((e) => [e.staffId, e.variables.level, e.variables.levelName])).toEqual([
      [engManager.id, 1, '部门经理'],
      [vicegm.id, 2, '主管副总'],
      [gm.id, 3, '总经理'],
    ]);
  });

  it('validates a new chain: 400 naming the field, nothing changed; levels nobody can fill are warned', async () => {
    const put = (body: object, who = gm) => http().put('/api/v1/escalation-chain').set(as(who)).send(body);
    const fieldsOf = (res: { body: { error: { details: { fields: Array<{ field: string }> } } } }) =>
      res.body.error.details.fields.map((f) => f.field);
    const ok = { name: '总经理', resolver: 'role', role: 'gm' };

    expect(fieldsOf(await put({ levels: [] }).expect(400))).toEqual(['levels']);
    expect(
      fieldsOf(await put({ levels: Array.from({ length: 7 }, (_, i) => ({ ...ok, name: `第${i}级` })) }).expect(400)),
    ).toEqual(['levels']);
    expect(fieldsOf(await put({ levels: [{ name: '经理', resolver: 'role', role: 'boss' }, ok] }).expect(400))).toEqual(
      ['levels.0.role'],
    );
    expect(fieldsOf(await put({ levels: [{ name: '经理', resolver: 'chief' }, ok] }).expect(400))).toEqual([
      'levels.0.resolver',
    ]);
    expect(fieldsOf(await put({ levels: [{ name: ' ', resolver: 'role', role: 'gm' }] }).expect(400))).toEqual([
      'levels.0.name',
    ]);
    expect(
      fieldsOf(await put({ levels: [{ name: '市场部经理', resolver: 'department_manager' }, ok] }).expect(400)),
    ).toEqual(['levels.0.departmentId']);
    expect(fieldsOf(await put({ levels: [ok, ok] }).expect(400))).toEqual(['levels.1.name']);
    const unknown = await put({
      levels: [
        { name: '市场部经理', resolver: 'department_manager', departmentId: '00000000-0000-4000-8000-000000000001' },
        { name: '客户代表', resolver: 'staff', staffId: '00000000-0000-4000-8000-000000000002' },
        ok,
      ],
    }).expect(400);
    expect(fieldsOf(unknown)).toEqual(['levels.0.departmentId', 'levels.1.staffId']);
    await put({ levels: [ok] }, engManager).expect(403);
    // Nothing was replaced by the refused ones.
    const still = await http().get('/api/v1/escalation-chain').set(as(gm)).expect(200);
    expect(still.body.levels.map((l: { name: string }) => l.name)).toEqual(['部门经理', '主管副总', '总经理']);

    // Allowed, but said: a role nobody active has, a department without a manager.
    const emptyDept = (await factories.createDepartment(db.dataSource, { code: 'LAW', name: '法务部' })).id;
    const warned = await put({
      levels: [
        { name: '热线主管', resolver: 'role', role: 'operator' },
        { name: '法务部经理', resolver: 'department_manager', departmentId: emptyDept },
        ok,
      ],
    }).expect(200);
    expect(warned.body.warnings.map((w: { field: string }) => w.field)).toEqual(['levels.0', 'levels.1']);
    expect(warned.body.warnings[1].message).toContain('法务部');
    expect(warned.body.levels[1]).toMatchObject({ level: 2, departmentId: emptyDept, departmentName: '法务部' });
  });

  it("escalates through the company's own chain, 部门经理 → 市场部经理 → 总经理, in that order through the real scan", async () => {
    const res = await http()
      .put('/api/v1/escalation-chain')
      .set(as(gm))
      .send({
        levels: [
          { name: '部门经理', resolver: 'role', role: 'dept_manager', withinCaseDepartment: true },
          { name: '市场部经理', resolver: 'department_manager', departmentId: marketId },
          { name: '总经理', resolver: 'role', role: 'gm' },
        ],
      })
      .expect(200);
    expect(res.body).toMatchObject({ top: 3, warnings: [] });
    expect(res.body.levels.map((l: { level: number; name: string }) => [l.level, l.name])).toEqual([
      [1, '部门经理'],
      [2, '市场部经理'],
      [3, '总经理'],
    ]);

    const c = await newCase({ receivedAt: sh('2026-10-19 10:00') });
    await scanAt('2026-10-19 10:00');
    await headAcknowledges(c.id);
    await scanAt('2026-10-19 16:36'); // the promise (22:00) at 80 %: the reminder to 王工
    await scanAt('2026-10-19 16:46'); // not acknowledged in 10 minutes: level 1
    expect((await escalationsOf(c.id)).map((e) => e.staffId)).toEqual([engManager.id]);
    await scanAt('2026-10-19 16:56'); // level 2: the market department's manager, not the vice GM
    await scanAt('2026-10-19 22:00'); // the promise missed: level 3
    const esc = await escalationsOf(c.id);
    expect(esc.map((e) => [e.staffId, e.variables.level, e.variables.levelName])).toEqual([
      [engManager.id, 1, '部门经理'],
      [marketManager.id, 2, '市场部经理'],
      [gm.id, 3, '总经理'],
    ]);
    for (const e of esc) expect(() => notificationVariables.escalation.parse(e.variables)).not.toThrow();
    // Above 王工 on this case's chain, though not by reports_to or department: the market manager may acknowledge
    // the reminder for him; a manager of another department may not.
    const [first] = await db.dataSource.query<Array<{ id: string }>>(
      `SELECT r.id FROM reminders r JOIN case_deadlines d ON d.id = r.deadline_id
       WHERE r.case_id = $1 AND d.step = 'firstReply' AND r.kind = 'before'`,
      [c.id],
    );
    const bystander = await factories.createStaff(db.dataSource, {
      role: 'dept_manager',
      name: '物业经理',
      departmentId: (await factories.createDepartment(db.dataSource, { code: 'PM', name: '物业公司' })).id,
    });
    tokens.set(
      bystander.id,
      (await app.get(AuthService).issue({ id: bystander.id, role: 'dept_manager', name: '物业经理' })).accessToken,
    );
    await http().post(`/api/v1/reminders/${first!.id}/ack`).set(as(bystander)).expect(403);
    await http().post(`/api/v1/reminders/${first!.id}/ack`).set(as(marketManager)).expect(200);
    const events = await db.dataSource.query<Array<{ details: { to: number; toLabel: string; toStaffId: string } }>>(
      `SELECT details FROM case_events WHERE case_id = $1 AND kind = 'escalated' ORDER BY id`,
      [c.id],
    );
    expect(events.map((e) => [e.details.to, e.details.toLabel, e.details.toStaffId])).toEqual([
      [1, '部门经理', engManager.id],
      [2, '市场部经理', marketManager.id],
      [3, '总经理', gm.id],
    ]);
  });

  it("passes a level nobody fills to the next one up; the responsible person's reports_to wins for level 1 only", async () => {
    const law = (await factories.createDepartment(db.dataSource, { code: 'LAW2', name: '法律事务部' })).id;
    await http()
      .put('/api/v1/escalation-chain')
      .set(as(gm))
      .send({
        levels: [
          { name: '部门经理', resolver: 'role', role: 'dept_manager', withinCaseDepartment: true },
          { name: '法务部经理', resolver: 'department_manager', departmentId: law },
          { name: '总经理', resolver: 'role', role: 'gm' },
        ],
      })
      .expect(200);
    const withBoss = await factories.createStaff(db.dataSource, {
      role: 'cs_rep',
      name: '李工',
      departmentId: engId,
      reportsToId: marketManager.id,
    });
    const c = await newCase({ receivedAt: sh('2026-10-20 10:00'), assigneeId: withBoss.id });
    await scanAt('2026-10-20 10:00');
    await headAcknowledges(c.id);
    for (const t of ['16:36', '16:46', '16:56']) await scanAt(`2026-10-20 ${t}`);
    expect((await escalationsOf(c.id)).map((e) => [e.staffId, e.variables.level, e.variables.levelName])).toEqual([
      [marketManager.id, 1, '部门经理'], // reports_to, not the chain's department manager
      [gm.id, 2, '总经理'], // the legal department has no manager: the next level's person, by that level's name
    ]);
  });

  it('takes longer chains (002: 市场部经理 → 总经办客户代表 → … → 总经理): the second missed reply date goes to the top', async () => {
    await http()
      .put('/api/v1/escalation-chain')
      .set(as(vicegm))
      .send({
        levels: [
          { name: '市场部经理', resolver: 'department_manager', departmentId: marketId },
          { name: '总经办客户代表', resolver: 'staff', staffId: gmOffice.id },
          { name: '责任部门经理', resolver: 'role', role: 'dept_manager', withinCaseDepartment: true },
          { name: '主管副总', resolver: 'role', role: 'vice_gm' },
          { name: '总经理', resolver: 'role', role: 'gm' },
        ],
      })
      .expect(200);
    const c = await newCase({ receivedAt: sh('2026-10-26 10:00') });
    await scanAt('2026-10-26 10:00');
    await headAcknowledges(c.id);
    for (const t of ['16:36', '16:46', '16:56', '17:06', '17:16']) await scanAt(`2026-10-26 ${t}`);
    const esc = await escalationsOf(c.id);
    expect(esc.map((e) => [e.staffId, e.variables.level, e.variables.levelName])).toEqual([
      [marketManager.id, 1, '市场部经理'],
      [gmOffice.id, 2, '总经办客户代表'],
      [engManager.id, 3, '责任部门经理'],
      [vicegm.id, 4, '主管副总'],
    ]);
    const [row] = await db.dataSource.query(`SELECT escalation_level FROM cases WHERE id = $1`, [c.id]);
    expect(row.escalation_level).toBe(4);

    // Two missed promised reply dates: straight to the top of this chain (level 5), not to level 3.
    const late = await newCase({
      severity: 'minor',
      receivedAt: sh('2026-10-27 09:00'),
      promisedReplyAt: sh('2026-10-28 09:00'),
    });
    await db.dataSource.query(`UPDATE reminders SET acknowledged_at = now() WHERE case_id = $1`, [late.id]);
    await scanAt('2026-10-28 09:00');
    await db.dataSource.query(`UPDATE cases SET promised_reply_at = $2, reply_date_moves = 1 WHERE id = $1`, [
      late.id,
      sh('2026-10-29 12:00'),
    ]);
    await scanAt('2026-10-28 10:00');
    await db.dataSource.query(
      `UPDATE reminders SET acknowledged_at = now() WHERE case_id = $1 AND acknowledged_at IS NULL AND sent_at IS NOT NULL`,
      [late.id],
    );
    await scanAt('2026-10-29 12:00');
    const top = (await escalationsOf(late.id)).filter((e) => e.variables.level === 5);
    expect(top.map((e) => [e.staffId, e.variables.levelName])).toEqual([[gm.id, '总经理']]);
    expect(top[0]!.variables.reason).toContain('直接升级至总经理');
  });
});
