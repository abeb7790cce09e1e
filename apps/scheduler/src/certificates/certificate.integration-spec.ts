import type { INestApplication } from '@nestjs/common';
import iconv from 'iconv-lite';
import request from 'supertest';
import { JobRouter, notificationVariables, type FakeClock } from '@kefu/shared';
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
import { CERTIFICATE_REMINDERS_TASK } from './certificate.service';

interface Msg {
  idempotency_key: string;
  channel: string;
  stage: string;
  late: boolean;
  source_type: string;
  source_id: string;
  variables: Record<string, unknown>;
}

describe('property-certificate collection notices', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let clock: FakeClock;
  let finance: string;
  let rep: string;
  let projectId: string;
  const units: Record<string, string> = {};
  const owners: Record<string, string> = {};
  const http = () => request(app.getHttpServer());
  const auth = (t: string) => ({ Authorization: `Bearer ${t}` });
  const messages = (batchId: string) =>
    db.dataSource.query<Msg[]>(
      `SELECT n.idempotency_key, n.channel, n.variables->>'stage' AS stage, n.late, n.source_type, n.source_id, n.variables
     FROM notifications n JOIN certificate_notices cn ON cn.id = n.source_id WHERE cn.batch_id = $1 ORDER BY n.idempotency_key`,
      [batchId],
    );
  const batchCount = async () =>
    (await db.dataSource.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM certificate_batches`))[0]!.n;
  const reminders = () => app.get(JobRouter).runTask(CERTIFICATE_REMINDERS_TASK) as Promise<{ reminders: number }>;
  const body = {
    place: '售楼处二楼财务室',
    hours: '工作日 9:00-17:00',
    documents: ['身份证原件', '购房合同'],
    fromDate: '2026-10-12',
    deadline: '2026-12-31',
    reference: '2026-BZ-03',
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(schedulerApp, testConfig({ DATABASE_URL: db.url }));
    clock = useFakeClock(app, '2026-10-09T10:00:00+08:00');
    [finance, rep] = await Promise.all([
      tokenFor(app, 'dept_manager', '财务 刘会计'),
      tokenFor(app, 'cs_rep', '客服 陈敏'),
    ]);
    projectId = (await factories.createProject(db.dataSource, { code: 'BHYT01', name: '碧海云天' })).id;
    const building = await factories.createBuilding(db.dataSource, { projectId, name: '3栋' });
    for (const room of ['1501', '1502', '1503', '1504']) {
      units[room] = (await factories.createUnit(db.dataSource, { buildingId: building.id, entrance: '2', room })).id;
    }
    // 1501: two co-owners, one without email; 1502: one owner with no postal address; 1503 unsold; 1504 one owner.
    owners.a = (await factories.createOwner(db.dataSource, { name: '王先生' })).id;
    owners.b = (await factories.createOwner(db.dataSource, { name: '王太太', email: null })).id;
    owners.c = (await factories.createOwner(db.dataSource, { name: '李女士', postalAddress: null, postcode: null })).id;
    owners.d = (await factories.createOwner(db.dataSource, { name: '赵先生' })).id;
    await factories.linkOwner(db.dataSource, owners.a, units['1501']!);
    await factories.linkOwner(db.dataSource, owners.b, units['1501']!, {
      relation: 'co_owner',
      isPrimaryContact: false,
    });
    await factories.linkOwner(db.dataSource, owners.c, units['1502']!);
    await factories.linkOwner(db.dataSource, owners.d, units['1504']!);
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  let batchId: string;

  it('creates a batch: every owner gets an SMS and an EMS letter, and an email where known', async () => {
    await http()
      .post('/api/v1/certificate-batches')
      .set(auth(rep))
      .send({ ...body, projectId, unitIds: [units['1501']] })
      .expect(403);
    const bad = await http()
      .post('/api/v1/certificate-batches')
      .set(auth(finance))
      .send({ ...body, projectId, unitIds: [], documents: [], deadline: '2026-10-01' })
      .expect(400);
    expect(bad.body.error.details.fields.map((f: { field: string }) => f.field).sort()).toEqual([
      'deadline',
      'documents',
      'unitIds',
    ]);
    const res = await http()
      .post('/api/v1/certificate-batches')
      .set(auth(finance))
      .send({ ...body, projectId, unitIds: [units['1501'], units['1502'], units['1503']] })
      .expect(201);
    batchId = res.body.id;
    expect(res.body).toMatchObject({
      estateName: '碧海云天',
      reference: '2026-BZ-03',
      progress: { units: 3, owners: 3, notified: 3, delivered: 0, collected: 0, outstanding: 3 },
    });
    expect(res.body.unreachable).toEqual([{ unitId: units['1502'], ownerId: owners.c, missing: ['letter'] }]);
    const sent = await messages(batchId);
    expect(sent.map((m) => `${m.channel}:${m.stage}`).sort()).toEqual([
      'email:notice',
      'email:notice',
      'letter:notice',
      'letter:notice',
      'sms:notice',
      'sms:notice',
      'sms:notice',
    ]);
    const sms = sent.find((m) =>
      m.idempotency_key.startsWith(`cert:${batchId}:${units['1501']}:${owners.a}:notice:sms`),
    )!;
    expect(sms).toMatchObject({ source_type: 'certificate_notice', late: false });
    expect(sms.variables).toMatchObject({
      estateName: '碧海云天',
      unitLabel: '3栋2单元1501',
      place: '售楼处二楼财务室',
      documents: ['身份证原件', '购房合同'],
      fromDate: '2026-10-12',
      deadline: '2026-12-31',
      stage: 'notice',
    });
    expect(notificationVariables.certificate_collection.safeParse(sms.variables).success).toBe(true);
    const unknown = await http()
      .post('/api/v1/certificate-batches')
      .set(auth(finance))
      .send({ ...body, projectId, unitIds: [units['1504'], '00000000-0000-4000-8000-000000000001'] })
      .expect(400);
    expect(unknown.body.error.details.fields).toEqual([
      { field: 'unitIds.1', message: expect.stringContaining('not a unit') },
    ]);
  });

  it('records collections with the ID number masked, once per unit', async () => {
    clock.set('2026-10-15T10:00:00+08:00');
    const sign = {
      unitId: units['1501'],
      collectedBy: '王太太',
      relation: 'spouse',
      idType: 'resident_id',
      idNumber: '11010519491231002X',
      collectedOn: '2026-10-15',
    };
    const bad = await http()
      .post(`/api/v1/certificate-batches/${batchId}/collections`)
      .set(auth(rep))
      .send({ ...sign, idNumber: '110105194912310021', relation: 'cousin' })
      .expect(400);
    expect(bad.body.error.details.fields.map((f: { field: string }) => f.field)).toEqual(['relation']);
    const badId = await http()
      .post(`/api/v1/certificate-batches/${batchId}/collections`)
      .set(auth(rep))
      .send({ ...sign, idNumber: '110105194912310021' })
      .expect(400);
    expect(badId.body.error.details.fields[0].field).toBe('idNumber');
    const res = await http()
      .post(`/api/v1/certificate-batches/${batchId}/collections`)
      .set(auth(rep))
      .send(sign)
      .expect(201);
    expect(res.body).toMatchObject({
      unitId: units['1501'],
      collectedBy: '王太太',
      relation: 'spouse',
      idNumberMasked: '1101**********002X',
      collectedOn: '2026-10-15',
    });
    expect(JSON.stringify(res.body)).not.toContain('11010519491231002X');
    const stored = await db.dataSource.query<Array<{ row: string }>>(
      `SELECT row_to_json(c)::text AS row FROM certificate_collections c`,
    );
    expect(stored.map((s) => s.row).join()).not.toContain('19491231');
    await http().post(`/api/v1/certificate-batches/${batchId}/collections`).set(auth(rep)).send(sign).expect(409);
    await http()
      .post(`/api/v1/certificate-batches/${batchId}/collections`)
      .set(auth(rep))
      .send({ ...sign, unitId: units['1504'] })
      .expect(400);
    const list = await http().get(`/api/v1/certificate-batches/${batchId}/collections`).set(auth(rep)).expect(200);
    expect(list.body).toEqual([
      expect.objectContaining({
        unitLabel: '3栋2单元1501',
        recordedBy: '客服 陈敏',
        idNumberMasked: '1101**********002X',
      }),
    ]);
  });

  it('reminds owners who have not collected after 30 days and a last time before the deadline; collected units get nothing more', async () => {
    clock.set('2026-11-10T10:00:00+08:00'); // from 10-12 + 30 = 11-11: not yet
    expect((await reminders()).reminders).toBe(0);
    clock.set('2026-11-11T10:00:00+08:00');
    expect((await reminders()).reminders).toBe(2); // 1502's owner by SMS and email; 1501 collected, 1503 unsold
    expect((await Promise.all([reminders(), reminders()])).map((r) => r.reminders)).toEqual([0, 0]);
    let sent = (await messages(batchId)).filter((m) => m.stage !== 'notice');
    expect(sent.map((m) => m.idempotency_key)).toEqual([
      `cert:${batchId}:${units['1502']}:${owners.c}:reminder:email`,
      `cert:${batchId}:${units['1502']}:${owners.c}:reminder:sms`,
    ]);
    expect(sent[0]!.late).toBe(false);
    // Down from 12-20 to 12-26: the last reminder (due 12-24) goes once on return, marked late.
    clock.set('2026-12-26T10:00:00+08:00');
    expect((await reminders()).reminders).toBe(2);
    expect((await reminders()).reminders).toBe(0);
    sent = (await messages(batchId)).filter((m) => m.stage === 'final_reminder');
    expect(sent).toEqual([
      expect.objectContaining({ channel: 'email', late: true }),
      expect.objectContaining({ channel: 'sms', late: true }),
    ]);
    clock.set('2027-01-01T10:00:00+08:00'); // past the deadline: nothing
    expect((await reminders()).reminders).toBe(0);
  });

  it('shows progress: notified, delivered, letters signed for, collected, outstanding', async () => {
    // The notifier and EMS tracking move statuses; here set directly.
    await db.dataSource.query(`UPDATE notifications SET status = 'signed_for' WHERE idempotency_key = $1`, [
      `cert:${batchId}:${units['1501']}:${owners.a}:notice:letter`,
    ]);
    await db.dataSource.query(`UPDATE notifications SET status = 'delivered' WHERE idempotency_key = $1`, [
      `cert:${batchId}:${units['1502']}:${owners.c}:notice:sms`,
    ]);
    const res = await http().get(`/api/v1/certificate-batches/${batchId}`).set(auth(rep)).expect(200);
    expect(res.body.progress).toMatchObject({
      units: 3,
      owners: 3,
      notified: 3,
      delivered: 2,
      lettersSignedFor: 1,
      collected: 1,
      outstanding: 2,
    });
    expect(res.body.progress.messages).toEqual(
      expect.arrayContaining([
        { stage: 'notice', channel: 'letter', status: 'signed_for', count: 1 },
        { stage: 'final_reminder', channel: 'sms', status: 'pending', count: 1 },
      ]),
    );
    const list = await http().get('/api/v1/certificate-batches').query({ projectId }).set(auth(rep)).expect(200);
    expect(list.body.map((b: { id: string }) => b.id)).toContain(batchId);
    await http().get('/api/v1/certificate-batches/00000000-0000-4000-8000-000000000001').set(auth(rep)).expect(404);
    const perUnit = await http().get(`/api/v1/certificate-batches/${batchId}/units`).set(auth(rep)).expect(200);
    expect(perUnit.body).toEqual([
      {
        unitId: units['1501'],
        unitLabel: '3栋2单元1501',
        owners: 2,
        notified: 2,
        delivered: 1,
        lettersSignedFor: 1,
        collection: {
          collectedBy: '王太太',
          relation: 'spouse',
          idNumberMasked: '1101**********002X',
          collectedOn: '2026-10-15',
        },
      },
      {
        unitId: units['1502'],
        unitLabel: '3栋2单元1502',
        owners: 1,
        notified: 1,
        delivered: 1,
        lettersSignedFor: 0,
        collection: null,
      },
      {
        unitId: units['1503'],
        unitLabel: '3栋2单元1503',
        owners: 0,
        notified: 0,
        delivered: 0,
        lettersSignedFor: 0,
        collection: null,
      },
    ]);
    await http()
      .get('/api/v1/certificate-batches/00000000-0000-4000-8000-000000000001/units')
      .set(auth(rep))
      .expect(404);
    await http().get('/api/v1/certificate-batches/not-a-uuid/units').set(auth(rep)).expect(400);
  });

  describe('CSV import', () => {
    const header = '楼盘编码,楼栋,单元,房号,领取地点,办理时间,所需资料,开始日期,截止日期';
    const row = (room: string, extra = '') =>
      `BHYT01,3栋,2,${room},售楼处二楼财务室,工作日 9:00-17:00,身份证原件;购房合同,2027-01-10,2027-03-31${extra}`;
    const upload = (data: Buffer | string, token = finance) =>
      http()
        .post('/api/v1/certificate-batches/imports')
        .set(auth(token))
        .set('Content-Type', 'text/csv')
        .send(Buffer.isBuffer(data) ? data : Buffer.from(data));

    it('imports a GBK file saved by Excel', async () => {
      clock.set('2027-01-05T10:00:00+08:00');
      const res = await upload(iconv.encode(`${header}\r\n${row('1504')}\r\n${row('1502')}\r\n`, 'gbk')).expect(201);
      expect(res.body.encoding).toBe('gb18030');
      expect(res.body.batches).toHaveLength(1);
      expect(res.body.batches[0]).toMatchObject({
        place: '售楼处二楼财务室',
        documents: ['身份证原件', '购房合同'],
        progress: { units: 2, owners: 2, notified: 2 },
      });
      const sent = await messages(res.body.batches[0].id);
      expect(sent.find((m) => m.variables.unitLabel === '3栋2单元1504')!.variables).toMatchObject({
        estateName: '碧海云天',
        hours: '工作日 9:00-17:00',
      });
    });

    it('reports every bad row and imports nothing', async () => {
      const before = await batchCount();
      const missing = await upload(`楼盘编码,楼栋,房号,领取地点\r\nBHYT01,3栋,1501,x\r\n`).expect(400);
      expect(
        missing.body.error.details.rows.map((r: { line: number; field: string }) => `${r.line}:${r.field}`),
      ).toEqual(['1:hours', '1:documents', '1:fromDate', '1:deadline']);
      const csv = [
        header,
        row('1501'),
        row('9999'),
        row('1501'),
        'BHYT01,3栋,2,1503,售楼处,,身份证,2027-02-30,2027-01-01',
        row('1504'),
      ].join('\r\n');
      const res = await upload(csv).expect(400);
      expect(res.body.error.message).toMatch(/nothing was imported/);
      const rows = res.body.error.details.rows as Array<{ line: number; field?: string; message: string }>;
      expect(rows.map((r) => r.line)).toEqual([3, 4, 5, 5]);
      expect(rows[0]!.message).toMatch(/no unit 3栋 2单元 9999/);
      expect(rows[1]!.message).toMatch(/duplicates line 2/);
      expect(
        rows
          .slice(2)
          .map((r) => r.field)
          .sort(),
      ).toEqual(['fromDate', 'hours']);
      expect(await batchCount()).toBe(before);
      await upload(`${header}\r\n${row('1501')}`, rep).expect(403);
      await http().post('/api/v1/certificate-batches/imports').set(auth(finance)).send({ rows: [] }).expect(400);
    });
  });
});
