import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { AuthService } from '@kefu/shared';
import {
  createTestDatabase,
  factories,
  startTestApp,
  testConfig,
  tokenFor,
  useFakeClock,
  type TestDatabase,
} from '@kefu/shared/testing';
import { generateVisitPlan } from '../../../scheduler/src/visits/visit-plan';
import { intakeApp } from '../intake.app';

/**
 * Visit records and the figures, on a worked example: four households (one co-owned: five owners) split between
 * two reps, planned on 1 January (routine visits 01-01, 01-31, 03-02, 04-01 in the first window), looked at on 10 March.
 */
describe('owner visits: records and figures', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let projectId: string;
  let buildingId: string;
  let tokenA: string;
  let tokenB: string;
  let manager: string;
  let staffA: string;
  let staffB: string;
  const unitIds: Record<string, string> = {};
  const http = () => request(app.getHttpServer());
  const as = (t: string) => ({ Authorization: `Bearer ${t}` });
  const q = <T>(sql: string, params: unknown[] = []) => db.dataSource.query<T[]>(sql, params);
  const visitOf = async (room: string, seq = 0) =>
    (
      await q<{ id: string }>(`SELECT id FROM owner_visits WHERE unit_id = $1 AND kind = 'routine' AND seq = $2`, [
        unitIds[room],
        seq,
      ])
    )[0]!.id;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(intakeApp, testConfig({ DATABASE_URL: db.url }));
    useFakeClock(app, '2026-03-10T10:00:00+08:00');
    const ds = db.dataSource;
    projectId = (await factories.createProject(ds, { code: 'VREC1', name: '碧海云天' })).id;
    buildingId = (await factories.createBuilding(ds, { projectId, name: '2栋' })).id;
    for (const room of ['101', '102', '103', '104', '105']) {
      const u = await factories.createUnit(ds, {
        buildingId,
        entrance: '',
        room,
        handoverDate: '2022-06-30',
        finish: 'fitted',
      });
      unitIds[room] = u.id;
      if (room === '105') continue; // unsold when the plan was made
      const o = await factories.createOwner(ds, { name: `业主${room}` });
      await factories.linkOwner(ds, o.id, u.id);
    }
    const co = await factories.createOwner(ds, { name: '共有人101' });
    await factories.linkOwner(ds, co.id, unitIds['101']!, { relation: 'co_owner', isPrimaryContact: false });
    const a = await factories.createStaff(ds, { role: 'cs_rep', name: '客服甲' });
    const b = await factories.createStaff(ds, { role: 'cs_rep', name: '客服乙' });
    [staffA, staffB] = [a.id, b.id];
    const auth = app.get(AuthService);
    tokenA = (await auth.issue({ id: a.id, role: 'cs_rep', name: a.name })).accessToken;
    tokenB = (await auth.issue({ id: b.id, role: 'cs_rep', name: b.name })).accessToken;
    manager = await tokenFor(app, 'dept_manager', '经理');
    await q(
      `INSERT INTO visit_staff (project_id, staff_id, created_at) VALUES ($1, $2, now()), ($1, $3, now() + interval '1 second')`,
      [projectId, staffA, staffB],
    );
    await ds.transaction((m) =>
      generateVisitPlan(m, projectId, 2026, '2026-01-01', {
        intervalMonths: 4,
        handoverDays: 30,
        decorationMonths: [],
      }),
    );
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('lists my due visits, overdue first', async () => {
    const res = await http().get('/api/v1/visits').set(as(tokenA)).expect(200);
    expect(res.body.today).toBe('2026-03-10');
    expect(
      res.body.items.map((i: { unitLabel: string; dueOn: string; overdue: boolean }) => [
        i.unitLabel,
        i.dueOn,
        i.overdue,
      ]),
    ).toEqual([
      ['2栋101', '2026-01-01', true],
      ['2栋103', '2026-03-02', true],
    ]);
    expect(res.body.items[0]).toMatchObject({
      ownerName: '业主101',
      staffName: '客服甲',
      kind: 'routine',
      status: 'planned',
    });
  });

  it('records visits: done on time, done late, not reached (still due), with a follow-up case', async () => {
    const v101 = await visitOf('101');
    const done = await http()
      .post(`/api/v1/visits/${v101}/records`)
      .set(as(tokenA))
      .send({
        visitedAt: '2026-01-01T15:00:00+08:00',
        method: 'home',
        topics: ['物业服务', '停车'],
        outcome: 'satisfied',
      })
      .expect(201);
    expect(done.body).toMatchObject({
      status: 'done',
      records: [{ method: 'home', topics: ['物业服务', '停车'], staffName: '客服甲' }],
    });

    await http()
      .post(`/api/v1/visits/${await visitOf('102')}/records`)
      .set(as(tokenB))
      .send({ visitedAt: '2026-02-05T10:00:00+08:00', method: 'phone', outcome: 'satisfied' })
      .expect(201);
    const notReached = await http()
      .post(`/api/v1/visits/${await visitOf('103')}/records`)
      .set(as(tokenA))
      .send({ visitedAt: '2026-03-01T10:00:00+08:00', method: 'phone', outcome: 'not_reached', notes: '无人接听' })
      .expect(201);
    expect(notReached.body).toMatchObject({ status: 'planned', records: [{ outcome: 'not_reached' }] });

    // 104 visited early; the owner raises a leak: a case through case intake, routed, linked to the record.
    const withCase = await http()
      .post(`/api/v1/visits/${await visitOf('104')}/records`)
      .set(as(tokenB))
      .send({
        method: 'home',
        outcome: 'issues',
        topics: ['渗水'],
        followUp: { description: '车库顶板渗水，业主要求维修', category: 'engineering_quality', type: 'repair' },
      })
      .expect(201);
    const record = withCase.body.records[0];
    expect(record.caseNumber).toMatch(/^VREC1-2026-\d{5}$/);
    const [c] = await q<{ project_id: string; unit_id: string; channel: string; type: string; category: string }>(
      `SELECT project_id, unit_id, channel, type, category FROM cases WHERE id = $1`,
      [record.caseId],
    );
    expect(c).toEqual({
      project_id: projectId,
      unit_id: unitIds['104'],
      channel: 'walk_in',
      type: 'repair',
      category: 'engineering_quality',
    });
  });

  it('refuses what cannot be recorded, naming the field', async () => {
    const v101 = await visitOf('101');
    await http()
      .post(`/api/v1/visits/${v101}/records`)
      .set(as(tokenA))
      .send({ method: 'home', outcome: 'satisfied' })
      .expect(409);
    const v103 = await visitOf('103');
    await http()
      .post(`/api/v1/visits/${v103}/records`)
      .set(as(tokenB))
      .send({ method: 'home', outcome: 'satisfied' })
      .expect(403);
    const bad = await http()
      .post(`/api/v1/visits/${v103}/records`)
      .set(as(tokenA))
      .send({ method: 'carrier_pigeon', outcome: 'satisfied' })
      .expect(400);
    expect(bad.body.error.details.fields.map((f: { field: string }) => f.field)).toEqual(['method']);
    const future = await http()
      .post(`/api/v1/visits/${v103}/records`)
      .set(as(tokenA))
      .send({ method: 'home', outcome: 'satisfied', visitedAt: '2026-03-11T10:00:00+08:00' })
      .expect(400);
    expect(future.body.error.details.fields).toEqual([{ field: 'visitedAt', message: 'must not be in the future' }]);
    await http()
      .post(`/api/v1/visits/${v103}/records`)
      .set(as(tokenA))
      .send({ method: 'home', outcome: 'satisfied', staffId: staffB })
      .expect(403);
  });

  it('works out coverage and completion per estate and per member of staff', async () => {
    // Sold after the plan was made, not planned yet: coverage drops to 5 of 6 owners until the next run.
    const buyer = await factories.createOwner(db.dataSource, { name: '业主105' });
    await factories.linkOwner(db.dataSource, buyer.id, unitIds['105']!);
    const res = await http().get(`/api/v1/visits/figures?projectId=${projectId}`).set(as(manager)).expect(200);
    expect(res.body).toMatchObject({ year: 2026, asOf: '2026-03-10' });
    // Due by 03-10: 101 (on time), 102 (late), 103 (not reached: overdue). 104 was done early but is not due yet.
    expect(res.body.rows).toHaveLength(3);
    expect(res.body.rows[0]).toEqual({
      projectId,
      estateName: '碧海云天',
      staffId: null,
      staffName: null,
      households: 5,
      owners: 6,
      plannedHouseholds: 4,
      plannedOwners: 5,
      coverage: 0.8333,
      due: 3,
      doneOnTime: 1,
      doneLate: 1,
      overdue: 1,
      completion: 0.3333,
    });
    // Each member of staff: their households, and their share of the estate's owners planned (3 and 2 of 6).
    const rows = res.body.rows as Array<{ staffName: string | null }>;
    const staffRow = (name: string) => rows.find((r) => r.staffName === name);
    expect(staffRow('客服甲')).toMatchObject({
      staffId: staffA,
      households: 2,
      owners: 3,
      plannedOwners: 3,
      coverage: 0.5,
    });
    expect(staffRow('客服甲')).toMatchObject({ due: 2, doneOnTime: 1, doneLate: 0, overdue: 1, completion: 0.5 });
    expect(staffRow('客服乙')).toMatchObject({
      staffId: staffB,
      households: 2,
      owners: 2,
      plannedOwners: 2,
      coverage: 0.3333,
    });
    expect(staffRow('客服乙')).toMatchObject({ due: 1, doneOnTime: 0, doneLate: 1, overdue: 0, completion: 0 });

    const csv = await http()
      .get(`/api/v1/visits/figures?projectId=${projectId}&format=csv`)
      .set(as(manager))
      .expect(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const lines = csv.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toContain('完成率');
    expect(lines[1]).toBe('2026,2026-03-10,碧海云天,（全楼盘）,5,6,4,5,83.3%,3,1,1,1,33.3%');
    expect(lines).toHaveLength(4);
  });

  it('keeps operators out', async () => {
    await http()
      .get('/api/v1/visits')
      .set(as(await tokenFor(app, 'operator')))
      .expect(403);
  });
});
