/**
 * Reminder-scan benchmark (issue 4): one reminder scan over N open cases (default 100,000), each with
 * its deadlines and reminders planned, `BENCH_REMINDER_DUE_PERMILLE` ‰ of them (default 10 ‰ = 1,000)
 * due now and the rest in the future, next to a raw SQL baseline measured in the same run: one
 * set-based statement that takes the same due reminders, inserts the same notification and outbox
 * rows and marks them sent; the best of three alternating rounds of each counts. The lead glues this
 * with the warranty scan into `npm run bench:scheduler`; alone: `ts-node --transpile-only -r tsconfig-paths/register bench/scheduler-reminders.ts`
 * (BENCH_REMINDER_CASES to change the size).
 */
import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CLOCK, configSchema, createApp, dataSourceOptions, type AppClock } from '@kefu/shared';
import { SchedulerWorker } from '../apps/scheduler/src/jobs/scheduler.worker';
import { ReminderService } from '../apps/scheduler/src/reminders/reminder.service';
import { schedulerApp } from '../apps/scheduler/src/scheduler.app';
import { benchServices, benchProductionEnv } from './bench-env';

export interface ReminderScanBench {
  label: string;
  cases: number;
  due: number;
  ours: { ms: number; rssMb: number; sent: number };
  baseline: { ms: number; sent: number };
  ratio: number;
}

// A Monday 10:00 in Shanghai, well inside working hours.
const NOW = new Date('2026-11-16T02:00:00Z');

/** Peak RSS while `fn` runs, sampled every 10 ms. */
async function withPeakRss<T>(fn: () => Promise<T>): Promise<{ result: T; ms: number; rssMb: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  const started = performance.now();
  try {
    const result = await fn();
    return { result, ms: performance.now() - started, rssMb: Math.max(peak, process.memoryUsage().rss) / 1024 / 1024 };
  } finally {
    clearInterval(timer);
  }
}

/** N open cases with deadlines and reminders, as the planner leaves them; `due` of the reminders fall due now. */
async function seed(outer: DataSource, cases: number, due: number): Promise<void> {
  await outer.transaction(async (ds) => {
    // Bulk seeding of a million rows outlasts the apps' statement timeout.
    await ds.query(`SET LOCAL statement_timeout = 0`);
    const [{ id: departmentId }] = (await ds.query<Array<{ id: string }>>(
      `INSERT INTO departments (code, name) VALUES ('BENCHENG', '工程部') RETURNING id`,
    )) as [{ id: string }];
    const [{ id: gm }] = (await ds.query<Array<{ id: string }>>(
      `INSERT INTO staff (login, name, role, email) VALUES ('bench-gm', '总经理', 'gm', 'gm@example.com') RETURNING id`,
    )) as [{ id: string }];
    const [{ id: vice }] = (await ds.query<Array<{ id: string }>>(
      `INSERT INTO staff (login, name, role, reports_to_id, email) VALUES ('bench-vice', '副总', 'vice_gm', $1, 'vice@example.com') RETURNING id`,
      [gm],
    )) as [{ id: string }];
    const [{ id: manager }] = (await ds.query<Array<{ id: string }>>(
      `INSERT INTO staff (login, name, role, department_id, reports_to_id, email, mobile) VALUES ('bench-mgr', '经理', 'dept_manager', $1, $2, 'mgr@example.com', '13900000000') RETURNING id`,
      [departmentId, vice],
    )) as [{ id: string }];
    await ds.query(
      `INSERT INTO staff (login, name, role, department_id, reports_to_id, email, mobile)
       SELECT 'bench-rep-' || i, '客服' || i, 'cs_rep', $1, $2, 'rep' || i || '@example.com', (13900000100 + i)::text FROM generate_series(1, 200) i`,
      [departmentId, manager],
    );
    // Cases received over the last five days; those numbered below `due` were received 12 h ago so
    // their advance reminder for the department plan (and, for a few, more) is due now.
    await ds.query(
      `INSERT INTO cases (number, type, severity, channel, status, description, received_at, promised_reply_at, department_id, assignee_id, planned_round)
       SELECT 'BENCH-' || i, 'complaint', 'minor', 'hotline', 'assigned', '楼上漏水',
              $1::timestamptz - make_interval(mins => CASE WHEN i <= $3 THEN 720 ELSE i % 7200 END),
              $1::timestamptz + interval '1 day', $4,
              (SELECT id FROM staff WHERE login = 'bench-rep-' || (1 + i % 200)), 0
       FROM generate_series(1, $2) i`,
      [NOW, cases, due, departmentId],
    );
    await ds.query(
      `INSERT INTO case_deadlines (case_id, step, round, due_at, responsible_staff_id)
       SELECT c.id, s.step, 0, c.received_at + s.after, c.assignee_id FROM cases c
       CROSS JOIN (VALUES ('firstReply', interval '24 hours'), ('departmentPlan', interval '2 days'), ('departmentAnalysis', interval '1 hour')) s(step, after)`,
    );
    // Each deadline: an advance reminder and one at the deadline. The due ones: exactly `due` advance reminders.
    await ds.query(
      `INSERT INTO reminders (deadline_id, case_id, kind, level, send_at, sent_at, ack_due_at, acknowledged_at)
       SELECT d.id, d.case_id, k.kind, 0,
              CASE WHEN k.kind = 'before' AND d.step = 'departmentPlan' AND c.number ~ '^BENCH-' AND substr(c.number, 7)::int <= $2 THEN $1::timestamptz - interval '30 seconds'
                   WHEN k.kind = 'before' THEN GREATEST(d.due_at - interval '1 hour', $1::timestamptz + interval '1 minute') ELSE GREATEST(d.due_at, $1::timestamptz + interval '1 minute') END,
              NULL, NULL, NULL
       FROM case_deadlines d JOIN cases c ON c.id = d.case_id CROSS JOIN (VALUES ('before'), ('due')) k(kind)`,
      [NOW, due],
    );
  });
  await outer.query(`VACUUM ANALYZE cases`);
  await outer.query(`VACUUM ANALYZE case_deadlines`);
  await outer.query(`VACUUM ANALYZE reminders`);
}

/**
 * The raw SQL baseline: the same due reminders, the same rows (two channels each; outbox: one
 * `notifications-requested` row per thousand notifications, as requestNotifications writes), one statement.
 */
const baselineSql = `
WITH due AS (
  SELECT r.id, r.case_id, c.number, d.step, d.due_at, s.id AS staff_id, s.email, s.mobile
  FROM reminders r JOIN case_deadlines d ON d.id = r.deadline_id JOIN cases c ON c.id = r.case_id JOIN staff s ON s.id = c.assignee_id
  WHERE r.sent_at IS NULL AND r.cancelled_at IS NULL AND r.send_at <= $1 AND c.status NOT IN ('closed', 'rejected')
  FOR UPDATE OF r SKIP LOCKED
), ins AS (
  INSERT INTO notifications (idempotency_key, kind, channel, recipient_type, staff_id, case_id, source_type, source_id, variables)
  SELECT 'reminder:' || due.id || ':' || ch.channel, 'staff_reminder', ch.channel, 'staff', staff_id, case_id, 'reminder', due.id,
         jsonb_build_object('caseNumber', number, 'step', step, 'stepLabel', step, 'dueAt', due_at, 'overdue', false, 'ackUrl', 'https://example.com/ack/x')
  FROM due CROSS JOIN LATERAL (VALUES ('email'), ('sms')) ch(channel)
  WHERE (ch.channel = 'email' AND due.email IS NOT NULL) OR (ch.channel = 'sms' AND due.mobile IS NOT NULL)
  ON CONFLICT (idempotency_key) DO NOTHING RETURNING id
), ob AS (
  INSERT INTO outbox (job_name, payload, dedupe_key)
  SELECT 'notifications-requested', jsonb_build_object('notificationIds', jsonb_agg(id ORDER BY n)), 'notifications-requested:' || (array_agg(id ORDER BY n))[1]
  FROM (SELECT id, row_number() OVER () - 1 AS n FROM ins) b GROUP BY n / 1000
  ON CONFLICT (dedupe_key) DO NOTHING
)
UPDATE reminders SET sent_at = $1, ack_due_at = $1::timestamptz + interval '2 hours' WHERE id IN (SELECT id FROM due)`;

async function reset(ds: DataSource): Promise<void> {
  await ds.query(`DELETE FROM outbox`);
  await ds.query(`DELETE FROM notifications`);
  await ds.query(
    `UPDATE reminders SET sent_at = NULL, ack_due_at = NULL, recipient_staff_id = NULL, late = false WHERE sent_at IS NOT NULL`,
  );
  await ds.query(`VACUUM ANALYZE reminders`);
}

export async function runReminderScanBench(opts: {
  cases: number;
  duePermille?: number;
  /** Rounds of each, the best of which counts (default 3). */
  rounds?: number;
  databaseUrl?: string;
  redisUrl?: string;
}): Promise<ReminderScanBench> {
  const services =
    opts.databaseUrl && opts.redisUrl
      ? { databaseUrl: opts.databaseUrl, redisUrl: opts.redisUrl, stop: () => Promise.resolve() }
      : await benchServices();
  const due = Math.round((opts.cases * (opts.duePermille ?? 10)) / 1000);
  const config = configSchema.parse({
    DATABASE_URL: services.databaseUrl,
    REDIS_URL: services.redisUrl,
    ...benchProductionEnv,
    LOG_LEVEL: 'silent',
    QUEUE_PREFIX: 'benchrem',
  });
  const ds = new DataSource(dataSourceOptions(services.databaseUrl, { poolSize: 2 }));
  let app: INestApplication | undefined;
  try {
    await ds.initialize();
    app = await createApp(schedulerApp, config);
    await app.init();
    // The clock ticks would run the scan in the background; the bench runs it itself.
    await app.get(SchedulerWorker).worker.pause();
    app.get<AppClock>(CLOCK).use({ now: () => new Date(NOW) });
    await seed(ds, opts.cases, due);

    // The best of a few rounds each, alternating (as the warranty bench does): one run of either swings by a
    // third on a shared machine.
    const best = { ours: Infinity, rssMb: 0, baseline: Infinity };
    for (let round = 0; round < (opts.rounds ?? 3); round++) {
      const base = await withPeakRss(() => ds.transaction((m) => m.query<[unknown[], number]>(baselineSql, [NOW])));
      await reset(ds);
      const ours = await withPeakRss(() => app!.get(ReminderService).scan());
      await reset(ds);
      if (ours.result.sent !== due || base.result[1] !== due)
        throw new Error(`expected ${due} reminders sent, got ours ${ours.result.sent}, baseline ${base.result[1]}`);
      best.ours = Math.min(best.ours, ours.ms);
      best.rssMb = Math.max(best.rssMb, ours.rssMb);
      best.baseline = Math.min(best.baseline, base.ms);
    }
    return {
      label: `reminder scan, ${opts.cases.toLocaleString('en')} open cases, ${due.toLocaleString('en')} due`,
      cases: opts.cases,
      due,
      ours: { ms: Math.round(best.ours), rssMb: Math.round(best.rssMb), sent: due },
      baseline: { ms: Math.round(best.baseline), sent: due },
      ratio: Number((best.ours / best.baseline).toFixed(2)),
    };
  } finally {
    await app?.close();
    if (ds.isInitialized) await ds.destroy();
    await services.stop();
  }
}

if (require.main === module) {
  const cases = Number(process.env.BENCH_REMINDER_CASES ?? 100_000);
  runReminderScanBench({ cases, duePermille: Number(process.env.BENCH_REMINDER_DUE_PERMILLE ?? 10) }).then(
    (r) => {
      process.stdout.write(
        `${r.label}\n  ours      ${String(r.ours.ms).padStart(7)} ms   peak RSS ${r.ours.rssMb} MB   (${r.ours.sent} sent)\n  raw SQL   ${String(r.baseline.ms).padStart(7)} ms   (${r.baseline.sent} sent)\n  ratio     ${r.ratio}×\n`,
      );
      process.exit(0);
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
