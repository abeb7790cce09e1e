import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { generateReport, parsePeriod, recurringProblemsSections, type CaseType, type CaseValidity } from '@kefu/shared';
import {
  createTestDatabase,
  factories,
  readXlsx,
  startTestApp,
  testConfig,
  tokenFor,
  type TestDatabase,
} from '@kefu/shared/testing';
import { intakeApp } from '../intake.app';

describe('recurring problems and corrective actions (重复/共性问题, 整改措施)', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let rep: string;
  let manager: string;
  const http = () => request(app.getHttpServer());
  const as = (token: string) => ({ Authorization: `Bearer ${token}` });
  let u1: { id: string };
  let u2: { id: string };
  let building: { id: string };
  const oct = () => http().get('/api/v1/recurring-problems?month=2026-10').set(as(rep)).expect(200);

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(
      intakeApp,
      testConfig({ DATABASE_URL: db.url, RECURRING_WORD_MIN_CASES: '3', RECURRING_CATEGORY_MIN_CASES: '6' }),
    );
    rep = await tokenFor(app, 'cs_rep');
    manager = await tokenFor(app, 'dept_manager');
    const estate = await factories.createProject(db.dataSource, { code: 'YG', name: '阳光花园' });
    building = await factories.createBuilding(db.dataSource, { projectId: estate.id, name: '3栋' });
    u1 = await factories.createUnit(db.dataSource, { buildingId: building.id, entrance: '2', room: '1201' });
    u2 = await factories.createUnit(db.dataSource, { buildingId: building.id, entrance: '1', room: '0301' });
    const c = (
      unitId: string,
      at: string,
      description: string,
      type: CaseType = 'complaint',
      v: CaseValidity = 'valid',
    ) =>
      factories.createCase(db.dataSource, {
        projectId: estate.id,
        projectCode: 'YG',
        unitId,
        receivedAt: new Date(at),
        description,
        type,
        validity: v,
        category: 'engineering_quality',
      });
    // October 2026 in Beijing time: [2026-09-30T16:00Z, 2026-10-31T16:00Z). National Day falls in it.
    await c(u1.id, '2026-08-10T02:00:00Z', '卫生间渗水，楼下天花板潮湿');
    await c(u1.id, '2026-09-15T02:00:00Z', '卫生间又渗水了', 'repair');
    await c(u1.id, '2026-09-30T17:00:00Z', '国庆期间卫生间渗水严重'); // 1 October, 01:00 Beijing time
    for (const day of ['02', '10', '20']) await c(u2.id, `2026-10-${day}T02:00:00Z`, '电梯噪音很大，晚上睡不着');
    // Not counted: an enquiry, a complaint judged invalid, a case after the month.
    await c(u2.id, '2026-08-05T02:00:00Z', '电梯噪音', 'enquiry');
    await c(u2.id, '2026-09-05T02:00:00Z', '电梯噪音', 'complaint', 'invalid');
    await c(u2.id, '2026-10-31T16:30:00Z', '电梯噪音');
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('lists the unit, building, category and words repeating across cases and months, with counts and examples', async () => {
    const res = await oct();
    const byKey = Object.fromEntries(res.body.problems.map((p: { key: string }) => [p.key, p]));
    // Unit 1201: three cases over three months, one of them in October (the National Day one, by Beijing time).
    expect(byKey[`unit:${u1.id}`]).toMatchObject({
      kind: 'unit',
      label: '阳光花园3栋2单元1201',
      cases: 3,
      inPeriod: 1,
      months: ['2026-08', '2026-09', '2026-10'],
    });
    expect(byKey[`unit:${u1.id}`].examples[0].excerpt).toBe('国庆期间卫生间渗水严重');
    // Unit 0301: three valid cases, all in October: not "across months".
    expect(byKey[`unit:${u2.id}`]).toBeUndefined();
    expect(byKey[`building:${building.id}`]).toMatchObject({ cases: 6, inPeriod: 4, label: '阳光花园3栋' });
    expect(Object.keys(byKey).filter((k) => k.startsWith('category:'))).toHaveLength(1);
    expect(byKey['word:渗水']).toMatchObject({ kind: 'word', cases: 3, months: ['2026-08', '2026-09', '2026-10'] });
    expect(byKey['word:卫生间']).toMatchObject({ cases: 3 });
    expect(byKey['word:电梯']).toBeUndefined();
    expect(res.body.problems.map((p: { kind: string }) => p.kind)).toEqual([
      'unit',
      'building',
      'category',
      ...res.body.problems.filter((p: { kind: string }) => p.kind === 'word').map(() => 'word'),
    ]);
    expect(res.body.window.start).toBe('2026-04-30T16:00:00.000Z');
    expect(res.body.totals).toMatchObject({ unit: 1, building: 1, category: 1, actionsInForce: 0 });
    // September: the unit had two cases by then, below the count.
    const sep = await http().get('/api/v1/recurring-problems?month=2026-09').set(as(rep)).expect(200);
    expect(sep.body.problems.find((p: { key: string }) => p.key === `unit:${u1.id}`)).toBeUndefined();
  });

  it('takes one corrective action in force per problem and follows it up in later reports', async () => {
    const dept = await factories.createDepartment(db.dataSource, { name: '工程部' });
    const body = {
      problemKey: `unit:${u1.id}`,
      problemLabel: '阳光花园3栋2单元1201',
      action: '重做卫生间防水层并闭水试验',
      departmentId: dept.id,
      dueOn: '2026-11-15',
    };
    await http().post('/api/v1/corrective-actions').set(as(rep)).send(body).expect(403);
    const bad = await http()
      .post('/api/v1/corrective-actions')
      .set(as(manager))
      .send({ ...body, dueOn: '15/11' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.error)).toContain('dueOn');
    const a = await http().post('/api/v1/corrective-actions').set(as(manager)).send(body).expect(201);
    expect(a.body).toMatchObject({ status: 'open', department: '工程部', dueOn: '2026-11-15' });
    await http().post('/api/v1/corrective-actions').set(as(manager)).send(body).expect(409);

    let res = await oct();
    expect(res.body.problems.find((p: { key: string }) => p.key === body.problemKey).action.id).toBe(a.body.id);
    expect(res.body.actions.map((x: { id: string }) => x.id)).toEqual([a.body.id]);
    expect(res.body.totals.actionsInForce).toBe(1);

    const done = await http()
      .patch(`/api/v1/corrective-actions/${a.body.id}`)
      .set(as(manager))
      .send({ status: 'done', result: '已重做，闭水48小时无渗漏' })
      .expect(200);
    expect(done.body.finishedAt).not.toBeNull();
    await http().patch(`/api/v1/corrective-actions/${a.body.id}`).set(as(manager)).send({ status: 'open' }).expect(409);
    await http().patch(`/api/v1/corrective-actions/${a.body.id}`).set(as(manager)).send({}).expect(400);
    // Done: still shown on the problem (the latest action), no longer in force; a new one may be taken.
    res = await oct();
    expect(res.body.problems.find((p: { key: string }) => p.key === body.problemKey).action.status).toBe('done');
    expect(res.body.totals.actionsInForce).toBe(0);
    await http().post('/api/v1/corrective-actions').set(as(manager)).send(body).expect(201);
    const list = await http().get('/api/v1/corrective-actions?status=open').set(as(rep)).expect(200);
    expect(list.body.actions).toHaveLength(1);
  });

  it("prints them in October's 客服月报 (XLSX sheet and PDF table) through the reports' section seam", async () => {
    const config = testConfig({
      DATABASE_URL: db.url,
      RECURRING_WORD_MIN_CASES: '3',
      RECURRING_CATEGORY_MIN_CASES: '6',
    });
    const { id } = await generateReport(db.dataSource, config, parsePeriod('monthly', '2026-10'), {
      asOf: new Date('2026-11-02T01:00:00Z'),
      trigger: 'staff',
      extraSections: [recurringProblemsSections(config)],
    });
    const [row] = await db.dataSource.query(`SELECT xlsx FROM reports WHERE id = $1`, [id]);
    const sheet = (await readXlsx(row.xlsx)).find((s) => s.name === '重复 共性问题')!;
    expect(sheet.rows[0]!.slice(0, 4)).toEqual(['类型', '问题', '件数', '本期件数']);
    const unit = sheet.rows.find((r) => r[0] === '同一房号' && String(r[1]).includes('1201'));
    expect(unit?.slice(2, 5)).toEqual([3, 1, '2026-08、2026-09、2026-10']);
  });

  it('says what is wrong with a bad month', async () => {
    const res = await http().get('/api/v1/recurring-problems?month=2026-13').set(as(rep)).expect(400);
    expect(JSON.stringify(res.body.error)).toContain('YYYY-MM');
  });
});
