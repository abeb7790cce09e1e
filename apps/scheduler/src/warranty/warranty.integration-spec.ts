import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { JobRouter, notificationVariables } from '@kefu/shared';
import {
  createTestDatabase,
  factories,
  startTestApp,
  testConfig,
  tokenFor,
  useFakeClock,
  type TestDatabase,
} from '@kefu/shared/testing';
import type { FakeClock } from '@kefu/shared';
import { schedulerApp } from '../scheduler.app';
import { WARRANTY_SCAN_TASK, type WarrantyScanResult } from './warranty-scan.service';

interface NotificationRow {
  idempotency_key: string;
  owner_id: string;
  variables: Record<string, unknown>;
  late: boolean;
  status: string;
  channel: string | null;
  source_id: string;
}

describe('warranty-expiry notices', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let clock: FakeClock;
  let rep: string;
  let manager: string;
  let projectId: string;
  let buildingId: string;
  const http = () => request(app.getHttpServer());
  const auth = (t: string) => ({ Authorization: `Bearer ${t}` });
  const scan = () => app.get(JobRouter).runTask(WARRANTY_SCAN_TASK) as Promise<WarrantyScanResult>;
  const q = <T>(sql: string, params: unknown[] = []) => db.dataSource.query<T[]>(sql, params);
  const notificationsOf = (unitId: string) =>
    q<NotificationRow>(
      `SELECT n.idempotency_key, n.owner_id, n.variables, n.late, n.status, n.channel, n.source_id FROM notifications n JOIN warranty_notices wn ON wn.id = n.source_id WHERE wn.unit_id = $1 ORDER BY n.idempotency_key`,
      [unitId],
    );
  const noticesOf = (unitId: string) =>
    q<{ id: string; item_code: string; expires_on: string; due_on: string; status: string; late: boolean }>(
      `SELECT id, item_code, to_char(expires_on, 'YYYY-MM-DD') AS expires_on, to_char(due_on, 'YYYY-MM-DD') AS due_on, status, late FROM warranty_notices WHERE unit_id = $1 ORDER BY item_code, expires_on`,
      [unitId],
    );
  const unit = async (room: string, handoverDate: string | null, owners = 1) => {
    const u = await factories.createUnit(db.dataSource, { buildingId, entrance: '2', room, handoverDate });
    const ownerIds: string[] = [];
    for (let i = 0; i < owners; i++) {
      const o = await factories.createOwner(db.dataSource, { name: `业主${room}-${i}` });
      await factories.linkOwner(db.dataSource, o.id, u.id, {
        relation: i ? 'co_owner' : 'owner',
        isPrimaryContact: i === 0,
      });
      ownerIds.push(o.id);
    }
    return { id: u.id, ownerIds };
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    // A lead other than the seeds' 2 months, so the default of a new catalogue item shows where it comes from.
    app = await startTestApp(
      schedulerApp,
      testConfig({ DATABASE_URL: db.url, SLA_POLICY: '{"warrantyNoticeLead":{"amount":3,"unit":"months"}}' }),
    );
    clock = useFakeClock(app, '2026-06-10T08:30:00+08:00');
    [rep, manager] = await Promise.all([tokenFor(app, 'cs_rep'), tokenFor(app, 'dept_manager')]);
    projectId = (await factories.createProject(db.dataSource, { code: 'BHYT01', name: '碧海云天', city: '北京' })).id;
    buildingId = (await factories.createBuilding(db.dataSource, { projectId, name: '3栋' })).id;
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('registers the daily scan as a recurring task', () => {
    expect(app.get(JobRouter).taskNames()).toContain(WARRANTY_SCAN_TASK);
  });

  it('notifies every owner two months before each item ends, exactly once per unit, item and expiry date', async () => {
    // Handed over 2021-08-10: the 5-year items end 2026-08-10, so their notices are due today (2026-06-10).
    const a = await unit('1501', '2021-08-10', 2);
    const notDue = await unit('1502', '2021-08-11');
    const unsold = await unit('1503', '2021-08-10', 0);
    const first = await scan();
    expect(first).toMatchObject({ from: '2026-06-09', through: '2026-06-10', late: 0 });

    expect((await noticesOf(a.id)).map((n) => [n.item_code, n.expires_on, n.due_on, n.late])).toEqual([
      ['external_wall_waterproofing', '2026-08-10', '2026-06-10', false],
      ['roof_waterproofing', '2026-08-10', '2026-06-10', false],
      ['wet_room_waterproofing', '2026-08-10', '2026-06-10', false],
    ]);
    expect(await noticesOf(notDue.id)).toEqual([]);
    expect(await noticesOf(unsold.id)).toHaveLength(3); // posted in the estate even if nobody is told by message
    expect(await notificationsOf(unsold.id)).toEqual([]);

    const sent = await notificationsOf(a.id);
    expect(sent).toHaveLength(6); // 3 items × 2 co-owners
    const roofKey = `warranty:${a.id}:roof_waterproofing:2026-08-10:${a.ownerIds[0]}`;
    const roof = sent.find((n) => n.idempotency_key === roofKey)!;
    expect(roof).toMatchObject({
      channel: null,
      late: false,
      status: 'pending',
      variables: { estateName: '碧海云天', unitLabel: '3栋2单元1501', itemName: '屋面防水', expiresOn: '2026-08-10' },
    });
    expect(notificationVariables.warranty_expiry.safeParse(roof.variables).success).toBe(true);
    // Each sent by a job: one outbox row per thousand notifications (the notifier fans them out).
    const outbox = await q<{ n: number }>(
      `SELECT count(*)::int AS n FROM outbox o, jsonb_array_elements_text(o.payload->'notificationIds') AS nid
        WHERE o.job_name = 'notifications-requested'
          AND nid IN (SELECT id::text FROM notifications WHERE idempotency_key LIKE $1)`,
      [`warranty:${a.id}:%`],
    );
    expect(outbox[0]!.n).toBe(6);

    // Two instances at once, and again later the same day: nothing new.
    const again = await Promise.all([scan(), scan()]);
    expect(again.map((r) => r.notices)).toEqual([0, 0]);
    expect(await notificationsOf(a.id)).toHaveLength(6);
  });

  it("counts heating items in the city's seasons: the 2nd full season after handover", async () => {
    // Beijing heating 11-15 → 03-15. Handed over 2023-12-01 (mid-season): seasons 2024/25 and 2025/26 → ends 2026-03-15, notice 2026-01-15.
    const u = await unit('1601', '2023-12-01', 0);
    clock.set('2026-01-10T09:00:00+08:00');
    const preview = await http()
      .get('/api/v1/warranty/upcoming')
      .query({ projectId, days: 10 })
      .set(auth(rep))
      .expect(200);
    expect(preview.body.filter((p: { unitId: string }) => p.unitId === u.id)).toEqual([
      expect.objectContaining({
        itemCode: 'heating',
        itemName: '供热系统',
        dueOn: '2026-01-15',
        expiresOn: '2026-03-15',
      }),
    ]);
    // Shenzhen has no heating season: no heating notices there.
    const sz = await factories.createProject(db.dataSource, { code: 'SZ01', name: '深圳湾', city: '深圳' });
    await factories.createUnit(db.dataSource, { projectId: sz.id, handoverDate: '2023-12-01' });
    const szPreview = await http()
      .get('/api/v1/warranty/upcoming')
      .query({ projectId: sz.id, days: 10 })
      .set(auth(rep))
      .expect(200);
    expect(szPreview.body.map((p: { itemCode: string }) => p.itemCode)).not.toContain('heating');
    await q(`UPDATE scan_states SET scanned_through = '2026-01-14'`);
    clock.set('2026-01-15T09:00:00+08:00');
    await scan();
    expect((await noticesOf(u.id)).map((n) => [n.item_code, n.due_on, n.expires_on])).toEqual([
      ['heating', '2026-01-15', '2026-03-15'],
    ]);
    await q(`UPDATE scan_states SET scanned_through = '2026-06-10'`);
    clock.set('2026-06-10T09:00:00+08:00');
    const items = await http().get('/api/v1/warranty/catalogue').query({ projectId }).set(auth(rep)).expect(200);
    expect(items.body.find((i: { code: string }) => i.code === 'heating')).toMatchObject({
      basis: 'heating_seasons',
      amount: 2,
      monthsAhead: 2,
      estateSpecific: false,
    });
    const expiry = await q<{ d: string }>(
      `SELECT to_char(warranty_expiry('2023-12-01', 'heating_seasons', 2, '11-15', '03-15'), 'YYYY-MM-DD') AS d`,
    );
    expect(expiry[0]!.d).toBe('2026-03-15');
  });

  it('catches up after three days of downtime: each missed notice once, marked late', async () => {
    const u1 = await unit('1701', '2021-08-11'); // due 2026-06-11
    const u2 = await unit('1702', '2021-08-13'); // due 2026-06-13
    const u3 = await unit('1703', '2021-08-14'); // due 2026-06-14 = the day it comes back
    clock.set('2026-06-14T10:00:00+08:00');
    const r = await scan();
    expect(r.from).toBe('2026-06-10');
    expect((await noticesOf(u1.id)).every((n) => n.late && n.due_on === '2026-06-11')).toBe(true);
    expect((await noticesOf(u2.id)).every((n) => n.late)).toBe(true);
    expect((await noticesOf(u3.id)).every((n) => !n.late)).toBe(true);
    expect((await notificationsOf(u1.id)).every((n) => n.late)).toBe(true);
    expect(await noticesOf(u1.id)).toHaveLength(3);
    expect((await scan()).notices).toBe(0);
  });

  it('a scan that dies midway keeps whole chunks, not the state; its rerun writes the rest, each once', async () => {
    // 2026-01-15 in Beijing: a heating notice (a season band: a chunk of its own) and month-based ones fall due.
    const heated = await unit('1801', '2023-12-01'); // heating ends 2026-03-15 → due 2026-01-15
    const monthly = await unit('1802', '2021-03-15'); // 5-year items end 2026-03-15, 2 months ahead → due 2026-01-15
    await q(`UPDATE scan_states SET scanned_through = '2026-01-14'`);
    clock.set('2026-01-15T08:30:00+08:00');
    await db.dataSource.query(
      `CREATE FUNCTION die() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'killed mid-scan'; END $$`,
    );
    await db.dataSource.query(
      `CREATE TRIGGER die BEFORE INSERT ON warranty_notices FOR EACH ROW WHEN (NEW.item_code = 'heating') EXECUTE FUNCTION die()`,
    );
    await expect(scan()).rejects.toThrow(/killed mid-scan/);
    expect(await noticesOf(heated.id)).toEqual([]); // its chunk rolled back whole
    expect(await noticesOf(monthly.id)).toHaveLength(3); // the month chunk had committed, with its messages
    expect(await notificationsOf(monthly.id)).toHaveLength(3);
    const state = () => q<{ d: string }>(`SELECT to_char(scanned_through, 'YYYY-MM-DD') AS d FROM scan_states`);
    expect(await state()).toEqual([{ d: '2026-01-14' }]);

    await db.dataSource.query(`DROP TRIGGER die ON warranty_notices; DROP FUNCTION die()`);
    await scan();
    await scan();
    expect((await noticesOf(heated.id)).map((n) => n.item_code)).toEqual(['heating']);
    expect(await notificationsOf(heated.id)).toHaveLength(1);
    expect(await noticesOf(monthly.id)).toHaveLength(3);
    expect(await notificationsOf(monthly.id)).toHaveLength(3);
    const outboxed = await q<{ n: number }>(
      `SELECT count(*)::int AS n FROM outbox o, jsonb_array_elements_text(o.payload->'notificationIds') AS nid
        WHERE nid IN (SELECT n.id::text FROM notifications n JOIN warranty_notices wn ON wn.id = n.source_id
                       WHERE wn.unit_id IN ($1, $2))`,
      [heated.id, monthly.id],
    );
    expect(outboxed[0]!.n).toBe(4); // each message queued once
    expect(await state()).toEqual([{ d: '2026-01-15' }]);

    // And a scan killed at its very end (the state's update) has written every chunk, so its rerun adds nothing.
    const late = await unit('1803', '2021-07-15'); // 5-year items: due 2026-05-15
    await q(`UPDATE scan_states SET scanned_through = '2026-05-14'`);
    clock.set('2026-05-15T08:30:00+08:00');
    await db.dataSource.query(
      `CREATE FUNCTION die() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'killed mid-scan'; END $$`,
    );
    await db.dataSource.query(`CREATE TRIGGER die BEFORE UPDATE ON scan_states FOR EACH ROW EXECUTE FUNCTION die()`);
    await expect(scan()).rejects.toThrow(/killed mid-scan/);
    await db.dataSource.query(`DROP TRIGGER die ON scan_states; DROP FUNCTION die()`);
    expect(await notificationsOf(late.id)).toHaveLength(3);
    expect((await scan()).notifications).toBe(0);
    expect(await notificationsOf(late.id)).toHaveLength(3);
    await q(`UPDATE scan_states SET scanned_through = '2026-06-15'`);
    clock.set('2026-06-15T08:30:00+08:00');
  });

  it('a unit sold after its notice went out: the new owner is told too', async () => {
    const u = await unit('1901', '2021-08-16'); // due 2026-06-16
    clock.set('2026-06-16T08:30:00+08:00');
    await scan();
    expect(await notificationsOf(u.id)).toHaveLength(3);
    await db.dataSource.query(`UPDATE owner_units SET until = '2026-06-20' WHERE unit_id = $1`, [u.id]);
    const buyer = await factories.createOwner(db.dataSource, { name: '新业主' });
    await factories.linkOwner(db.dataSource, buyer.id, u.id, { since: '2026-06-20' });
    clock.set('2026-06-21T08:30:00+08:00');
    await scan();
    const sent = await notificationsOf(u.id);
    expect(sent).toHaveLength(6);
    expect(sent.filter((n) => n.owner_id === buyer.id).map((n) => n.idempotency_key)).toContain(
      `warranty:${u.id}:roof_waterproofing:2026-08-16:${buyer.id}`,
    );
  });

  it('a changed handover date recomputes: the old notice is superseded and its unsent messages cancelled', async () => {
    const u = await unit('2001', '2021-08-22'); // due 2026-06-22
    clock.set('2026-06-22T08:30:00+08:00');
    await scan();
    const before = await notificationsOf(u.id);
    expect(before).toHaveLength(3);
    await db.dataSource.query(`UPDATE notifications SET status = 'sent' WHERE idempotency_key = $1`, [
      `warranty:${u.id}:roof_waterproofing:2026-08-22:${u.ownerIds[0]}`,
    ]);
    // The handover was really 2021-08-20: expiry 2026-08-20, due 2026-06-20 — already past, so sent now, late.
    await db.dataSource.query(`UPDATE units SET handover_date = '2021-08-20' WHERE id = $1`, [u.id]);
    clock.set('2026-06-22T09:30:00+08:00');
    const r = await scan();
    expect(r).toMatchObject({ rechecked: 1, superseded: 3, notices: 3, late: 3 });
    const notices = await noticesOf(u.id);
    expect(notices.filter((n) => n.status === 'superseded').map((n) => n.expires_on)).toEqual([
      '2026-08-22',
      '2026-08-22',
      '2026-08-22',
    ]);
    expect(notices.filter((n) => n.status === 'notified').map((n) => [n.expires_on, n.late])).toEqual([
      ['2026-08-20', true],
      ['2026-08-20', true],
      ['2026-08-20', true],
    ]);
    const sent = await notificationsOf(u.id);
    expect(sent.filter((n) => n.status === 'cancelled')).toHaveLength(2);
    expect(sent.filter((n) => n.status === 'sent')).toHaveLength(1); // already out: kept as it was
    expect(sent.filter((n) => n.status === 'pending' && n.late)).toHaveLength(3);
    // A later handover date (not due yet) gives nothing now: the daily scan sends it when due.
    await db.dataSource.query(`UPDATE units SET handover_date = '2021-09-30' WHERE id = $1`, [u.id]);
    expect(await scan()).toMatchObject({ rechecked: 1, superseded: 3, notices: 0 });
    const preview = await http()
      .get('/api/v1/warranty/upcoming')
      .query({ projectId, days: 60 })
      .set(auth(rep))
      .expect(200);
    expect(
      preview.body
        .filter((p: { unitId: string }) => p.unitId === u.id)
        .map((p: { dueOn: string; itemCode: string }) => `${p.dueOn} ${p.itemCode}`),
    ).toEqual([
      '2026-07-30 external_wall_waterproofing',
      '2026-07-30 roof_waterproofing',
      '2026-07-30 wet_room_waterproofing',
    ]);
  });

  it('lets managers give an estate its own figures; the preview and the scan follow them', async () => {
    await http()
      .put(`/api/v1/warranty/catalogue/${projectId}/roof_waterproofing`)
      .set(auth(rep))
      .send({ amount: 96 })
      .expect(403);
    const bad = await http()
      .put(`/api/v1/warranty/catalogue/${projectId}/roof_waterproofing`)
      .set(auth(manager))
      .send({ amount: 0, basis: 'weeks', colour: 1 })
      .expect(400);
    expect(bad.body.error.details.fields.map((f: { field: string }) => f.field)).toEqual(
      expect.arrayContaining(['amount', 'basis']),
    );
    const put = await http()
      .put(`/api/v1/warranty/catalogue/${projectId}/roof_waterproofing`)
      .set(auth(manager))
      .send({ amount: 96, monthsAhead: 3, source: '碧海云天住宅质量保证书' })
      .expect(200);
    expect(put.body).toMatchObject({
      code: 'roof_waterproofing',
      name: '屋面防水',
      amount: 96,
      monthsAhead: 3,
      estateSpecific: true,
    });
    const u = await unit('2101', '2018-09-30'); // 8 years → 2026-09-30, 3 months ahead → due 2026-06-30
    const preview = await http()
      .get('/api/v1/warranty/upcoming')
      .query({ projectId, days: 10 })
      .set(auth(rep))
      .expect(200);
    expect(preview.body.filter((p: { unitId: string }) => p.unitId === u.id)).toEqual([
      expect.objectContaining({
        itemCode: 'roof_waterproofing',
        expiresOn: '2026-09-30',
        dueOn: '2026-06-30',
        handoverDate: '2018-09-30',
        unitLabel: '3栋2单元2101',
        owners: 1,
      }),
    ]);
    // Defaults elsewhere are untouched.
    const defaults = await http().get('/api/v1/warranty/catalogue').set(auth(rep)).expect(200);
    expect(defaults.body.find((i: { code: string }) => i.code === 'roof_waterproofing')).toMatchObject({
      amount: 60,
      estateSpecific: false,
    });
    expect(defaults.body).toHaveLength(12);
    await http().delete(`/api/v1/warranty/catalogue/${projectId}/roof_waterproofing`).set(auth(manager)).expect(204);
    await http()
      .put('/api/v1/warranty/seasons/长春')
      .set(auth(manager))
      .send({ heatingStart: '10-25', heatingEnd: '04-10', coolingStart: null, coolingEnd: '08-31' })
      .expect(400);
    await http()
      .put('/api/v1/warranty/seasons/长春')
      .set(auth(manager))
      .send({ heatingStart: '10-25', heatingEnd: '04-10', coolingStart: null, coolingEnd: null })
      .expect(200);
  });

  it("gives a new catalogue item SLA_POLICY.warrantyNoticeLead as its lead time; an override keeps the default's", async () => {
    const other = (await factories.createProject(db.dataSource, { code: 'LEAD01', name: '提前量小区' })).id;
    const created = await http()
      .put(`/api/v1/warranty/catalogue/${other}/elevator`)
      .set(auth(manager))
      .send({ name: '电梯', basis: 'months', amount: 36 })
      .expect(200);
    expect(created.body).toMatchObject({ code: 'elevator', monthsAhead: 3, estateSpecific: true });
    const longer = await http()
      .put(`/api/v1/warranty/catalogue/${other}/electrical`)
      .set(auth(manager))
      .send({ amount: 36 })
      .expect(200);
    expect(longer.body).toMatchObject({ code: 'electrical', amount: 36, monthsAhead: 2 }); // the seeded default's 2
  });

  it("lists an estate's notices for posting, as JSON and as CSV for Excel", async () => {
    const list = await http()
      .get('/api/v1/warranty/notices')
      .query({ projectId, from: '2026-06-01', to: '2026-06-30' })
      .set(auth(rep))
      .expect(200);
    const first = list.body.find((n: { unitLabel: string }) => n.unitLabel === '3栋2单元1501');
    expect(first).toMatchObject({
      itemName: expect.any(String),
      expiresOn: '2026-08-10',
      owners: 2,
      status: 'notified',
      late: false,
    });
    const csv = await http()
      .get('/api/v1/warranty/notices')
      .query({ projectId, from: '2026-06-01', to: '2026-06-30', format: 'csv' })
      .set(auth(rep))
      .expect(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.text.split('\r\n')[0]).toBe('\uFEFF房号,保修项目,交付日期,保修到期日,通知日期,业主数,状态,补发');
    expect(csv.text).toContain('3栋2单元1501,屋面防水,2021-08-10,2026-08-10,2026-06-10,2,已通知,');
    await http().get('/api/v1/warranty/notices').query({ projectId: 'nope' }).set(auth(rep)).expect(400);
    await http().get('/api/v1/warranty/notices').query({ projectId }).expect(401);
  });
});
