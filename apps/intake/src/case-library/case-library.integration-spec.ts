import type { INestApplication } from '@nestjs/common';
import ExcelJS from 'exceljs';
import request from 'supertest';
import {
  createTestDatabase,
  factories,
  startTestApp,
  testConfig,
  tokenFor,
  type TestDatabase,
} from '@kefu/shared/testing';
import { intakeApp } from '../intake.app';

describe('case library API (案例库)', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let rep: string;
  let operator: string;
  const http = () => request(app.getHttpServer());
  const as = (token: string) => ({ Authorization: `Bearer ${token}` });
  const event = (caseId: string, kind: string, details: Record<string, unknown>) =>
    db.dataSource.query(`INSERT INTO case_events (case_id, kind, actor_label, details) VALUES ($1, $2, '测试', $3)`, [
      caseId,
      kind,
      details,
    ]);
  const search = (q: string, extra: Record<string, string> = {}) =>
    http()
      .get('/api/v1/case-library/search')
      .query({ q, ...extra })
      .set(as(rep));
  const writeup = {
    title: '卫生间渗水反复维修',
    problem: '业主卫生间渗水到楼下，维修三次未果',
    cause: '防水层施工时被破坏',
    handling: '重做防水层并闭水试验48小时',
    lesson: '维修后必须做闭水试验再交付',
    tags: ['渗水', '防水'],
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(intakeApp, testConfig({ DATABASE_URL: db.url }));
    rep = await tokenFor(app, 'cs_rep');
    operator = await tokenFor(app, 'operator');
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('finds cases by the words of their description and of their timeline, as soon as they are written', async () => {
    const leak = await factories.createCase(db.dataSource, { description: '3号楼1201卫生间渗水，楼下天花板发霉' });
    const lift = await factories.createCase(db.dataSource, { description: '电梯经常停运，老人上下楼很不方便' });
    let res = await search('卫生间渗水').expect(200);
    expect(res.body.words).toEqual(['卫生间', '渗水']);
    expect(res.body.hits.map((h: { caseId: string }) => h.caseId)).toEqual([leak.id]);
    // A word only the timeline holds: found once the note is written (the trigger marks the case, search indexes it).
    expect((await search('闭水试验').expect(200)).body.total).toBe(0);
    await event(lift.id, 'note', { note: '维修后做了闭水试验' });
    res = await search('闭水试验').expect(200);
    expect(res.body.hits.map((h: { caseId: string }) => h.caseId)).toEqual([lift.id]);
    // Every word must occur; a word in neither case finds nothing.
    expect((await search('电梯 渗水').expect(200)).body.total).toBe(0);
    // A status change without text does not re-index (the trigger looks at the text keys only).
    await event(lift.id, 'accepted', {});
    const [row] = await db.dataSource.query(`SELECT version, indexed_version FROM case_search WHERE case_id = $1`, [
      lift.id,
    ]);
    expect(row.version).toBe(row.indexed_version);
  });

  it('marks a case typical with a write-up, searches it first, shares it with a department once, exports it', async () => {
    const c = await factories.createCase(db.dataSource, { description: '业主投诉房屋质量' });
    const url = `/api/v1/case-library/cases/${c.id}/writeup`;
    await http().put(url).set(as(operator)).send(writeup).expect(403);
    const bad = await http()
      .put(url)
      .set(as(rep))
      .send({ ...writeup, lesson: '' })
      .expect(400);
    expect(JSON.stringify(bad.body.error)).toContain('lesson');
    const created = await http().put(url).set(as(rep)).send(writeup).expect(201);
    const id = created.body.id as string;
    await http()
      .put(url)
      .set(as(rep))
      .send({ ...writeup, title: '卫生间渗水（修订）' })
      .expect(200);
    expect((await http().get(url).set(as(rep)).expect(200)).body.writeup.title).toBe('卫生间渗水（修订）');

    // Found by the write-up's words, write-ups first; typical=true leaves plain cases out.
    await factories.createCase(db.dataSource, { description: '防水层破损导致渗水' });
    const all = await search('防水层').expect(200);
    expect(all.body.total).toBe(2);
    expect(all.body.hits[0]).toMatchObject({ caseId: c.id, writeupId: id });
    const typical = await search('防水层', { typical: 'true' }).expect(200);
    expect(typical.body.hits.map((h: { caseId: string }) => h.caseId)).toEqual([c.id]);

    // Shared with 工程部: each active member of its staff is told once, however often it is shared.
    const dept = await factories.createDepartment(db.dataSource, { name: '工程部' });
    const a = await factories.createStaff(db.dataSource, { departmentId: dept.id, name: '王工' });
    await factories.createStaff(db.dataSource, { departmentId: dept.id, active: false });
    const share = () =>
      http()
        .post(`/api/v1/case-library/writeups/${id}/share`)
        .set(as(rep))
        .send({ departmentIds: [dept.id] });
    expect((await share().expect(200)).body).toEqual({ departments: 1, notified: 1 });
    expect((await share().expect(200)).body).toEqual({ departments: 1, notified: 0 });
    const sent = await db.dataSource.query(
      `SELECT staff_id, kind, channel, variables FROM notifications WHERE kind = 'case_writeup_shared'`,
    );
    expect(sent).toEqual([expect.objectContaining({ staff_id: a.id, channel: 'email' })]);
    expect(sent[0].variables).toMatchObject({ caseNumber: c.number, departmentName: '工程部', lesson: writeup.lesson });
    const unknown = '00000000-0000-4000-8000-000000000000';
    const no = await http()
      .post(`/api/v1/case-library/writeups/${id}/share`)
      .set(as(rep))
      .send({ departmentIds: [unknown] })
      .expect(400);
    expect(no.body.error.message).toContain(unknown);

    // Export: CSV with Chinese headers; XLSX read back (sheet, frozen header, row).
    const csv = await http().get('/api/v1/case-library/writeups?format=csv').set(as(rep)).expect(200);
    expect(csv.text).toContain('案例编号,标题');
    expect(csv.text).toContain(c.number);
    const xlsx = await http()
      .get('/api/v1/case-library/writeups?format=xlsx')
      .set(as(rep))
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .expect(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.body as Buffer);
    const ws = wb.getWorksheet('典型案例')!;
    expect(ws.getRow(1).getCell(1).value).toBe('案例编号');
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(ws.getRow(2).getCell(1).value).toBe(c.number);
    expect(ws.getRow(2).getCell(10).value).toBe('工程部');

    // No longer typical: gone from the library and from typical search.
    await http().delete(`/api/v1/case-library/writeups/${id}`).set(as(rep)).expect(204);
    expect((await search('防水层', { typical: 'true' }).expect(200)).body.total).toBe(0);
  });

  it('says what is wrong with a bad query', async () => {
    const res = await http().get('/api/v1/case-library/search').set(as(rep)).expect(400);
    expect(JSON.stringify(res.body.error)).toContain('q');
    await http().get('/api/v1/case-library/search?q=渗水').set(as(operator)).expect(403);
    await http()
      .put(`/api/v1/case-library/cases/00000000-0000-4000-8000-000000000000/writeup`)
      .set(as(rep))
      .send(writeup)
      .expect(404);
  });
});
