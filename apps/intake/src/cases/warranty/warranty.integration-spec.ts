import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { CaseEntity, CaseEventEntity } from '@kefu/shared';
import {
  createTestDatabase,
  factories,
  startTestApp,
  testConfig,
  tokenFor,
  type TestDatabase,
} from '@kefu/shared/testing';
import { intakeApp } from '../../intake.app';

/** A repair's warranty standing, decided at intake from the unit's handover date (000 §6.5.1(2), 003 §11.2.4). */
describe('warranty standing of repairs', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let operator: string;
  let rep: string;
  let projectId: string;
  let buildingId: string;
  const http = () => request(app.getHttpServer());
  const as = (token: string) => ({ Authorization: `Bearer ${token}` });
  let caller = 13855550000;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(intakeApp, testConfig({ DATABASE_URL: db.url }));
    [operator, rep] = await Promise.all([tokenFor(app, 'operator', '热线 张丽'), tokenFor(app, 'cs_rep', '客服 陈敏')]);
    projectId = (await factories.createProject(db.dataSource, { code: 'BHYT01', name: '碧海云天', city: '北京' })).id;
    buildingId = (await factories.createBuilding(db.dataSource, { projectId, name: '3栋' })).id;
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  const unit = async (room: string, handoverDate: string | null, building = buildingId) =>
    (await factories.createUnit(db.dataSource, { buildingId: building, entrance: '2', room, handoverDate })).id;
  /** A call logged by the operator on 2026-11-23 (Beijing time); the case as stored, and its `created` event. */
  const call = async (over: Record<string, unknown>) => {
    const res = await http()
      .post('/api/v1/hotline/calls')
      .set(as(operator))
      .send({
        callerNumber: String(caller++),
        startedAt: '2026-11-23T10:05:00+08:00',
        durationSeconds: 90,
        type: 'repair',
        ...over,
      })
      .expect(201);
    const id = (res.body.case as { id: string }).id;
    const c = await db.dataSource.getRepository(CaseEntity).findOneByOrFail({ id });
    const created = await db.dataSource.getRepository(CaseEventEntity).findOneByOrFail({ caseId: id, kind: 'created' });
    return { c, created: created.details };
  };
  const standing = (c: CaseEntity) => [c.warrantyStatus, c.warrantyItemCode, c.warrantyExpiresOn];

  it('decides in or out of warranty from the handover date and the item the description names', async () => {
    const recent = await call({ unitId: await unit('1501', '2024-03-01'), summary: '卫生间漏水，楼下天花板也渗水了' });
    expect(standing(recent.c)).toEqual(['in_warranty', 'wet_room_waterproofing', '2029-03-01']);
    expect(recent.created.warranty).toEqual({
      status: 'in_warranty',
      itemCode: 'wet_room_waterproofing',
      expiresOn: '2029-03-01',
      basis: { by: 'keyword', word: '渗水' },
    });
    // The same leak, handed over in 2019: the 5 years ended 2024-01-10.
    const old = await call({ unitId: await unit('1502', '2019-01-10'), summary: '卫生间漏水，楼下天花板也渗水了' });
    expect(standing(old.c)).toEqual(['out_of_warranty', 'wet_room_waterproofing', '2024-01-10']);
    // A water pipe is plumbing (2 years), not waterproofing: out of warranty for a unit handed over in 2024-03.
    const pipe = await call({ unitId: await unit('1503', '2024-03-01'), summary: '厨房下水管漏水' });
    expect(standing(pipe.c)).toEqual(['out_of_warranty', 'water_supply_drainage', '2026-03-01']);
    // The last day of the period is still in warranty.
    const lastDay = await call({ unitId: await unit('1504', '2025-11-23'), summary: '入户门门锁坏了' });
    expect(standing(lastDay.c)).toEqual(['in_warranty', 'doors_windows', '2026-11-23']);
  });

  it("finds the unit by the caller's ownership, or by the unit the caller names in the estate", async () => {
    const owned = await unit('1901', '2024-03-01');
    const owner = await factories.createOwner(db.dataSource, { name: '李女士', mobiles: ['13900001901'] });
    await factories.linkOwner(db.dataSource, owner.id, owned);
    const byOwner = await call({ callerNumber: '13900001901', summary: '卫生间漏水' });
    expect(byOwner.c.unitId).toBe(owned);
    expect(standing(byOwner.c)).toEqual(['in_warranty', 'wet_room_waterproofing', '2029-03-01']);

    const named = await unit('1902', '2019-01-10');
    const byText = await call({ projectId, unitText: '3栋2单元1902', summary: '卫生间漏水' });
    expect(byText.c.unitId).toBe(named);
    expect(standing(byText.c)).toEqual(['out_of_warranty', 'wet_room_waterproofing', '2024-01-10']);
  });

  it('without a named item, answers only what is certain: the shortest item still runs, or the longest has ended', async () => {
    const vague = '请派人上门检查一下';
    const fresh = await call({ unitId: await unit('1601', '2026-09-01'), summary: vague });
    expect(standing(fresh.c)).toEqual(['in_warranty', 'lamps_switches', '2027-03-01']);
    expect(fresh.created.warranty).toMatchObject({ basis: { by: 'shortest' } });
    const between = await call({ unitId: await unit('1602', '2024-03-01'), summary: vague });
    expect(standing(between.c)).toEqual(['unknown', null, null]);
    expect(between.created.warranty).toMatchObject({ basis: { by: 'none', missing: 'item' } });
    const ancient = await call({ unitId: await unit('1603', '2010-05-01'), summary: vague });
    expect(ancient.c.warrantyStatus).toBe('out_of_warranty');
    expect(ancient.created.warranty).toMatchObject({ basis: { by: 'longest' } });
  });

  it('is unknown without a unit or a handover date, and not decided for cases that are not repairs', async () => {
    const noDate = await call({ unitId: await unit('1701', null), summary: '卫生间漏水' });
    expect(standing(noDate.c)).toEqual(['unknown', null, null]);
    expect(noDate.created.warranty).toMatchObject({ basis: { by: 'none', missing: 'handover_date' } });
    const noUnit = await call({ summary: '卫生间漏水，不记得房号' });
    expect(noUnit.c.unitId).toBeNull();
    expect(standing(noUnit.c)).toEqual(['unknown', null, null]);
    expect(noUnit.created.warranty).toMatchObject({ basis: { by: 'none', missing: 'unit' } });
    const enquiry = await call({
      unitId: await unit('1702', '2024-03-01'),
      summary: '卫生间漏水怎么报修',
      type: 'enquiry',
    });
    expect(standing(enquiry.c)).toEqual([null, null, null]);
    expect(enquiry.created).not.toHaveProperty('warranty');
  });

  it("follows the estate's own catalogue over the defaults, and its city's seasons", async () => {
    // 翠湖花园 gives 8 years on waterproofing in its 住宅质量保证书 and has switched the door item off.
    const other = (await factories.createProject(db.dataSource, { code: 'CHHY01', name: '翠湖花园', city: '北京' })).id;
    await db.dataSource.query(
      `INSERT INTO warranty_items (project_id, code, name, basis, amount, active) VALUES
         ($1, 'wet_room_waterproofing', '卫生间、房间防渗漏', 'months', 96, true),
         ($1, 'doors_windows', '门窗翘裂、五金件', 'months', 12, false)`,
      [other],
    );
    const building = (await factories.createBuilding(db.dataSource, { projectId: other, name: '1栋' })).id;
    const leak = await call({ unitId: await unit('0801', '2019-01-10', building), summary: '卫生间漏水' });
    expect(standing(leak.c)).toEqual(['in_warranty', 'wet_room_waterproofing', '2027-01-10']);
    const door = await call({ unitId: await unit('0802', '2026-06-01', building), summary: '入户门门锁坏了' });
    // Its door item is switched off: nothing to judge by (not "every item still runs", which omits doors here).
    expect(standing(door.c)).toEqual(['unknown', 'doors_windows', null]);
    // The default estate keeps 5 years (the first test's 2019 unit is out of warranty).

    // Shenzhen has no heating season: no heating warranty to judge by.
    const sz = (await factories.createProject(db.dataSource, { code: 'SZWY01', name: '深圳湾', city: '深圳' })).id;
    const szBuilding = (await factories.createBuilding(db.dataSource, { projectId: sz, name: '2栋' })).id;
    const heating = await call({ unitId: await unit('0301', '2025-06-01', szBuilding), summary: '暖气片不热' });
    expect(standing(heating.c)).toEqual(['unknown', 'heating', null]);
    expect(heating.created.warranty).toMatchObject({ basis: { by: 'none', missing: 'season' } });
  });

  describe('staff correction: PATCH /cases/:id/warranty', () => {
    const patch = (id: string, body: Record<string, unknown>, token = rep) =>
      http().patch(`/api/v1/cases/${id}/warranty`).set(as(token)).send(body);

    it('names the bad fields, refuses operators, and records who changed what and why', async () => {
      const { c } = await call({ unitId: await unit('1801', '2019-01-10'), summary: '卫生间漏水' });
      expect(c.warrantyStatus).toBe('out_of_warranty');

      const bad = await patch(c.id, { status: 'maybe', reason: ' ' });
      expect(bad.status).toBe(400);
      expect(bad.body.error.details.fields.map((f: { field: string }) => f.field).sort()).toEqual(['reason', 'status']);
      expect(
        (await patch(c.id, { status: 'in_warranty', reason: '开发商书面承诺延保', itemCode: 'nope' })).status,
      ).toBe(400);
      expect((await patch(c.id, { status: 'in_warranty', reason: '开发商书面承诺延保' }, operator)).status).toBe(403);
      expect((await http().patch(`/api/v1/cases/${c.id}/warranty`).send({})).status).toBe(401);

      const ok = await patch(c.id, { status: 'in_warranty', reason: '开发商书面承诺延保至2027年' }).expect(200);
      expect(ok.body).toEqual({
        caseId: c.id,
        number: c.number,
        warrantyStatus: 'in_warranty',
        warrantyItemCode: 'wet_room_waterproofing',
        warrantyExpiresOn: '2024-01-10',
      });
      // Another item: its expiry for this unit comes with it.
      await patch(c.id, {
        status: 'out_of_warranty',
        reason: '查明是下水管漏水',
        itemCode: 'water_supply_drainage',
      }).expect(200);

      const detail = await http().get(`/api/v1/cases/${c.id}`).set(as(rep)).expect(200);
      expect(detail.body.case.warranty).toEqual({
        status: 'out_of_warranty',
        itemCode: 'water_supply_drainage',
        itemName: '给排水管道',
        expiresOn: '2021-01-10',
      });
      const events = (detail.body.events as Array<{ kind: string; actor: string; details: unknown }>).filter(
        (e) => e.kind === 'warranty_overridden',
      );
      expect(events).toEqual([
        expect.objectContaining({
          actor: '客服 陈敏',
          details: {
            from: { status: 'out_of_warranty', itemCode: 'wet_room_waterproofing', expiresOn: '2024-01-10' },
            to: { status: 'in_warranty', itemCode: 'wet_room_waterproofing', expiresOn: '2024-01-10' },
            reason: '开发商书面承诺延保至2027年',
          },
        }),
        expect.objectContaining({
          details: expect.objectContaining({
            to: { status: 'out_of_warranty', itemCode: 'water_supply_drainage', expiresOn: '2021-01-10' },
          }),
        }),
      ]);
      await patch('00000000-0000-4000-8000-000000000000', { status: 'unknown', reason: '测试理由' }).expect(404);
      // Without a unit, the item is checked against the case's estate, or the defaults.
      const { c: unitless } = await call({ summary: '卫生间漏水，房号待查' });
      await patch(unitless.id, {
        status: 'in_warranty',
        reason: '业主出示交房文件',
        itemCode: 'roof_waterproofing',
      }).expect(200);
      const wrong = await patch(unitless.id, {
        status: 'in_warranty',
        reason: '业主出示交房文件',
        itemCode: 'elevator',
      });
      expect(wrong.body.error.details.fields).toEqual([{ field: 'itemCode', message: expect.any(String) }]);
      // A closed case's record is final.
      const closed = await factories.createCase(db.dataSource, { type: 'repair', status: 'closed' });
      const refused = await patch(closed.id, { status: 'in_warranty', reason: '补录' });
      expect(refused.status).toBe(409);
      expect(await db.dataSource.getRepository(CaseEntity).findOneByOrFail({ id: closed.id })).toMatchObject({
        warrantyStatus: null,
      });
    });
  });

  it('judges a complaint reclassified as a repair, as intake would have', async () => {
    const { c } = await call({
      unitId: await unit('2701', '2024-03-01'),
      summary: '卫生间漏水，投诉',
      type: 'complaint',
    });
    expect(standing(c)).toEqual([null, null, null]);
    await http().patch(`/api/v1/cases/${c.id}/classification`).set(as(rep)).send({ type: 'repair' }).expect(200);
    const after = await db.dataSource.getRepository(CaseEntity).findOneByOrFail({ id: c.id });
    expect(after.warrantyStatus).toBe('in_warranty');
    expect(after.warrantyItemCode).not.toBeNull();
    const event = await db.dataSource
      .getRepository(CaseEventEntity)
      .findOneByOrFail({ caseId: c.id, kind: 'reclassified' });
    expect(event.details).toMatchObject({ warranty: { status: 'in_warranty' } });
  });
});
