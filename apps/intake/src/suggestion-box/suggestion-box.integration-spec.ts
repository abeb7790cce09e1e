import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { AttachmentEntity, CaseEntity, IntakeRecordEntity } from '@kefu/shared';
import {
  createTestDatabase,
  factories,
  startTestApp,
  testConfig,
  tokenFor,
  type TestDatabase,
} from '@kefu/shared/testing';
import { intakeApp } from '../intake.app';
import { images } from '../web-form/testing/fixtures';

const DAY = 86_400_000;
const daysAgo = (n: number) => new Date(Date.now() - n * DAY).toISOString();

describe('suggestion boxes', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let rep: string;
  let operator: string;
  let manager: string;
  let vgm: string;
  let projectId: string;
  let unitId: string;
  let ownerId: string;
  let boxId: string;
  const http = () => request(app.getHttpServer());
  const auth = (t: string) => ({ Authorization: `Bearer ${t}` });

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(intakeApp, testConfig({ DATABASE_URL: db.url }));
    [rep, operator, manager, vgm] = await Promise.all([
      tokenFor(app, 'cs_rep', '客服 陈敏'),
      tokenFor(app, 'operator'),
      tokenFor(app, 'dept_manager'),
      tokenFor(app, 'vice_gm'),
    ]);
    projectId = (await factories.createProject(db.dataSource, { code: 'BHYT02', name: '碧海云天' })).id;
    const building = await factories.createBuilding(db.dataSource, { projectId, name: '3栋' });
    unitId = (await factories.createUnit(db.dataSource, { buildingId: building.id, entrance: '2', room: '1502' })).id;
    ownerId = (await factories.createOwner(db.dataSource, { name: '王先生', mobiles: ['13812345678'] })).id;
    await factories.linkOwner(db.dataSource, ownerId, unitId);
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  const newBox = async (location: string) =>
    (await http().post('/api/v1/suggestion-boxes').set(auth(manager)).send({ projectId, location }).expect(201)).body
      .id as string;
  /** A collection as the console sends it with photos: JSON in `collection`, one file part per slip photo. */
  const postCollection = (
    box: string,
    token: string,
    collection: Record<string, unknown>,
    photos: Array<[string, Buffer, string]> = [],
  ) => {
    let req = http()
      .post(`/api/v1/suggestion-boxes/${box}/collections`)
      .set(auth(token))
      .field('collection', JSON.stringify(collection));
    for (const [part, buf, name] of photos) req = req.attach(part, buf, name);
    return req;
  };

  it('sets up a box per estate location, once', async () => {
    const res = await http()
      .post('/api/v1/suggestion-boxes')
      .set(auth(manager))
      .send({ projectId, location: '3栋大堂' })
      .expect(201);
    expect(res.body).toMatchObject({
      projectId,
      projectCode: 'BHYT02',
      projectName: '碧海云天',
      location: '3栋大堂',
      active: true,
      lastCollection: null,
    });
    boxId = res.body.id;
    await http().post('/api/v1/suggestion-boxes').set(auth(rep)).send({ projectId, location: '3栋大堂' }).expect(409);
    const bad = await http()
      .post('/api/v1/suggestion-boxes')
      .set(auth(rep))
      .send({ projectId: 'x', location: '' })
      .expect(400);
    expect(bad.body.error.details.fields.map((f: { field: string }) => f.field).sort()).toEqual([
      'location',
      'projectId',
    ]);
  });

  it('turns each slip of a collection into a case, with the photo of the slip', async () => {
    const collectedAt = daysAgo(1);
    const res = await postCollection(
      boxId,
      rep,
      {
        collectedAt,
        note: '每周一收取',
        slips: [
          { content: '3栋2单元1502楼上漏水，请尽快处理', name: '王先生', phone: '138 1234 5678', photo: 'slip-0' },
          { content: '保安夜间经常不在岗', anonymous: true, photo: 'slip-1' },
          { content: '建议在南门增设快递柜', unitText: '5栋101' },
        ],
      },
      [
        ['slip-0', images.jpeg, '意见1.jpg'],
        ['slip-1', images.png, 'slip2.png'],
      ],
    ).expect(201);
    const col = res.body.collection;
    expect(res.body.created).toBe(true);
    expect(col).toMatchObject({
      boxId,
      slipCount: 3,
      note: '每周一收取',
      collectorName: '客服 陈敏',
      collectedAt: new Date(collectedAt).toISOString(),
    });
    expect(col.cases.map((c: { index: number }) => c.index)).toEqual([0, 1, 2]);

    const caseIds: string[] = col.cases.map((c: { caseId: string }) => c.caseId);
    const [first, anonymous, third] = await Promise.all(
      caseIds.map((id) => db.dataSource.getRepository(CaseEntity).findOneByOrFail({ id })),
    );
    const cases = [first!, anonymous!, third!];
    expect(cases.map((c) => c.channel)).toEqual(['suggestion_box', 'suggestion_box', 'suggestion_box']);
    expect(
      cases.every(
        (c) => c.projectId === projectId && c.receivedAt.toISOString() === new Date(collectedAt).toISOString(),
      ),
    ).toBe(true);
    expect(cases[0]).toMatchObject({
      ownerId,
      unitId,
      reporterName: '王先生',
      reporterContact: '138 1234 5678',
      reporterPhone: '13812345678',
      description: '3栋2单元1502楼上漏水，请尽快处理',
    });
    // Anonymous: no reporter at all.
    expect(cases[1]).toMatchObject({
      reporterName: null,
      reporterContact: null,
      reporterPhone: null,
      reporterEmail: null,
      ownerId: null,
    });
    expect(cases[2]).toMatchObject({ type: 'suggestion', reporterName: null });

    const photos = await db.dataSource
      .getRepository(AttachmentEntity)
      .find({ where: { role: 'slip_photo' }, select: ['caseId', 'filename', 'contentType', 'data', 'intakeRecordId'] });
    expect(photos.map((p) => [p.caseId, p.filename, p.contentType]).sort()).toEqual(
      [
        [first!.id, '意见1.jpg', 'image/jpeg'],
        [anonymous!.id, 'slip2.png', 'image/png'],
      ].sort(),
    );
    expect(photos.find((p) => p.caseId === first!.id)!.data.equals(images.jpeg)).toBe(true);
    const records = await db.dataSource.getRepository(IntakeRecordEntity).findBy({ source: 'suggestion_box' });
    expect(records.map((r) => r.externalId).sort()).toEqual([`${col.id}:0`, `${col.id}:1`, `${col.id}:2`]);
    expect(records.find((r) => r.externalId === `${col.id}:1`)!.raw).toMatchObject({
      boxId,
      location: '3栋大堂',
      slip: { anonymous: true, name: null, phone: null, photo: { part: 'slip-1', filename: 'slip2.png' } },
    });
  });

  it('records nothing twice when the same emptying is posted again, also at the same moment', async () => {
    const collectedAt = daysAgo(2);
    const body = {
      collectedAt,
      slips: [{ content: '垃圾桶清理不及时' }, { content: '儿童游乐设施损坏', anonymous: true }],
    };
    const [a, b] = await Promise.all([
      http().post(`/api/v1/suggestion-boxes/${boxId}/collections`).set(auth(rep)).send(body),
      http().post(`/api/v1/suggestion-boxes/${boxId}/collections`).set(auth(operator)).send(body),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 201]);
    expect(a.body.collection.id).toBe(b.body.collection.id);
    expect(a.body.collection.cases).toEqual(b.body.collection.cases);
    const again = await http()
      .post(`/api/v1/suggestion-boxes/${boxId}/collections`)
      .set(auth(rep))
      .send(body)
      .expect(200);
    expect(again.body).toMatchObject({ created: false, collection: { id: a.body.collection.id, slipCount: 2 } });
    expect(await db.dataSource.getRepository(CaseEntity).countBy({ description: '垃圾桶清理不及时' })).toBe(1);
    expect(
      await db.dataSource.query(
        `SELECT count(*)::int AS n FROM box_collections WHERE box_id = $1 AND collected_at = $2`,
        [boxId, collectedAt],
      ),
    ).toEqual([{ n: 1 }]);
  });

  it('records an empty box too, and keeps the history newest first', async () => {
    const res = await http()
      .post(`/api/v1/suggestion-boxes/${boxId}/collections`)
      .set(auth(operator))
      .send({ collectedAt: daysAgo(0.5), slips: [], note: '箱内无意见' })
      .expect(201);
    expect(res.body.collection).toMatchObject({ slipCount: 0, cases: [], note: '箱内无意见' });
    const history = await http().get(`/api/v1/suggestion-boxes/${boxId}/collections`).set(auth(vgm)).expect(200);
    expect(history.body.map((c: { slipCount: number }) => c.slipCount)).toEqual([0, 3, 2]);
    expect(history.body[1].cases).toHaveLength(3);
  });

  it('loses nothing half-way: a failure on one slip records none of the collection', async () => {
    const box = await newBox('南门岗亭');
    // Fault injection in this test's own database: the third case cannot be written.
    await db.dataSource.query(
      `CREATE FUNCTION fail_boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$`,
    );
    await db.dataSource.query(
      `CREATE TRIGGER boom BEFORE INSERT ON cases FOR EACH ROW WHEN (NEW.description = '第三张：触发故障') EXECUTE FUNCTION fail_boom()`,
    );
    const collectedAt = daysAgo(1);
    const body = {
      collectedAt,
      slips: [{ content: '第一张：路灯不亮' }, { content: '第二张：绿化带积水' }, { content: '第三张：触发故障' }],
    };
    try {
      await http().post(`/api/v1/suggestion-boxes/${box}/collections`).set(auth(rep)).send(body).expect(500);
    } finally {
      await db.dataSource.query(`DROP TRIGGER boom ON cases; DROP FUNCTION fail_boom()`);
    }
    expect(
      await db.dataSource.query(`SELECT count(*)::int AS n FROM box_collections WHERE box_id = $1`, [box]),
    ).toEqual([{ n: 0 }]);
    expect(await db.dataSource.getRepository(CaseEntity).countBy({ description: '第一张：路灯不亮' })).toBe(0);
    // Once the fault is gone, the same post records the whole collection.
    const ok = await http().post(`/api/v1/suggestion-boxes/${box}/collections`).set(auth(rep)).send(body).expect(201);
    expect(ok.body.collection.cases).toHaveLength(3);
  });

  it('refuses bad slips naming each field', async () => {
    const res = await postCollection(
      boxId,
      rep,
      {
        collectedAt: daysAgo(3),
        slips: [
          { content: '匿名但写了名字', anonymous: true, name: '张三' },
          { content: '', photo: 'missing' },
          { content: '照片不是图片', photo: 'p2' },
        ],
      },
      [
        ['p2', Buffer.from('%PDF-1.4'), 'x.pdf'],
        ['stray', images.jpeg, 'stray.jpg'],
      ],
    ).expect(400);
    const fields = res.body.error.details.fields.map((f: { field: string }) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['slips.0.anonymous', 'slips.1.content']));
    const photoProblems = await postCollection(
      boxId,
      rep,
      {
        collectedAt: daysAgo(3),
        slips: [
          { content: '第一张', photo: 'missing' },
          { content: '第二张', photo: 'p2' },
        ],
      },
      [
        ['p2', Buffer.from('%PDF-1.4'), 'x.pdf'],
        ['stray', images.jpeg, 'stray.jpg'],
      ],
    ).expect(400);
    expect(photoProblems.body.error.details.fields.map((f: { field: string }) => f.field).sort()).toEqual([
      'slips.0.photo',
      'slips.1.photo',
      'stray',
    ]);
    await http()
      .post(`/api/v1/suggestion-boxes/${boxId}/collections`)
      .set(auth(rep))
      .send({ collectedAt: new Date(Date.now() + 3 * DAY).toISOString(), slips: [] })
      .expect(400);
    const big = await postCollection(
      boxId,
      rep,
      { collectedAt: daysAgo(3), slips: [{ content: '照片太大', photo: 'p0' }] },
      [['p0', Buffer.concat([images.jpeg, Buffer.alloc(10 * 1024 * 1024)]), 'big.jpg']],
    ).expect(413);
    expect(big.body.error.message).toContain('10MB');
    expect(
      await db.dataSource.query(`SELECT count(*)::int AS n FROM box_collections WHERE collected_at = $1`, [daysAgo(3)]),
    ).toEqual([{ n: 0 }]);
  });

  it('lists the boxes not emptied in the last 7 days', async () => {
    const fresh = await newBox('1栋大堂'); // set up today, never emptied: not yet overdue
    const late = await newBox('2栋大堂');
    await http()
      .post(`/api/v1/suggestion-boxes/${late}/collections`)
      .set(auth(rep))
      .send({ collectedAt: daysAgo(8), slips: [] })
      .expect(201);
    const never = await newBox('会所门口');
    await db.dataSource.query(`UPDATE suggestion_boxes SET created_at = now() - interval '10 days' WHERE id = $1`, [
      never,
    ]);
    const retired = await newBox('旧售楼处');
    await db.dataSource.query(`UPDATE suggestion_boxes SET created_at = now() - interval '30 days' WHERE id = $1`, [
      retired,
    ]);
    await http().patch(`/api/v1/suggestion-boxes/${retired}`).set(auth(rep)).send({ active: false }).expect(200);

    const overdue = await http().get('/api/v1/suggestion-boxes?notEmptiedDays=7').set(auth(manager)).expect(200);
    expect(overdue.body.map((b: { location: string }) => b.location).sort()).toEqual(['2栋大堂', '会所门口'].sort());
    expect(overdue.body.find((b: { id: string }) => b.id === late)).toMatchObject({
      daysSinceEmptied: 8,
      lastCollection: { slipCount: 0 },
    });
    expect(overdue.body.find((b: { id: string }) => b.id === never)).toMatchObject({
      lastCollection: null,
      daysSinceEmptied: 10,
    });

    const all = await http().get(`/api/v1/suggestion-boxes?projectId=${projectId}`).set(auth(operator)).expect(200);
    expect(all.body.map((b: { id: string }) => b.id)).toEqual(
      expect.arrayContaining([boxId, fresh, late, never, retired]),
    );
    expect(all.body.find((b: { id: string }) => b.id === boxId).lastCollection).toMatchObject({
      slipCount: 0,
      collectedAt: expect.any(String),
    });
  });

  it('is for staff by role: reps and operators record, managers set up boxes, leaders read', async () => {
    await http().get('/api/v1/suggestion-boxes').expect(401);
    await http()
      .post('/api/v1/suggestion-boxes')
      .set(auth(operator))
      .send({ projectId, location: '地库入口' })
      .expect(403);
    await http()
      .post(`/api/v1/suggestion-boxes/${boxId}/collections`)
      .set(auth(vgm))
      .send({ collectedAt: daysAgo(4), slips: [] })
      .expect(403);
    await http()
      .post(`/api/v1/suggestion-boxes/${boxId}/collections`)
      .set(auth(manager))
      .send({ collectedAt: daysAgo(4), slips: [] })
      .expect(403);
    await http().get('/api/v1/suggestion-boxes?notEmptiedDays=7').set(auth(vgm)).expect(200);
    await http()
      .post(`/api/v1/suggestion-boxes/${boxId}/collections`)
      .set(auth(operator))
      .send({ collectedAt: daysAgo(4), slips: [] })
      .expect(201);
  });
});
