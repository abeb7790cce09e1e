import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { CaseEntity, type DepartmentEntity, type ProjectEntity, type StaffEntity } from '@kefu/shared';
import {
  createTestDatabase,
  factories,
  startTestApp,
  testConfig,
  tokenFor,
  useFakeClock,
  type TestDatabase,
} from '@kefu/shared/testing';
import { intakeApp } from '../intake.app';
import { solve } from '../web-form/testing/fixtures';

const BITS = 4;

/** Issue 15 "Wrong today" 1: intake left every case without department and assignee. */
describe('routing at intake (002 §5, §7.3.5; issue 15)', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let operator: string, manager: string, rep: string;
  let cs: DepartmentEntity, eng: DepartmentEntity, prop: DepartmentEntity, prop2: DepartmentEntity;
  let estate: ProjectEntity, other: ProjectEntity;
  let csMonday: StaffEntity, csTuesday: StaffEntity, csHoliday: StaffEntity;
  let engMonday: StaffEntity, engManager: StaffEntity, propManager: StaffEntity, prop2Manager: StaffEntity;
  let guard: StaffEntity, guardBoss: StaffEntity;
  const http = () => request(app.getHttpServer());
  const as = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(
      intakeApp,
      testConfig({ DATABASE_URL: db.url, WEB_FORM_POW_BITS: String(BITS), WEB_FORM_MAX_PER_IP_PER_HOUR: '10000' }),
    );
    useFakeClock(app, '2026-10-12T10:00:00+08:00'); // a Monday, a working day
    const ds = db.dataSource;
    [operator, manager, rep] = await Promise.all([
      tokenFor(app, 'operator'),
      tokenFor(app, 'dept_manager', '经理'),
      tokenFor(app, 'cs_rep'),
    ]);
    estate = await factories.createProject(ds, { code: 'BHYT01', name: '碧海云天' });
    other = await factories.createProject(ds, { code: 'CHSZ01', name: '翠湖山庄' });
    cs = await factories.createDepartment(ds, { code: 'CS', name: '客户服务部' });
    eng = await factories.createDepartment(ds, { code: 'ENG', name: '工程部' });
    prop = await factories.createDepartment(ds, { code: 'PM', name: '物业公司' });
    prop2 = await factories.createDepartment(ds, { code: 'PM-BHYT', name: '碧海云天物业服务中心' });
    const staff = (name: string, role: StaffEntity['role'], departmentId: string, reportsToId: string | null = null) =>
      factories.createStaff(ds, { name, role, departmentId, reportsToId });
    // The longest-serving rep, whom today's chain picks for everything: never the answer below.
    await staff('老客服', 'cs_rep', cs.id);
    csMonday = await staff('周一值班客服', 'cs_rep', cs.id);
    csTuesday = await staff('周二值班客服', 'cs_rep', cs.id);
    csHoliday = await staff('国庆值班客服', 'cs_rep', cs.id);
    engManager = await staff('工程部经理', 'dept_manager', eng.id);
    engMonday = await staff('工程部周一值班', 'cs_rep', eng.id, engManager.id);
    propManager = await staff('物业经理', 'dept_manager', prop.id);
    prop2Manager = await staff('碧海云天物业经理', 'dept_manager', prop2.id);
    guardBoss = await staff('保安主管', 'dept_manager', prop.id);
    guard = await staff('保安小李', 'cs_rep', prop.id, guardBoss.id);
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  const configure = async () => {
    await http()
      .put('/api/v1/routing/responsibilities')
      .set(as(manager))
      .send({
        customerServiceDepartmentId: cs.id,
        rules: [
          { category: 'engineering_quality', departmentId: eng.id },
          { category: 'property_management', departmentId: prop.id },
          { category: 'property_management', projectId: estate.id, departmentId: prop2.id },
        ],
      })
      .expect(200);
    await http()
      .put(`/api/v1/routing/roster/${cs.id}`)
      .set(as(manager))
      .send({
        entries: [
          { staffId: csMonday.id, weekday: 1 },
          { staffId: csTuesday.id, weekday: 2 },
          { staffId: csHoliday.id, day: '2026-10-03' },
        ],
      })
      .expect(200);
    await http()
      .put(`/api/v1/routing/roster/${eng.id}`)
      .set(as(manager))
      .send({ entries: [{ staffId: engMonday.id, weekday: 1 }] })
      .expect(200);
  };

  const logCall = async (summary: string, o: Record<string, unknown> = {}) =>
    (
      await http()
        .post('/api/v1/hotline/calls')
        .set(as(operator))
        .send({
          callerNumber: '13811112222',
          startedAt: '2026-10-12T09:58:00+08:00',
          durationSeconds: 60,
          summary,
          ...o,
        })
        .expect(201)
    ).body.case as { id: string; number: string };
  interface Detail {
    case: Record<string, unknown>;
    events: Array<{ kind: string; actor: string; details: Record<string, unknown> }>;
    names: Record<string, string>;
  }
  const detail = async (id: string) =>
    (await http().get(`/api/v1/cases/${id}`).set(as(rep)).expect(200)).body as Detail;
  const routed = (d: Detail) => d.events.filter((e) => e.kind === 'routed');

  it('validates the responsibility rules and names every bad field; only managers may change them', async () => {
    const put = (body: object, token = manager) =>
      http().put('/api/v1/routing/responsibilities').set(as(token)).send(body);
    await put({ customerServiceDepartmentId: null, rules: [] }, rep).expect(403);
    await http().get('/api/v1/routing/responsibilities').set(as(operator)).expect(403);
    const shape = await put({
      customerServiceDepartmentId: 'cs',
      rules: [
        { category: '工程质量', departmentId: eng.id },
        { category: 'sales', departmentId: 'nope' },
      ],
    }).expect(400);
    expect(shape.body.error.code).toBe('validation_failed');
    expect(shape.body.error.details.fields).toEqual([
      { field: 'customerServiceDepartmentId', message: 'must be a department id' },
      { field: 'rules.0.category', message: expect.stringContaining('must be one of engineering_quality') },
      { field: 'rules.1.departmentId', message: 'must be a department id' },
    ]);
    const twice = await put({
      customerServiceDepartmentId: null,
      rules: [
        { category: 'sales', projectId: estate.id, departmentId: eng.id },
        { category: 'sales', departmentId: eng.id },
        { category: 'sales', projectId: estate.id, departmentId: prop.id },
      ],
    }).expect(400);
    expect(twice.body.error.details.fields).toEqual([
      { field: 'rules.2', message: expect.stringContaining('repeats rules.0') },
    ]);
    const missing = '00000000-0000-4000-8000-000000000000';
    const unknown = await put({
      customerServiceDepartmentId: missing,
      rules: [{ category: 'sales', projectId: missing, departmentId: missing }],
    }).expect(400);
    expect(unknown.body.error.details.fields).toEqual([
      { field: 'customerServiceDepartmentId', message: 'no such department' },
      { field: 'rules.0.departmentId', message: 'no such department' },
      { field: 'rules.0.projectId', message: 'no such estate' },
    ]);
    // Nothing was written by the refused requests.
    expect((await http().get('/api/v1/routing/responsibilities').set(as(manager)).expect(200)).body).toMatchObject({
      customerServiceDepartmentId: null,
      rules: [],
    });
  });

  it('validates the duty roster', async () => {
    const put = (departmentId: string, entries: unknown[]) =>
      http().put(`/api/v1/routing/roster/${departmentId}`).set(as(manager)).send({ entries });
    const bad = await put(cs.id, [
      { staffId: csMonday.id, weekday: 1, day: '2026-10-12' },
      { staffId: csMonday.id },
      { staffId: csMonday.id, weekday: 8 },
      { staffId: csMonday.id, day: '2026-13-01' },
      { staffId: csTuesday.id, weekday: 2 },
      { staffId: csTuesday.id, weekday: 2 },
    ]).expect(400);
    expect(bad.body.error.details.fields.map((f: { field: string }) => f.field)).toEqual([
      'entries.0',
      'entries.1',
      'entries.2.weekday',
      'entries.3.day',
      'entries.5',
    ]);
    const unknownStaff = await put(cs.id, [{ staffId: '00000000-0000-4000-8000-000000000000', weekday: 1 }]).expect(
      400,
    );
    expect(unknownStaff.body.error.details.fields).toEqual([
      { field: 'entries.0.staffId', message: 'no such active staff member' },
    ]);
    await put('00000000-0000-4000-8000-000000000000', []).expect(404);
    await http().put(`/api/v1/routing/roster/${cs.id}`).set(as(rep)).send({ entries: [] }).expect(403);
  });

  it('routes a hotline call and a web complaint about 工程质量 to 工程部 and its duty person, named in the timeline', async () => {
    await configure();
    const call = await logCall('外墙裂缝渗水，投诉多次没人处理', { projectId: other.id });
    const d = await detail(call.id);
    expect(d.case).toMatchObject({
      category: 'engineering_quality',
      departmentName: '工程部',
      assigneeName: '工程部周一值班',
    });
    const [event] = routed(d);
    expect(event).toMatchObject({
      actor: 'system',
      details: {
        via: 'rule',
        departmentId: eng.id,
        assigneeId: engMonday.id,
        person: 'roster',
        rule: { category: 'engineering_quality', estateSpecific: false },
        dutyDay: '2026-10-12',
      },
    });
    expect(d.names).toMatchObject({ [eng.id]: '工程部', [engMonday.id]: '工程部周一值班' });
    expect(d.events.map((e: { kind: string }) => e.kind)).toEqual(['created', 'routed']);

    const form = (await http().get('/api/v1/web-complaints/challenge').expect(200)).body as { challenge: string };
    const web = await http()
      .post('/api/v1/web-complaints')
      .send({
        name: '王先生',
        mobile: '13912345678',
        projectId: estate.id,
        unitText: '3栋2单元1502',
        type: 'complaint',
        description: '卫生间天花板漏水，已经一周了',
        challenge: form.challenge,
        nonce: Number(solve(form.challenge, BITS)),
      })
      .expect(201);
    const webCase = await db.dataSource.getRepository(CaseEntity).findOneByOrFail({ number: web.body.case.number });
    expect(webCase).toMatchObject({ departmentId: eng.id, assigneeId: engMonday.id });
    // The queue shows and filters by them.
    const list = await http().get('/api/v1/cases').query({ departmentId: eng.id }).set(as(rep)).expect(200);
    expect(list.body.items).toEqual([
      expect.objectContaining({ number: webCase.number, departmentName: '工程部', assigneeName: '工程部周一值班' }),
      expect.objectContaining({ number: call.number, departmentId: eng.id, assigneeId: engMonday.id }),
    ]);
  });

  it("an estate's own rule beats the any-estate one; a department without a roster hands the case to its manager", async () => {
    const here = await detail((await logCall('物业保安态度恶劣，投诉', { projectId: estate.id })).id);
    expect(here.case).toMatchObject({ departmentName: '碧海云天物业服务中心', assigneeName: '碧海云天物业经理' });
    expect(routed(here)[0]!.details).toMatchObject({
      via: 'rule',
      person: 'manager',
      assigneeId: prop2Manager.id,
      rule: { projectId: estate.id, estateSpecific: true },
    });
    const elsewhere = await detail((await logCall('物业保安态度恶劣，投诉', { projectId: other.id })).id);
    expect(elsewhere.case).toMatchObject({ departmentName: '物业公司', assigneeName: '物业经理' });
    expect(routed(elsewhere)[0]!.details).toMatchObject({ person: 'manager', assigneeId: propManager.id });
  });

  it("a case nothing routes goes to customer service and the day's duty rep; a holiday's dated entry wins", async () => {
    const enquiry = await detail((await logCall('请问周末能办理入住手续吗')).id);
    expect(enquiry.case).toMatchObject({ category: null, departmentName: '客户服务部', assigneeName: '周一值班客服' });
    expect(routed(enquiry)[0]!.details).toMatchObject({ via: 'customer_service', person: 'roster' });
    // A category no rule covers: customer service too.
    const sales = await detail((await logCall('合同约定的交房时间', { category: 'sales' })).id);
    expect(sales.case).toMatchObject({ departmentName: '客户服务部', assigneeName: '周一值班客服' });

    useFakeClock(app, '2026-10-13T10:00:00+08:00');
    expect((await detail((await logCall('请问周二能办理入住手续吗')).id)).case.assigneeName).toBe('周二值班客服');
    useFakeClock(app, '2026-10-03T10:00:00+08:00'); // 国庆 holiday: the dated entry
    expect((await detail((await logCall('请问售楼处几点开门')).id)).case.assigneeName).toBe('国庆值班客服');
    const onDuty = await http().get('/api/v1/routing/on-duty').query({ day: '2026-10-03' }).set(as(rep)).expect(200);
    expect(onDuty.body).toMatchObject({ day: '2026-10-03', working: false });
    expect(onDuty.body.departments[0]).toMatchObject({
      departmentName: '客户服务部',
      customerService: true,
      handler: { id: csHoliday.id, via: 'roster' },
    });
    useFakeClock(app, '2026-10-12T10:00:00+08:00');
  });

  it("a complaint naming a member of staff goes to that person's superior (002 §5)", async () => {
    const c = await detail(
      (await logCall('物业保安态度恶劣，投诉', { projectId: estate.id, namedStaffId: guard.id })).id,
    );
    expect(c.case).toMatchObject({ departmentName: '物业公司', assigneeName: '保安主管' });
    expect(routed(c)[0]!.details).toMatchObject({ via: 'named_staff', person: 'superior', namedStaffId: guard.id });
    const bad = await http()
      .post('/api/v1/hotline/calls')
      .set(as(operator))
      .send({
        callerNumber: '13811112222',
        startedAt: '2026-10-12T09:58:00+08:00',
        durationSeconds: 60,
        summary: '投诉某员工',
        namedStaffId: '00000000-0000-4000-8000-000000000000',
      })
      .expect(400);
    expect(bad.body.error.details.fields).toEqual([{ field: 'namedStaffId', message: 'no such staff member' }]);
  });
});
