import type { INestApplication } from '@nestjs/common';
import { simpleParser } from 'mailparser';
import type { CaseCategory, CaseChannel, CaseStatus, CaseType, CaseValidity, FakeClock } from '@kefu/shared';
import { buildReportData, generateReport, JobRouter, parsePeriod } from '@kefu/shared';
import {
  createTestDatabase,
  factories,
  pdfText,
  readXlsx,
  startTestApp,
  testConfig,
  useFakeClock,
  type TestDatabase,
} from '@kefu/shared/testing';
// The notifier's SMTP sink (test support): the same server the notifier's email tests send to.
import { SmtpSink } from '../../../notifier/src/testing/smtp-sink';
import { RETENTION_PURGE_TASK } from '../retention/retention-purge.service';
import { schedulerApp } from '../scheduler.app';
import { REPORT_RUN_TASK, type ReportRunResult } from './report-schedule.service';

interface Seed {
  project: { id: string } | null;
  department: { id: string } | null;
  category: CaseCategory;
  channel: CaseChannel;
  type?: CaseType;
  validity?: CaseValidity;
  status: CaseStatus;
  /** UTC instant */
  receivedAt: string;
  promised?: string;
  escalation?: number;
  replies?: string[];
  /** return_visits rows, round 1, 2…: satisfied and the 1–5 rating. */
  visits?: Array<[satisfied: boolean, rating: number]>;
}

describe('filed reports: figures, documents, schedule, mail, retention', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let clock: FakeClock;
  let sink: SmtpSink;
  let config: ReturnType<typeof testConfig>;
  const q = <T>(sql: string, params: unknown[] = []) => db.dataSource.query<T[]>(sql, params);
  const run = () => app.get(JobRouter).runTask(REPORT_RUN_TASK) as Promise<ReportRunResult>;
  const seed = async (s: Seed) => {
    const c = await factories.createCase(db.dataSource, {
      projectId: s.project?.id ?? null,
      departmentId: s.department?.id ?? null,
      category: s.category,
      channel: s.channel,
      type: s.type ?? 'complaint',
      validity: s.validity ?? 'valid',
      status: s.status,
      receivedAt: new Date(s.receivedAt),
      promisedReplyAt: s.promised ? new Date(s.promised) : null,
      escalationLevel: s.escalation ?? 0,
      closedAt: s.status === 'closed' ? new Date(s.receivedAt) : null,
    });
    for (const at of s.replies ?? [])
      await q(
        `INSERT INTO case_events (case_id, kind, actor_id, actor_label, occurred_at, details) VALUES ($1, 'reply', NULL, '测试', $2, '{}')`,
        [c.id, at],
      );
    for (const [i, [satisfied, rating]] of (s.visits ?? []).entries())
      await q(`INSERT INTO return_visits (case_id, round, via, satisfied, rating) VALUES ($1, $2, 'phone', $3, $4)`, [
        c.id,
        i + 1,
        satisfied,
        rating,
      ]);
    return c;
  };

  beforeAll(async () => {
    sink = await new SmtpSink().start();
    db = await createTestDatabase();
    config = testConfig({
      DATABASE_URL: db.url,
      SMTP_URL: sink.url,
      REPORT_DISTRIBUTION: 'GM@kefu.example, cfo@kefu.example',
    });
    app = await startTestApp(schedulerApp, config);
    clock = useFakeClock(app, '2026-10-07T10:00:00+08:00');
    const A = await factories.createProject(db.dataSource, { code: 'PA', name: '阳光花园' });
    const B = await factories.createProject(db.dataSource, { code: 'PB', name: '翠湖苑' });
    const eng = await factories.createDepartment(db.dataSource, { code: 'ENG', name: '工程部' });
    const pm = await factories.createDepartment(db.dataSource, { code: 'PM', name: '物业公司' });
    // October 2026, Asia/Shanghai: [2026-09-30T16:00Z, 2026-10-31T16:00Z); 1–7 October is the National Day holiday.
    // 1: 00:30 on 1 October Beijing time (still 30 September UTC); replied on time; closed; satisfied.
    await seed({
      ...{ project: A, department: eng, category: 'engineering_quality', channel: 'hotline', status: 'closed' },
      receivedAt: '2026-09-30T16:30:00Z',
      promised: '2026-10-08T02:00:00Z',
      replies: ['2026-10-08T01:00:00Z'],
      visits: [[true, 5]],
    });
    // 2: a repair in the holiday, replied a day late (overdue), escalated once; return-visited, not satisfied.
    await seed({
      ...{ project: A, department: eng, category: 'engineering_quality', channel: 'email', type: 'repair' },
      status: 'return_visited',
      receivedAt: '2026-10-03T02:00:00Z',
      promised: '2026-10-08T10:00:00Z',
      replies: ['2026-10-09T02:00:00Z', '2026-10-10T02:00:00Z'],
      escalation: 1,
      visits: [[false, 2]],
    });
    // 3: never answered, promise passed (overdue), escalated twice.
    await seed({
      ...{ project: B, department: pm, category: 'property_management', channel: 'web', status: 'assigned' },
      receivedAt: '2026-10-15T02:00:00Z',
      promised: '2026-10-20T02:00:00Z',
      escalation: 2,
    });
    // 4: a claim at 23:30 on 31 October Beijing time: October; its promise is still ahead at filing.
    await seed({
      ...{ project: B, department: pm, category: 'property_management', channel: 'hotline', type: 'claim' },
      status: 'accepted',
      receivedAt: '2026-10-31T15:30:00Z',
      promised: '2026-11-05T02:00:00Z',
    });
    // 5: no department yet; answered on time, resolved, no return visit yet.
    await seed({
      ...{ project: A, department: null, category: 'sales', channel: 'suggestion_box', status: 'resolved' },
      receivedAt: '2026-10-20T02:00:00Z',
      promised: '2026-10-22T02:00:00Z',
      replies: ['2026-10-21T02:00:00Z'],
    });
    // Not October's valid complaints: 23:50 on 30 September (September), 00:05 on 1 November, an invalid one, an enquiry.
    const other = { project: A, department: eng, category: 'engineering_quality', channel: 'hotline' } as const;
    await seed({ ...other, status: 'closed', receivedAt: '2026-09-30T15:50:00Z' });
    await seed({ ...other, status: 'accepted', receivedAt: '2026-10-31T16:05:00Z' });
    await seed({ ...other, status: 'rejected', validity: 'invalid', receivedAt: '2026-10-10T02:00:00Z' });
    await seed({ ...other, status: 'closed', type: 'enquiry', receivedAt: '2026-10-11T02:00:00Z' });
    // October 2025 (the same period last year): one closed, one still open.
    await seed({ ...other, status: 'closed', receivedAt: '2025-10-10T02:00:00Z' });
    await seed({ ...other, status: 'accepted', receivedAt: '2025-10-12T02:00:00Z' });
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
    await sink?.stop();
  });

  const zero = { closed: 0, replied: 0, repliedOnTime: 0, finished: 0, returnVisited: 0, visitAnswered: 0 };

  it("computes October 2026's figures (a month crossing National Day) as counted by hand", async () => {
    const data = await buildReportData(db.dataSource, parsePeriod('monthly', '2026-10'), {
      timeZone: 'Asia/Shanghai',
      asOf: new Date('2026-11-02T07:05:00+08:00'),
    });
    expect(data.totals).toEqual({
      validComplaints: 5,
      closed: 1,
      closureRate: 0.2,
      replied: 3,
      repliedOnTime: 2,
      onTimeReplyRate: 2 / 3,
      finished: 3,
      returnVisited: 2,
      returnVisitRate: 2 / 3,
      visitAnswered: 2,
      satisfied: 1,
      satisfactionRate: 0.5,
      overdue: 2,
      escalated: 2,
    });
    expect(data.previous).toMatchObject({ key: '2026-09', totals: { validComplaints: 1, closed: 1, closureRate: 1 } });
    expect(data.lastYear).toMatchObject({
      key: '2025-10',
      totals: { validComplaints: 2, closed: 1, closureRate: 0.5 },
    });
    const pick = (rows: typeof data.byCategory) =>
      rows.map((r) => [r.label, r.validComplaints, r.overdue, r.escalated]);
    expect(pick(data.byCategory)).toEqual([
      ['工程质量', 2, 1, 1],
      ['物业管理', 2, 1, 1],
      ['销售管理', 1, 0, 0],
    ]);
    expect(data.byCategory[0]).toMatchObject({
      closed: 1,
      replied: 2,
      repliedOnTime: 1,
      returnVisited: 2,
      satisfied: 1,
    });
    expect(data.byCategory[1]).toMatchObject({ ...zero, closureRate: 0, onTimeReplyRate: null });
    expect(pick(data.byEstate)).toEqual([
      ['阳光花园（PA）', 3, 1, 1],
      ['翠湖苑（PB）', 2, 1, 1],
    ]);
    expect(data.byChannel.map((r) => [r.key, r.validComplaints])).toEqual([
      ['hotline', 2],
      ['suggestion_box', 1], // ties in code-point order of their labels: 意见箱, 网上表单, 邮件
      ['web', 1],
      ['email', 1],
    ]);
    expect(data.byType.map((r) => [r.label, r.validComplaints])).toEqual([
      ['投诉', 3],
      ['报修', 1],
      ['索赔', 1],
    ]);
    // The department evaluation: cases owned, on-time replies, escalations, satisfaction.
    expect(
      data.byDepartment.map((r) => [r.label, r.validComplaints, r.onTimeReplyRate, r.escalated, r.satisfactionRate]),
    ).toEqual([
      ['工程部', 2, 0.5, 1, 0.5],
      ['物业公司', 2, null, 1, null],
      ['未分派部门', 1, 1, 0, null],
    ]);
  });

  it('waits for the first working day after National Day, then files September, Q3 and week 40', async () => {
    clock.set('2026-10-07T10:00:00+08:00');
    const holiday = await run();
    // Only the last finished periods whose filing day has come: 2025 (filed 4 January); not week 40 (28 September –
    // 4 October), September or Q3 (all filed on 8 October).
    expect(holiday.generated).toEqual(['yearly:2025']);
    clock.set('2026-10-08T07:05:00+08:00');
    const after = await run();
    expect(after.generated.sort()).toEqual(['monthly:2026-09', 'quarterly:2026-Q3', 'weekly:2026-W40']);
    expect(after.mailed).toBe(6); // 3 reports × 2 addresses
  });

  it("files October's 客服月报 on Monday 2 November and mails it, XLSX and PDF attached, once per address", async () => {
    clock.set('2026-11-02T07:05:00+08:00');
    const before = sink.mails.length;
    const first = await run();
    expect(first.generated.sort()).toEqual(['monthly:2026-10', 'weekly:2026-W44']);
    expect(first).toMatchObject({ mailed: 4, failed: 0 });
    const again = await run();
    expect(again).toEqual({ generated: [], mailed: 0, failed: 0 });
    expect(sink.mails.length).toBe(before + 4);
    const mails = await Promise.all(sink.mails.slice(before).map((m) => simpleParser(m.raw)));
    const monthly = mails.filter((m) => m.subject === '【客服月报 2026年10月】');
    expect(monthly.flatMap((m) => sink.mails[before + mails.indexOf(m)]!.rcptTo).sort()).toEqual([
      'cfo@kefu.example',
      'gm@kefu.example',
    ]);
    expect(monthly[0]!.attachments.map((a) => [a.filename, a.contentType])).toEqual([
      ['客服月报-2026-10.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
      ['客服月报-2026-10.pdf', 'application/pdf'],
    ]);
    const [row] = await q<{ xlsx: Buffer; final: boolean; trigger: string }>(
      `SELECT xlsx, final, trigger FROM reports WHERE kind = 'monthly' AND period_key = '2026-10'`,
    );
    expect(row).toMatchObject({ final: true, trigger: 'schedule' });
    expect(monthly[0]!.attachments[0]!.content.equals(row!.xlsx)).toBe(true);
    const deliveries = await q<{ address: string; status: string; message_id: string }>(
      `SELECT d.address, d.status, d.message_id FROM report_deliveries d JOIN reports r ON r.id = d.report_id
        WHERE r.kind = 'monthly' AND r.period_key = '2026-10' ORDER BY d.address`,
    );
    expect(deliveries.map((d) => [d.address, d.status])).toEqual([
      ['cfo@kefu.example', 'sent'],
      ['gm@kefu.example', 'sent'],
    ]);
  });

  it('the XLSX reads back: a sheet per section, Chinese headers frozen, number formats, the totals', async () => {
    const [row] = await q<{ xlsx: Buffer }>(
      `SELECT xlsx FROM reports WHERE kind = 'monthly' AND period_key = '2026-10'`,
    );
    const sheets = await readXlsx(row!.xlsx);
    // The recurring problems and their corrective actions come from the section seam (none repeat in this fixture).
    expect(sheets.map((s) => s.name)).toEqual([
      ...['总览', '按类别', '按项目', '按渠道', '按类型', '按部门'],
      ...['重复 共性问题', '整改跟进', '说明'],
    ]);
    expect(sheets.every((s) => s.frozenRows === 1)).toBe(true);
    const byCategory = sheets[1]!;
    expect(byCategory.rows[0]).toEqual([
      ...['类别', '有效投诉', '已结案', '结案率', '已答复', '按时答复', '及时答复率', '已办结', '已回访', '回访率'],
      ...['回访应答', '满意', '满意率', '超期', '升级'],
    ]);
    expect(byCategory.rows[1]).toEqual(['工程质量', 2, 1, 0.5, 2, 1, 0.5, 2, 2, 1, 2, 1, 0.5, 1, 1]);
    expect(byCategory.rows.at(-1)).toEqual(['合计', 5, 1, 0.2, 3, 2, 2 / 3, 3, 2, 2 / 3, 2, 1, 0.5, 2, 2]);
    expect(byCategory.numFmt).toMatchObject({ 有效投诉: '#,##0', 结案率: '0.0%', 类别: '@' });
    const summary = sheets[0]!;
    expect(summary.rows[0]).toEqual([
      '指标',
      '本期 2026年10月',
      '上期 2026年9月',
      '环比',
      '去年同期 2025年10月',
      '同比',
    ]);
    // 5 against 1 the month before (+400 %) and 2 a year before (+150 %).
    expect(summary.rows[1]).toEqual(['有效投诉', '5', '1', 4, '2', 1.5]);
    expect(sheets.at(-1)!.rows).toContainEqual(['报告期', '2026年10月（2026-10-01 至 2026-11-01，不含）']);
  });

  it("the PDF's text layer has the title, the period and the totals, with page numbers", async () => {
    const [row] = await q<{ pdf: Buffer }>(`SELECT pdf FROM reports WHERE kind = 'monthly' AND period_key = '2026-10'`);
    const { pages, text } = pdfText(row!.pdf);
    expect(text).toContain('客服月报');
    expect(text).toContain('报告期：2026年10月');
    // When the figures were taken, on the business time zone's clock (not UTC with a zone beside it).
    expect(text).toMatch(/统计时间：2026-11-02 ?07:05（Asia\/Shanghai）/);
    expect(text).not.toContain('UTC（');
    // The category table's 合计 line: valid, closure, on-time, return visits, satisfaction, overdue, escalated.
    expect(text).toContain('合计520.0%66.7%66.7%50.0%22');
    expect(text).toContain('部门');
    expect(text).toContain(`第1页/共${pages}页`);
  });

  it('a report generated during its period is replaced by the one filed after it; a filed one stays', async () => {
    const dec = parsePeriod('monthly', '2026-12');
    const early = await generateReport(db.dataSource, config, dec, {
      asOf: new Date('2026-12-15T10:00:00+08:00'),
      trigger: 'staff',
    });
    expect(early).toMatchObject({ written: true, final: false });
    const filed = await generateReport(db.dataSource, config, dec, {
      asOf: new Date('2027-01-04T07:05:00+08:00'),
      trigger: 'schedule',
    });
    expect(filed).toEqual({ id: early.id, written: true, final: true });
    const later = await generateReport(db.dataSource, config, dec, { asOf: new Date(), trigger: 'staff' });
    expect(later).toEqual({ id: early.id, written: false, final: true });
    expect(await q(`SELECT 1 FROM reports WHERE period_key = '2026-12'`)).toHaveLength(1);
  });

  it('the retention purge removes reports 2 years after their period ended, with their deliveries', async () => {
    clock.set('2028-10-31T12:00:00+08:00');
    await app.get(JobRouter).runTask(RETENTION_PURGE_TASK);
    const left = await q<{ k: string }>(`SELECT kind || ':' || period_key AS k FROM reports ORDER BY 1`);
    expect(left.map((r) => r.k)).toEqual(['monthly:2026-10', 'monthly:2026-12', 'weekly:2026-W44']);
    expect(await q(`SELECT 1 FROM report_deliveries`)).toHaveLength(4);
  });
});
