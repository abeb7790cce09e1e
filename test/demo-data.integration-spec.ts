import { allocateCaseNumber, caseCategories, caseChannels, caseTypes } from '@kefu/shared';
import { createTestDatabase, startTestApp, testConfig, useFakeClock, type TestDatabase } from '@kefu/shared/testing';
import { CertificateService } from '../apps/scheduler/src/certificates/certificate.service';
import { SchedulerWorker } from '../apps/scheduler/src/jobs/scheduler.worker';
import { ReminderService } from '../apps/scheduler/src/reminders/reminder.service';
import { schedulerApp } from '../apps/scheduler/src/scheduler.app';
import { SurveyScanService } from '../apps/scheduler/src/surveys/survey-scan.service';
import { WarrantyScanService } from '../apps/scheduler/src/warranty/warranty-scan.service';
import { ReportsService } from '../apps/intake/src/reports/reports.service';
import { VisitPlanService } from '../apps/scheduler/src/visits/visit-plan.service';
import { loadDemoData, UNDELIVERABLE_MOBILE, type DemoSummary } from '../tools/demo-data';

// A Monday morning in Shanghai; the six months of the dashboard are 2026-07 … 2026-12.
const today = new Date('2026-12-07T01:30:00Z');

describe('demo data with six months of history', () => {
  let db: TestDatabase;
  let twin: TestDatabase;
  let summary: DemoSummary;
  let loadMs: number;
  const q = <T>(sql: string, params: unknown[] = []) => db.dataSource.query<T[]>(sql, params);

  beforeAll(async () => {
    [db, twin] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    const t0 = Date.now();
    summary = await loadDemoData(db.dataSource, 'demo-password-1', today);
    loadMs = Date.now() - t0;
  });
  afterAll(async () => {
    await Promise.all([db?.drop(), twin?.drop()]);
  });

  it('loads the estate and its history in a few seconds', () => {
    expect(summary).toMatchObject({ created: true, units: 200 });
    expect(summary.cases).toBeGreaterThan(200);
    expect(summary.notifications).toBeGreaterThan(summary.cases);
    expect(loadMs).toBeLessThan(10_000);
  });

  it('gives the dashboard non-zero figures for each of the six months (the real reports service)', async () => {
    const reports = new ReportsService(db.dataSource, testConfig({ DATABASE_URL: db.url }));
    const monthly = await reports.monthly({ month: '2026-12' });
    expect(monthly.trend.map((t) => t.month)).toEqual([
      '2026-07',
      '2026-08',
      '2026-09',
      '2026-10',
      '2026-11',
      '2026-12',
    ]);
    for (const t of monthly.trend) {
      expect(t.validComplaints).toBeGreaterThan(0);
      expect(t.replied).toBeGreaterThan(0);
    }
    // Older months are mostly closed and visited; some replies were late, so the rate is real, not 100 %.
    for (const t of monthly.trend.slice(0, 5)) {
      expect(t.closureRate).toBeGreaterThan(0.8);
      expect(t.returnVisitRate).toBeGreaterThan(0.8);
      expect(t.onTimeReplyRate).toBeGreaterThan(0.5);
      // Each return visit is in return_visits: the satisfaction rate is real (some first answers were unsatisfied, but the latest counts).
      expect(t.satisfactionRate).toBeGreaterThan(0.8);
    }
    expect(monthly.trend.some((t) => (t.onTimeReplyRate ?? 1) < 1)).toBe(true);
    const open = await reports.openCases({});
    expect(open.totals.open).toBeGreaterThan(0);
    expect(open.totals.overdue).toBeGreaterThanOrEqual(3);
  });

  it("routes: 客户服务部 takes what no rule routes, 工程部 and the estate's 物业公司 have rules, managers and duty people", async () => {
    const ds = db.dataSource;
    const [cs] = await ds.query<Array<{ code: string }>>(`SELECT code FROM departments WHERE customer_service`);
    expect(cs?.code).toBe('CS');
    const rules = await ds.query<Array<{ category: string; code: string; estate: boolean }>>(
      `SELECT r.category, d.code, r.project_id IS NOT NULL AS estate FROM department_responsibilities r
         JOIN departments d ON d.id = r.department_id ORDER BY r.category`,
    );
    expect(rules).toEqual([
      { category: 'engineering_quality', code: 'ENG', estate: false },
      { category: 'planning_design', code: 'ENG', estate: false },
      { category: 'property_management', code: 'PM', estate: true },
    ]);
    const rostered = await ds.query<Array<{ code: string; login: string; days: number }>>(
      `SELECT d.code, s.login, count(*)::int AS days FROM duty_roster r JOIN departments d ON d.id = r.department_id
         JOIN staff s ON s.id = r.staff_id GROUP BY d.code, s.login ORDER BY d.code`,
    );
    expect(rostered).toEqual([
      { code: 'CS', login: 'rep', days: 5 },
      { code: 'ENG', login: 'eng-duty', days: 5 },
    ]);
  });

  it('covers every channel, type, category and building; both return-visit outcomes; moved dates and escalations', async () => {
    const distinct = async (col: string) =>
      (await q<{ v: string }>(`SELECT DISTINCT ${col} AS v FROM cases ORDER BY 1`)).map((r) => r.v);
    expect(await distinct('channel')).toEqual([...caseChannels].sort());
    expect(await distinct('type')).toEqual([...caseTypes].sort());
    expect(await distinct('category')).toEqual([...caseCategories].sort());
    const buildings = await q<{ n: number }>(
      `SELECT count(DISTINCT u.building_id)::int AS n FROM cases c JOIN units u ON u.id = c.unit_id`,
    );
    expect(buildings[0]!.n).toBe(4);
    const kinds = await q<{ kind: string; satisfied: string | null; n: number }>(
      `SELECT kind, details->>'satisfied' AS satisfied, count(*)::int AS n FROM case_events GROUP BY 1, 2`,
    );
    const has = (kind: string, satisfied: string | null = null) =>
      kinds.some((k) => k.kind === kind && k.satisfied === satisfied && k.n > 0);
    for (const k of [
      'created',
      'accept',
      'reject',
      'assign',
      'reply',
      'reply_date_moved',
      'escalated',
      'resolve',
      'close',
    ])
      expect([k, has(k)]).toEqual([k, true]);
    expect(has('return_visit', 'true') && has('return_visit', 'false')).toBe(true);
  });

  it('numbers the cases gap-free from the counters, so the next live case continues the sequence', async () => {
    const rows = await q<{ prefix: string; year: number; n: number; max: number; last_value: number }>(
      `SELECT k.prefix, k.year, count(c.id)::int AS n, max(split_part(c.number, '-', 3)::int) AS max, k.last_value
         FROM case_number_counters k JOIN cases c ON c.number LIKE k.prefix || '-' || k.year || '-%'
        GROUP BY k.prefix, k.year, k.last_value`,
    );
    expect(rows.map((r) => r.prefix).sort()).toEqual(['COBZS001', 'KF']);
    for (const r of rows) expect([r.prefix, r.n, r.max]).toEqual([r.prefix, r.last_value, r.last_value]);
    // In order of receipt.
    const order = await q<{ ok: boolean }>(
      `SELECT bool_and(prev IS NULL OR prev <= received_at) AS ok FROM
         (SELECT received_at, lag(received_at) OVER (PARTITION BY split_part(number, '-', 1) ORDER BY number) AS prev FROM cases) x`,
    );
    expect(order[0]!.ok).toBe(true);
    const cobzs = rows.find((r) => r.prefix === 'COBZS001')!;
    const next = await db.dataSource.transaction((m) =>
      allocateCaseNumber(m, { projectCode: 'COBZS001', at: today, timeZone: 'Asia/Shanghai' }),
    );
    expect(next).toBe(`COBZS001-2026-${String(cobzs.last_value + 1).padStart(5, '0')}`);
  });

  it('half of the certificate batch has collected', async () => {
    const [b] = await q<{ units: number; collected: number }>(
      `SELECT (SELECT count(*) FROM certificate_batch_units)::int AS units, (SELECT count(*) FROM certificate_collections)::int AS collected`,
    );
    expect(b!.units).toBeGreaterThan(10);
    expect(b!.collected / b!.units).toBeGreaterThan(0.4);
    expect(b!.collected / b!.units).toBeLessThan(0.6);
    const [w] = await q<{ n: number }>(`SELECT count(*)::int AS n FROM warranty_notices`);
    expect(w!.n).toBeGreaterThan(0);
  });

  it('leaves no message to send: every notification final with receipts, every outbox entry relayed', async () => {
    const byStatus = await q<{ status: string; channel: string; n: number }>(
      `SELECT status, channel, count(*)::int AS n FROM notifications GROUP BY 1, 2`,
    );
    expect(byStatus.filter((s) => ['pending', 'sending'].includes(s.status))).toEqual([]);
    const n = (status: string, channel: string) =>
      byStatus.find((s) => s.status === status && s.channel === channel)?.n ?? 0;
    expect(n('delivered', 'sms')).toBeGreaterThan(100);
    expect(n('sent', 'email')).toBeGreaterThan(10);
    expect(n('signed_for', 'letter')).toBeGreaterThan(5);
    expect(n('bounced', 'email') + n('failed', 'sms')).toBeGreaterThanOrEqual(2);
    const [none] = await q<{ unrelayed: number; unreceipted: number; unrendered: number }>(
      `SELECT (SELECT count(*) FROM outbox WHERE relayed_at IS NULL)::int AS unrelayed,
              (SELECT count(*) FROM notifications WHERE body IS NULL OR to_address IS NULL OR sent_at IS NULL AND status <> 'failed')::int AS unrendered,
              (SELECT count(*) FROM notifications n WHERE NOT EXISTS (SELECT 1 FROM notification_receipts r WHERE r.notification_id = n.id))::int AS unreceipted`,
    );
    expect(none).toEqual({ unrelayed: 0, unreceipted: 0, unrendered: 0 });
    // The undeliverable number: SMS undelivered, the must-arrive notice went on by email.
    const walk = await q<{ channel: string; status: string; fallback: boolean }>(
      `SELECT n.channel, n.status, n.fallback_of_id IS NOT NULL AS fallback FROM notifications n JOIN owners o ON o.id = n.owner_id
        WHERE $1 = ANY(o.mobiles) AND n.kind = 'certificate_collection' ORDER BY n.created_at, n.channel`,
      [UNDELIVERABLE_MOBILE],
    );
    expect(walk).toEqual(
      expect.arrayContaining([
        { channel: 'sms', status: 'undelivered', fallback: false },
        { channel: 'email', status: 'sent', fallback: true },
      ]),
    );
  });

  it('gives the scheduler nothing overdue to send or escalate on its first scan', async () => {
    const [due] = await q<{ unsent: number; unacked: number; unplanned: number; open_past: number }>(
      `SELECT (SELECT count(*) FROM reminders WHERE sent_at IS NULL AND cancelled_at IS NULL AND send_at <= $1)::int AS unsent,
              (SELECT count(*) FROM reminders WHERE sent_at IS NOT NULL AND acknowledged_at IS NULL AND escalated_at IS NULL
                  AND cancelled_at IS NULL AND ack_due_at <= $1)::int AS unacked,
              (SELECT count(*) FROM cases WHERE planned_round IS DISTINCT FROM reply_date_moves)::int AS unplanned,
              (SELECT count(*) FROM case_deadlines WHERE state = 'open' AND due_at <= $1)::int AS open_past`,
      [today],
    );
    expect(due).toEqual({ unsent: 0, unacked: 0, unplanned: 0, open_past: 0 });
    const [r] = await q<{ acked: number; escalated: number; missed: number }>(
      `SELECT (SELECT count(*) FROM reminders WHERE acknowledged_at IS NOT NULL)::int AS acked,
              (SELECT count(*) FROM reminders WHERE escalated_at IS NOT NULL)::int AS escalated,
              (SELECT count(*) FROM case_deadlines WHERE state = 'missed')::int AS missed`,
    );
    expect(r!.acked).toBeGreaterThan(50);
    expect(r!.escalated).toBeGreaterThan(0);
    expect(r!.missed).toBeGreaterThan(0);
  });

  it("plans the year's owner visits: every household covered, some due now, most past ones recorded", async () => {
    expect(summary.visitsPlanned).toBeGreaterThan(500);
    expect(summary.visitsRecorded).toBeGreaterThan(300);
    const [v] = await q<{
      households: number;
      planned: number;
      rep_due: number;
      overdue: number;
      on_time: number;
      due: number;
    }>(
      `SELECT (SELECT count(DISTINCT unit_id) FROM owner_units WHERE until IS NULL)::int AS households,
              (SELECT count(DISTINCT unit_id) FROM owner_visits WHERE kind = 'routine')::int AS planned,
              (SELECT count(*) FROM owner_visits v JOIN staff s ON s.id = v.staff_id
                WHERE s.login = 'rep' AND v.status = 'planned' AND v.due_on <= $1::date + 7)::int AS rep_due,
              (SELECT count(*) FROM owner_visits WHERE status = 'planned' AND due_on < $1::date)::int AS overdue,
              (SELECT count(*) FROM owner_visits WHERE status = 'done' AND (done_at AT TIME ZONE 'Asia/Shanghai')::date <= due_on)::int AS on_time,
              (SELECT count(*) FROM owner_visits WHERE due_on < $1::date)::int AS due`,
      ['2026-12-07'],
    );
    expect(v!.planned).toBe(v!.households);
    expect(v!.rep_due).toBeGreaterThan(0);
    expect(v!.overdue).toBeGreaterThan(0);
    expect(v!.on_time / v!.due).toBeGreaterThan(0.5);
    expect(v!.on_time / v!.due).toBeLessThan(0.95);
  });

  it('leaves a typhoon alert for the whole estate as a draft, its audience resolved: every current owner, none left out', async () => {
    const [n] = await q<{ status: string; kind: string; recipients: number; excluded: number }>(
      `SELECT status, kind, recipients, excluded FROM notices`,
    );
    const [owners] = await q<{ n: number }>(
      `SELECT count(DISTINCT ou.owner_id)::int AS n FROM owner_units ou WHERE ou.until IS NULL`,
    );
    expect(n).toEqual({ status: 'draft', kind: 'safety_alert', recipients: owners!.n, excluded: 0 });
  });

  it('does nothing on a second load', async () => {
    const count = async () =>
      (await q<{ n: number }>(`SELECT (SELECT count(*) FROM cases) + (SELECT count(*) FROM notifications) AS n`))[0];
    const before = await count();
    const again = await loadDemoData(db.dataSource, 'other-password', today);
    expect(again.created).toBe(false);
    expect(await count()).toEqual(before);
  });

  it('is the same data on two loads with the same today', async () => {
    await loadDemoData(twin.dataSource, 'demo-password-2', today);
    const fingerprint = (d: TestDatabase) =>
      d.dataSource.query(
        `SELECT (SELECT json_agg(x ORDER BY x.number) FROM (
                   SELECT c.id, c.number, c.type, c.category, c.severity, c.channel, c.status, c.received_at, c.promised_reply_at,
                          c.escalation_level, c.description, b.name || u.entrance || u.room AS unit, o.name AS owner,
                          (SELECT json_agg(json_build_object('k', e.kind, 'at', e.occurred_at, 'd', e.details) ORDER BY e.id) FROM case_events e WHERE e.case_id = c.id) AS events
                     FROM cases c LEFT JOIN units u ON u.id = c.unit_id LEFT JOIN buildings b ON b.id = u.building_id LEFT JOIN owners o ON o.id = c.owner_id) x) AS cases,
                (SELECT json_agg(x ORDER BY x.idempotency_key) FROM (
                   SELECT idempotency_key, kind, channel, status, to_address, body, created_at, sent_at, delivered_at FROM notifications) x) AS notifications,
                (SELECT json_agg(x ORDER BY x.case_id, x.kind, x.level, x.send_at) FROM (
                   SELECT case_id, kind, level, send_at, sent_at, acknowledged_at, escalated_at, cancelled_at FROM reminders) x) AS reminders`,
      );
    expect(await fingerprint(twin)).toEqual(await fingerprint(db));
  });

  // Last: the scans write today's own work into the database the other tests read.
  it("is quiet on the real scheduler's first scans: no old reminder, escalation, certificate reminder or late warranty notice", async () => {
    const app = await startTestApp(schedulerApp, testConfig({ DATABASE_URL: db.url }));
    try {
      await app.get(SchedulerWorker).worker.pause();
      useFakeClock(app, today);
      const scan = await app.get(ReminderService).scan();
      expect(scan).toEqual({ planned: 0, sent: 0, cancelled: 0, escalated: 0, notificationsCancelled: 0 });
      expect(await app.get(CertificateService).sendReminders()).toEqual({ reminders: 0 });
      const warranty = await app.get(WarrantyScanService).scan();
      // Only what falls due today (the demo wrote everything due before), nothing late.
      expect(warranty.late).toBe(0);
      const [w] = await q<{ late: number; pending_not_today: number }>(
        `SELECT (SELECT count(*) FROM warranty_notices WHERE late OR due_on < $1::date AND created_at > $2)::int AS late,
                (SELECT count(*) FROM notifications n JOIN warranty_notices wn ON wn.id = n.source_id
                  WHERE n.status = 'pending' AND wn.due_on <> $1::date)::int AS pending_not_today`,
        ['2026-12-07', today],
      );
      expect(w).toEqual({ late: 0, pending_not_today: 0 });
      // The nightly visit plan finds the demo's plan as it would have made it: nothing to add, move or end.
      const { plans } = await app.get(VisitPlanService).generateAll();
      expect(plans).toEqual([expect.objectContaining({ added: 0, reassigned: 0, ended: 0, staff: 2 })]);
      // Last month's survey round is history; today's scan invites the owners who moved in 3 months, 1 and 3 years ago.
      expect(summary.surveyInvitations).toBeGreaterThan(5);
      expect(summary.surveyAnswers).toBeGreaterThan(0);
      const surveys = await app.get(SurveyScanService).scan();
      expect(surveys).toMatchObject({ invitations: summary.surveysDueToday, late: 0, reminders: 0 });
      expect(summary.surveysDueToday).toBe(4);
      const stages = await q<{ life_stage: string; links: number }>(
        `SELECT si.life_stage, count(n.id)::int AS links FROM survey_invitations si
           JOIN notifications n ON n.source_id = si.id AND n.kind = 'survey_invitation'
          WHERE si.due_on = '2026-12-07' GROUP BY 1 ORDER BY 1`,
      );
      expect(stages).toEqual([
        { life_stage: 'established', links: 1 },
        { life_stage: 'settling', links: 2 },
        { life_stage: 'stable', links: 1 },
      ]);
    } finally {
      await app.close();
    }
  });
});
