/**
 * `npm run bench:reports`: the monthly report (客服月报) over BENCH_CASES cases (200,000) with four timeline events each
 * (800,000), spread over 13 months so the month, the month before and the same month a year before all have theirs.
 * Kefu: `buildReportData` (the figures with every breakdown, 环比 and 同比, one statement) and `generateReport` (the
 * same plus the XLSX, the PDF and the filed row); baseline: one hand-written SQL statement computing the month's
 * totals and breakdowns from pre-aggregated events, in the same run. Prints one JSON line. The case-library search
 * half of the benchmark lives in its own file; `benchMonthlyReport` is exported for a combined runner.
 */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import {
  buildReportData,
  configSchema,
  dataSourceOptions,
  generateReport,
  parsePeriod,
  previousPeriod,
  samePeriodLastYear,
} from '@kefu/shared';

interface RawRow {
  slot: string;
  category: string | null;
  project_id: string | null;
  channel: string | null;
  type: string | null;
  department_id: string | null;
  valid: string;
}
import { benchServices } from './bench-env';

const MONTH = '2026-10';
const TZ = 'Asia/Shanghai';

/** Inserts `n` valid complaint-like cases over 13 months up to MONTH and four events each, in one transaction. */
async function seed(ds: DataSource, n: number): Promise<void> {
  await ds.transaction(async (m) => {
    await m.query(`SET LOCAL statement_timeout = 0`);
    await m.query(`SET LOCAL session_replication_role = replica`);
    await m.query(
      `INSERT INTO projects (code, name, city) SELECT 'B' || i, '压测花园' || i, '深圳' FROM generate_series(1, 8) i`,
    );
    await m.query(`INSERT INTO departments (code, name) SELECT 'D' || i, '部门' || i FROM generate_series(1, 5) i`);
    await m.query(
      `INSERT INTO cases (number, type, category, validity, channel, status, project_id, department_id, description,
                          received_at, promised_reply_at, escalation_level)
       SELECT 'B-' || i,
              (ARRAY['complaint', 'repair', 'claim', 'enquiry'])[1 + i % 4],
              (ARRAY['engineering_quality', 'planning_design', 'sales', 'property_management', 'customer_service', 'other'])[1 + i % 6],
              CASE WHEN i % 10 = 0 THEN 'invalid' ELSE 'valid' END,
              (ARRAY['hotline', 'email', 'fax', 'web', 'suggestion_box', 'walk_in'])[1 + i % 6],
              (ARRAY['accepted', 'assigned', 'replied', 'resolved', 'return_visited', 'closed'])[1 + (i / 7) % 6],
              (SELECT id FROM projects ORDER BY code OFFSET i % 8 LIMIT 1),
              (SELECT id FROM departments ORDER BY code OFFSET i % 5 LIMIT 1),
              '压测案件', t, t + interval '2 days', (i % 9 = 0)::int
         FROM generate_series(1, $1::int) i,
              LATERAL (SELECT ('${MONTH}-01'::date - interval '12 months' + (i::bigint * 7919 % (396 * 86400)) * interval '1 second'
                               )::timestamp AT TIME ZONE '${TZ}' AS t) x`,
      [n],
    );
    await m.query(
      `INSERT INTO case_events (case_id, kind, actor_label, occurred_at, details)
       SELECT c.id, k.kind, '压测', c.received_at + k.after * interval '1 hour' + (hashtext(c.id::text) % 40) * interval '1 hour',
              CASE WHEN k.kind = 'reply_date_moved'
                   THEN jsonb_build_object('from', c.promised_reply_at, 'to', c.promised_reply_at + interval '1 day')
                   ELSE '{}' END
         FROM cases c
        CROSS JOIN (VALUES ('accept', 1), ('reply', 30), ('reply_date_moved', 40), ('resolve', 60)) k(kind, after)`,
    );
    await m.query(
      `INSERT INTO return_visits (case_id, round, via, satisfied, rating)
       SELECT id, 1, 'phone', hashtext(id::text) % 5 <> 0, 4 FROM cases WHERE status IN ('return_visited', 'closed')`,
    );
  });
  await ds.query(`ANALYZE`);
}

/**
 * The baseline: the same work as Kefu's statement — the month's totals and breakdowns plus the totals of the month
 * before and of the same month a year before — in one plain statement (events pre-aggregated per case, hash joins).
 */
const rawSql = `
  WITH r AS (
    SELECT s.slot, (s.f::date::timestamp AT TIME ZONE $7) AS lo, (s.t::date::timestamp AT TIME ZONE $7) AS hi
      FROM (VALUES ('cur', $1, $2), ('prev', $3, $4), ('ly', $5, $6)) s(slot, f, t)),
  sc AS (
    SELECT c.*, r.slot FROM cases c JOIN r ON c.received_at >= r.lo AND c.received_at < r.hi
     WHERE c.validity = 'valid' AND c.type IN ('complaint', 'repair', 'claim')),
  ev AS (
    SELECT e.case_id, min(e.occurred_at) FILTER (WHERE e.kind = 'reply') AS first_reply,
           min(e.occurred_at) FILTER (WHERE e.kind = 'reply_date_moved') AS moved_at,
           (array_agg(e.details->>'from' ORDER BY e.occurred_at) FILTER (WHERE e.kind = 'reply_date_moved'))[1] AS moved_from
      FROM case_events e JOIN sc ON sc.id = e.case_id GROUP BY e.case_id),
  lv AS (
    SELECT DISTINCT ON (v.case_id) v.case_id, v.satisfied FROM return_visits v JOIN sc ON sc.id = v.case_id
     ORDER BY v.case_id, v.round DESC),
  f AS (
    SELECT sc.*, ev.first_reply, lv.satisfied AS sat,
           CASE WHEN ev.moved_at > ev.first_reply THEN ev.moved_from::timestamptz ELSE sc.promised_reply_at END AS due
      FROM sc LEFT JOIN ev ON ev.case_id = sc.id LEFT JOIN lv ON lv.case_id = sc.id)
  SELECT slot, category, project_id, channel, type, department_id, count(*) AS valid,
         count(*) FILTER (WHERE status = 'closed') AS closed, count(first_reply) AS replied,
         count(*) FILTER (WHERE first_reply <= due) AS on_time, count(sat) AS answered, count(*) FILTER (WHERE sat) AS satisfied
    FROM f GROUP BY GROUPING SETS ((slot), (slot, category), (slot, project_id), (slot, channel), (slot, type),
                                  (slot, department_id))`;

const time = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
  const t0 = performance.now();
  const out = await fn();
  return [out, performance.now() - t0];
};

export interface MonthlyReportBench {
  cases: number;
  events: number;
  kefuFiguresMs: number;
  kefuGenerateMs: number;
  rawSqlMs: number;
  ratio: number;
  validComplaints: number;
  rawValid: number;
}

/** Times the monthly report against the raw SQL baseline on a database already seeded (best of `rounds`). */
export async function benchMonthlyReport(ds: DataSource, rounds = 3): Promise<MonthlyReportBench> {
  const period = parsePeriod('monthly', MONTH);
  const [prev, ly] = [previousPeriod(period), samePeriodLastYear(period)];
  const asOf = new Date('2026-11-02T07:05:00+08:00');
  const config = configSchema.parse({
    NODE_ENV: 'test',
    DATABASE_URL: 'postgres://unused/kefu', // the documents need the font and zone only; `ds` is the connection
    REDIS_URL: 'redis://unused',
    AUTH_TOKEN_SECRET: 'x'.repeat(32),
    BUSINESS_TIME_ZONE: TZ,
  });
  let [kefu, raw] = [Infinity, Infinity];
  let valid = 0;
  let rawValid = 0;
  for (let r = 0; r < rounds; r++) {
    const [data, k] = await time(() => buildReportData(ds, period, { timeZone: TZ, asOf }));
    const [rows, b] = await time(() =>
      ds.query<RawRow[]>(rawSql, [period.from, period.to, prev.from, prev.to, ly.from, ly.to, TZ]),
    );
    [kefu, raw, valid] = [Math.min(kefu, k), Math.min(raw, b), data.totals.validComplaints];
    // The total row: no column grouped (every case has a department and channel here, so no other row is all nulls).
    const total = rows.find(
      (x) =>
        x.slot === 'cur' && [x.category, x.project_id, x.channel, x.type, x.department_id].every((v) => v === null),
    );
    rawValid = Number(total?.valid ?? 0);
  }
  const [, gen] = await time(() => generateReport(ds, config, period, { asOf, trigger: 'schedule' }));
  const [counts] = await ds.query<Array<{ cases: number; events: number }>>(
    `SELECT (SELECT count(*)::int FROM cases) AS cases, (SELECT count(*)::int FROM case_events) AS events`,
  );
  return {
    cases: counts!.cases,
    events: counts!.events,
    kefuFiguresMs: Math.round(kefu),
    kefuGenerateMs: Math.round(gen),
    rawSqlMs: Math.round(raw),
    ratio: Math.round((kefu / raw) * 100) / 100,
    validComplaints: valid,
    rawValid,
  };
}

async function main(): Promise<void> {
  const n = Number(process.env.BENCH_CASES ?? 200_000);
  const services = await benchServices();
  const ds = new DataSource(dataSourceOptions(services.databaseUrl, { poolSize: 2, applicationName: 'bench-reports' }));
  await ds.initialize();
  try {
    const [, setupMs] = await time(() => seed(ds, n));
    const result = await benchMonthlyReport(ds);
    process.stdout.write(`${JSON.stringify({ bench: 'reports', setupMs: Math.round(setupMs), ...result })}\n`);
  } finally {
    await ds.destroy();
    await services.stop();
  }
}

if (require.main === module)
  main().catch((err) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
