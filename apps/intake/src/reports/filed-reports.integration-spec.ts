import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { buildReportData, parsePeriod, type CaseCategory, type CaseStatus } from '@kefu/shared';
import {
  createTestDatabase,
  factories,
  pdfText,
  readXlsx,
  startTestApp,
  testConfig,
  tokenFor,
  useFakeClock,
  type TestDatabase,
} from '@kefu/shared/testing';
import { intakeApp } from '../intake.app';

describe('filed reports API (console downloads, generate now) and the dashboard agreeing with the reports', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let gm: string;
  const http = () => request(app.getHttpServer());
  const as = (token: string) => ({ Authorization: `Bearer ${token}` });
  /** A binary body as a Buffer (supertest leaves unknown types unparsed otherwise). */
  const binary = (res: request.Response, cb: (err: Error | null, body: Buffer) => void) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => cb(null, Buffer.concat(chunks)));
  };

  const seed = async (
    category: CaseCategory,
    status: CaseStatus,
    receivedAt: string,
    o: { promised?: string; reply?: string; visit?: boolean; projectId?: string } = {},
  ) => {
    const c = await factories.createCase(db.dataSource, {
      projectId: o.projectId ?? null,
      category,
      validity: 'valid',
      status,
      receivedAt: new Date(receivedAt),
      promisedReplyAt: o.promised ? new Date(o.promised) : null,
    });
    if (o.reply)
      await db.dataSource.query(
        `INSERT INTO case_events (case_id, kind, actor_id, actor_label, occurred_at, details) VALUES ($1, 'reply', NULL, '测试', $2, '{}')`,
        [c.id, o.reply],
      );
    if (o.visit !== undefined)
      await db.dataSource.query(
        `INSERT INTO return_visits (case_id, round, via, satisfied, rating) VALUES ($1, 1, 'phone', $2, $3)`,
        [c.id, o.visit, o.visit ? 5 : 2],
      );
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(intakeApp, testConfig({ DATABASE_URL: db.url }));
    useFakeClock(app, '2026-03-20T10:00:00+08:00');
    gm = await tokenFor(app, 'gm');
    const p = await factories.createProject(db.dataSource, { code: 'PA', name: '阳光花园' });
    await seed('engineering_quality', 'closed', '2026-03-02T02:00:00Z', {
      promised: '2026-03-04T02:00:00Z',
      reply: '2026-03-03T02:00:00Z',
      visit: true,
      projectId: p.id,
    });
    await seed('engineering_quality', 'resolved', '2026-03-05T02:00:00Z', {
      promised: '2026-03-06T02:00:00Z',
      reply: '2026-03-07T02:00:00Z',
      projectId: p.id,
    });
    await seed('sales', 'return_visited', '2026-03-10T02:00:00Z', { reply: '2026-03-11T02:00:00Z', visit: false });
    await seed('property_management', 'accepted', '2026-03-12T02:00:00Z', { promised: '2026-03-13T02:00:00Z' });
    await seed('sales', 'closed', '2026-02-12T02:00:00Z');
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it("the dashboard's month and the report's month give the same figures (one definition)", async () => {
    const dash = (await http().get('/api/v1/reports/monthly?month=2026-03').set(as(gm)).expect(200)).body;
    const report = await buildReportData(db.dataSource, parsePeriod('monthly', '2026-03'), {
      timeZone: 'Asia/Shanghai',
      asOf: new Date(),
    });
    const { overdue, escalated, ...same } = report.totals;
    expect(same).toEqual(dash.totals);
    expect(same).toMatchObject({ validComplaints: 4, closed: 1, replied: 2, repliedOnTime: 1, satisfied: 1 });
    expect([overdue, escalated]).toEqual([2, 0]);
    for (const row of dash.byCategory as Array<{ category: string; validComplaints: number; closureRate: number }>) {
      const mine = report.byCategory.find((r) => r.key === row.category)!;
      expect(mine).toMatchObject(
        row.category ? { validComplaints: row.validComplaints, closureRate: row.closureRate } : {},
      );
    }
    expect(report.byCategory.map((r) => r.key)).toEqual(dash.byCategory.map((r: { category: string }) => r.category));
  });

  it('generates this month so far on request (provisional), lists it and downloads XLSX and PDF', async () => {
    const made = await http().post('/api/v1/reports/filed').set(as(gm)).send({}).expect(200);
    expect(made.body).toMatchObject({
      kind: 'monthly',
      periodKey: '2026-03',
      title: '客服月报 2026年3月',
      final: false,
      trigger: 'staff',
      written: true,
      mailed: 0,
    });
    const list = await http().get('/api/v1/reports/filed').set(as(gm)).expect(200);
    expect(list.body.map((r: { id: string }) => r.id)).toEqual([made.body.id]);
    const xlsx = await http()
      .get(`/api/v1/reports/filed/${made.body.id}/xlsx`)
      .set(as(gm))
      .buffer(true)
      .parse(binary)
      .expect(200);
    expect(xlsx.headers['content-type']).toContain('spreadsheetml');
    expect(xlsx.headers['content-disposition']).toBe(
      `attachment; filename*=UTF-8''${encodeURIComponent('客服月报-2026-03.xlsx')}`,
    );
    const sheets = await readXlsx(xlsx.body as Buffer);
    expect(sheets[1]!.rows.at(-1)!.slice(0, 3)).toEqual(['合计', 4, 1]);
    const pdf = await http()
      .get(`/api/v1/reports/filed/${made.body.id}/pdf`)
      .set(as(gm))
      .buffer(true)
      .parse(binary)
      .expect(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdfText(pdf.body as Buffer).text).toContain('客服月报报告期：2026年3月');
    const figures = await http().get(`/api/v1/reports/filed/${made.body.id}`).set(as(gm)).expect(200);
    expect(figures.body.figures.totals.validComplaints).toBe(4);
    // Again: the provisional one is replaced, still one row.
    const again = await http().post('/api/v1/reports/filed').set(as(gm)).send({ kind: 'monthly' }).expect(200);
    expect(again.body).toMatchObject({ id: made.body.id, written: true });
  });

  it('refuses bad input with 400 naming the field, unknown reports with 404, and non-managers with 403', async () => {
    for (const body of [{ kind: 'daily' }, { period: '2026-13' }, { kind: 'weekly', period: '2025-W53' }]) {
      const res = await http().post('/api/v1/reports/filed').set(as(gm)).send(body).expect(400);
      expect(res.body.error.details.fields[0].field).toBe(Object.keys(body).at(-1));
    }
    const future = await http().post('/api/v1/reports/filed').set(as(gm)).send({ period: '2026-04' }).expect(400);
    expect(future.body.error.message).toContain('尚未开始');
    const [first] = (await http().get('/api/v1/reports/filed').set(as(gm)).expect(200)).body as Array<{ id: string }>;
    const id = first!.id;
    const bad = await http().get(`/api/v1/reports/filed/${id}/docx`).set(as(gm)).expect(400);
    expect(bad.body.error.details.fields[0].field).toBe('format');
    await http().get('/api/v1/reports/filed/00000000-0000-4000-8000-000000000000/pdf').set(as(gm)).expect(404);
    for (const role of ['operator', 'cs_rep'] as const)
      await http()
        .get('/api/v1/reports/filed')
        .set(as(await tokenFor(app, role)))
        .expect(403);
  });
});
