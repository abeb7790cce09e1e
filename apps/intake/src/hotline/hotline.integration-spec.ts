import { getQueueToken } from '@nestjs/bullmq';
import type { INestApplication } from '@nestjs/common';
import type { Queue } from 'bullmq';
import request from 'supertest';
import { CallEntity, CaseEntity, Queues } from '@kefu/shared';
import {
  createTestDatabase,
  expectEventually,
  factories,
  startTestApp,
  testConfig,
  tokenFor,
  type TestDatabase,
} from '@kefu/shared/testing';
import { intakeApp } from '../intake.app';

describe('hotline', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let operator: string;
  let projectId: string;
  let unitId: string;
  let ownerId: string;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(intakeApp, testConfig({ DATABASE_URL: db.url }));
    operator = await tokenFor(app, 'operator', '热线 张丽');
    const project = await factories.createProject(db.dataSource, { code: 'COBZS001', name: '碧海云天' });
    projectId = project.id;
    const building = await factories.createBuilding(db.dataSource, { projectId, name: '3栋' });
    const unit = await factories.createUnit(db.dataSource, { buildingId: building.id, entrance: '2', room: '1502' });
    await factories.createUnit(db.dataSource, { buildingId: building.id, entrance: '1', room: '1502' });
    unitId = unit.id;
    const owner = await factories.createOwner(db.dataSource, { name: '王先生', mobiles: ['13812345678'] });
    ownerId = owner.id;
    await factories.linkOwner(db.dataSource, owner.id, unit.id);
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  const call = (over: Record<string, unknown> = {}) => ({
    callerNumber: '+86 138-1234-5678',
    startedAt: '2026-11-23T10:05:00+08:00',
    durationSeconds: 184,
    summary: '3栋2单元1502卫生间漏水，楼下天花板也渗水了',
    ...over,
  });

  it('logs a call as a matched, classified, numbered case and answers with the sentence to read back', async () => {
    const res = await http()
      .post('/api/v1/hotline/calls')
      .set('Authorization', `Bearer ${operator}`)
      .send(call({ recordingRef: 'rec/2026/11/23/1005.wav' }))
      .expect(201);
    expect(res.body.case).toMatchObject({ number: 'COBZS001-2026-00001', type: 'repair', matchStatus: 'matched' });
    expect(res.body.readBack).toContain('编号 COBZS001-2026-00001');
    expect(res.body.readBack).toMatch(/我们会在11月24日（星期二）\d\d:\d\d前给您答复/);
    expect(res.body.readBack).toContain('卫生间漏水');

    const c = await db.dataSource.getRepository(CaseEntity).findOneByOrFail({ id: res.body.case.id });
    expect(c).toMatchObject({
      projectId,
      unitId,
      ownerId,
      channel: 'hotline',
      reporterPhone: '13812345678',
      reporterContact: '+86 138-1234-5678',
      status: 'new',
    });
    expect(c.classificationRules.some((r) => r.startsWith('type.repair'))).toBe(true);
    const callRow = await db.dataSource.getRepository(CallEntity).findOneByOrFail({ caseId: c.id });
    expect(callRow).toMatchObject({
      callerDigits: '13812345678',
      durationSeconds: 184,
      recordingKeepUntil: '2026-12-23',
    });

    // Queued exactly once for the scheduler, through the outbox.
    const queue = app.get<Queue>(getQueueToken(Queues.Scheduler), { strict: false });
    await expectEventually(async () => {
      const jobs = await queue.getJobs(['waiting', 'delayed', 'active']);
      expect(jobs.filter((j) => j.data.caseId === c.id)).toHaveLength(1);
    });
    // The job reaches Redis just before the relay's transaction commits relayed_at.
    await expectEventually(async () =>
      expect(
        await db.dataSource.query(
          `SELECT count(*)::int AS n FROM outbox WHERE dedupe_key = $1 AND relayed_at IS NOT NULL`,
          [`case-received:${c.id}`],
        ),
      ).toEqual([{ n: 1 }]),
    );
  });

  it('creates one case when the same form is submitted twice', async () => {
    const body = call({ idempotencyKey: 'console-7f3a9c21', summary: '电梯经常停运，物业不处理' });
    const [a, b] = await Promise.all([
      http().post('/api/v1/hotline/calls').set('Authorization', `Bearer ${operator}`).send(body),
      http().post('/api/v1/hotline/calls').set('Authorization', `Bearer ${operator}`).send(body),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 201]);
    expect(a.body.case.number).toBe(b.body.case.number);
    expect(await db.dataSource.getRepository(CaseEntity).countBy({ description: '电梯经常停运，物业不处理' })).toBe(1);
  });

  it('shows the operator who is calling and the open cases at once', async () => {
    const res = await http()
      .get('/api/v1/hotline/callers/0086 138 1234 5678')
      .set('Authorization', `Bearer ${operator}`)
      .expect(200);
    expect(res.body.number).toMatchObject({ kind: 'mobile', digits: '13812345678' });
    expect(res.body.owners).toEqual([
      expect.objectContaining({
        name: '王先生',
        units: [expect.objectContaining({ id: unitId, label: '碧海云天 3栋2单元1502', projectCode: 'COBZS001' })],
      }),
    ]);
    expect(res.body.openCases.length).toBeGreaterThanOrEqual(2);
    expect(res.body.headline).toMatch(/^王先生：此来电已有 \d+ 件未结案件$/);
    const unknown = await http()
      .get('/api/v1/hotline/callers/13900000000')
      .set('Authorization', `Bearer ${operator}`)
      .expect(200);
    expect(unknown.body).toMatchObject({ owners: [], openCases: [], headline: '未登记的号码：此来电没有未结案件' });
  });

  it("records an operator's override of the keyword rules", async () => {
    const res = await http()
      .post('/api/v1/hotline/calls')
      .set('Authorization', `Bearer ${operator}`)
      .send(call({ summary: '厨房水管漏水', type: 'complaint', severity: 'major' }))
      .expect(201);
    const c = await db.dataSource.getRepository(CaseEntity).findOneByOrFail({ id: res.body.case.id });
    expect(c).toMatchObject({ type: 'complaint', severity: 'major' });
    expect(c.classificationRules).toEqual(
      expect.arrayContaining(['type.repair:漏水', 'manual.type', 'manual.severity']),
    );
  });

  it('makes injury and electric shock major, with the shorter promise', async () => {
    const res = await http()
      .post('/api/v1/hotline/calls')
      .set('Authorization', `Bearer ${operator}`)
      .send(call({ summary: '3栋2单元1502 插座漏电，孩子触电受伤' }))
      .expect(201);
    const c = await db.dataSource.getRepository(CaseEntity).findOneByOrFail({ id: res.body.case.id });
    expect(c.severity).toBe('major');
    expect(c.promisedReplyAt!.getTime() - new Date('2026-11-23T10:05:00+08:00').getTime()).toBe(12 * 3600_000);
  });

  it('keeps a caller with two units unmatched as to the unit, listing both, when the text does not say which', async () => {
    const second = await factories.createUnit(db.dataSource, { projectId, entrance: '1', room: '801' });
    const owner = await factories.createOwner(db.dataSource, { mobiles: ['13922223333'] });
    await factories.linkOwner(db.dataSource, owner.id, unitId);
    await factories.linkOwner(db.dataSource, owner.id, second.id);
    const res = await http()
      .post('/api/v1/hotline/calls')
      .set('Authorization', `Bearer ${operator}`)
      .send(call({ callerNumber: '13922223333', summary: '门口路灯坏了' }))
      .expect(201);
    const c = await db.dataSource.getRepository(CaseEntity).findOneByOrFail({ id: res.body.case.id });
    expect(c).toMatchObject({ ownerId: owner.id, unitId: null, matchStatus: 'ambiguous' });
    expect((c.matchDetails.unitCandidates as string[]).sort()).toEqual([unitId, second.id].sort());
  });

  it('matches the unit the operator typed (unitText) within the chosen estate for an unknown caller', async () => {
    const res = await http()
      .post('/api/v1/hotline/calls')
      .set('Authorization', `Bearer ${operator}`)
      .send(call({ callerNumber: '0755-83345678', projectId, unitText: '3栋1单元1502', summary: '小区门禁卡失灵' }))
      .expect(201);
    const c = await db.dataSource.getRepository(CaseEntity).findOneByOrFail({ id: res.body.case.id });
    const other = await db.dataSource.query(
      `SELECT u.id FROM units u JOIN buildings b ON b.id = u.building_id WHERE b.name = '3栋' AND u.entrance = '1' AND u.room = '1502'`,
    );
    expect(c).toMatchObject({ projectId, unitId: other[0].id, ownerId: null });
    const tooLong = await http()
      .post('/api/v1/hotline/calls')
      .set('Authorization', `Bearer ${operator}`)
      .send(call({ unitText: 'x'.repeat(101) }))
      .expect(400);
    expect(tooLong.body.error.details.fields.map((f: { field: string }) => f.field)).toEqual(['unitText']);
  });

  it('refuses bad input naming each field, and a recording kept under 30 days', async () => {
    const bad = await http()
      .post('/api/v1/hotline/calls')
      .set('Authorization', `Bearer ${operator}`)
      .send({ callerNumber: '', durationSeconds: -1, startedAt: 'yesterday' })
      .expect(400);
    expect(bad.body.error.details.fields.map((f: { field: string }) => f.field).sort()).toEqual([
      'callerNumber',
      'durationSeconds',
      'startedAt',
      'summary',
    ]);
    const short = await http()
      .post('/api/v1/hotline/calls')
      .set('Authorization', `Bearer ${operator}`)
      .send(call({ recordingRef: 'r.wav', recordingKeepUntil: '2026-12-01' }))
      .expect(400);
    expect(short.body.error.details.fields[0]).toMatchObject({
      field: 'recordingKeepUntil',
      message: expect.stringContaining('录音至少保存30天：不早于 2026-12-23'),
    });
  });

  it('imports missed and voicemail calls from Asterisk Master.csv as callback cases, once', async () => {
    const csv = [
      `"","13812345678","8000","from-pstn","""Wang"" <13812345678>","SIP/trunk-0000001a","","Dial","SIP/8001,30","2026-11-22 21:14:03","","2026-11-22 21:14:33",30,0,"NO ANSWER","DOCUMENTATION","1795396443.26"`,
      `"","075583345678","8000","from-pstn","<075583345678>","SIP/trunk-0000001b","","VoiceMail","8000@default","2026-11-22 22:40:10","2026-11-22 22:40:12","2026-11-22 22:41:02",52,50,"ANSWERED","DOCUMENTATION","1795401610.27"`,
      `"","13700001111","8000","from-pstn","<13700001111>","SIP/trunk-0000001c","SIP/8001-0000001d","Dial","SIP/8001,30","2026-11-23 09:01:00","2026-11-23 09:01:05","2026-11-23 09:04:00",180,175,"ANSWERED","DOCUMENTATION","1795424460.28"`,
      `"","139","8000","from-pstn","","SIP/x","","Dial","","not a date","","",1,0,"BUSY","DOCUMENTATION","1795424461.29"`,
    ].join('\n');
    const first = await http()
      .post('/api/v1/hotline/cdr-imports')
      .set('Authorization', `Bearer ${operator}`)
      .set('Content-Type', 'text/csv')
      .send(csv)
      .expect(200);
    expect(first.body).toMatchObject({ lines: 4, answered: 1, alreadyImported: 0 });
    expect(first.body.created.map((c: { kind: string }) => c.kind)).toEqual(['missed', 'voicemail']);
    expect(first.body.problems).toEqual([{ line: 4, message: expect.stringContaining('not a time') }]);
    const missed = await db.dataSource
      .getRepository(CaseEntity)
      .findOneByOrFail({ number: first.body.created[0].number });
    expect(missed).toMatchObject({ ownerId, channel: 'hotline', type: 'enquiry' });
    expect(missed.receivedAt.toISOString()).toBe('2026-11-22T13:14:03.000Z');
    expect(missed.description).toContain('未接来电');

    const again = await http()
      .post('/api/v1/hotline/cdr-imports')
      .set('Authorization', `Bearer ${operator}`)
      .set('Content-Type', 'text/csv')
      .send(csv)
      .expect(200);
    expect(again.body).toMatchObject({ created: [], alreadyImported: 2 });
  });

  it('is for operators and reps: a department manager may look up but not log', async () => {
    const manager = await tokenFor(app, 'dept_manager');
    await http().post('/api/v1/hotline/calls').set('Authorization', `Bearer ${manager}`).send(call()).expect(403);
    await http().get('/api/v1/hotline/callers/13812345678').set('Authorization', `Bearer ${manager}`).expect(200);
  });
});
