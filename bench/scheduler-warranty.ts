/**
 * The warranty half of `npm run bench:scheduler` (run alone: `npm run bench:scheduler-warranty`).
 *
 * One daily warranty scan (WarrantyScanService.scan: notices, owners' notifications and outbox jobs,
 * the full default catalogue) over estates whose handover dates are spread over ten years, timed with
 * its peak RSS, beside a raw-SQL baseline doing the same inserts in one hand-written statement, and
 * the ratio. Three rows show what the cost follows:
 *   1. 100k units, day D;
 *   2. 1M units where the 900k added units avoid day D's handover bands: the same notices due as in 1 —
 *      time should barely move (cost does not follow the units held);
 *   3. 1M units, day D2 with the full density of due notices (the headline: aim < 5 s, < 300 MB);
 *   4. 1M units on 2026-01-15, when a whole year of handovers in heating cities reaches its heating notice
 *      (the year's peak: aim < 5 s), beside one hand-written statement per season band plus the month-based one.
 * Options: BENCH_UNITS (1,000,000), BENCH_SMALL_UNITS (100,000), BENCH_HEATING_DAY=0 to skip row 4.
 */
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { addDays, dataSourceOptions, FakeClock, type AppConfig } from '@kefu/shared';
import { WarrantyScanService } from '../apps/scheduler/src/warranty/warranty-scan.service';
import { handoverRanges, warrantyExpiry, type EffectiveItem } from '../apps/scheduler/src/warranty/warranty-windows';
import { benchServices } from './bench-env';

export interface WarrantyBenchRow {
  label: string;
  units: number;
  day: string;
  notices: number;
  notifications: number;
  oursMs: number;
  /** Null where the hand-written baseline does not apply (season items). */
  baselineMs: number | null;
  ratio: number | null;
  /** Peak RSS of this Node process during our scan (Postgres does the work in its own processes). */
  peakRssMb: number;
}

export interface WarrantyBenchReport {
  rows: WarrantyBenchRow[];
  setupSeconds: number;
}

/** The scan's parallel transactions (WARRANTY_SCAN_CONNECTIONS, default 2); BENCH_SCAN_CONNECTIONS=1 to compare. */
const SCAN_CONNECTIONS = Number(process.env.BENCH_SCAN_CONNECTIONS ?? 2);
const PROJECTS = 100;
const FIRST_HANDOVER = '2016-06-01';
const TEN_YEARS = 3653;
/** Day D (only month-based items fall due) and D2 (another such day, away from D's shifted bands). */
const DAY = '2026-06-10';
const DAY2 = '2026-06-25';
/** Two months before the heating seasons end (03-15): a whole year of handovers in heating cities falls due at once. */
const HEATING_DAY = '2026-01-15';

/** The raw baseline: the ten month-based default items hand-coded, one statement into the same three tables. */
const BASELINE_SQL = `
  WITH items(code, name, months, ahead) AS (VALUES
    ('roof_waterproofing', '屋面防水', 60, 2), ('wet_room_waterproofing', '卫生间、房间防渗漏', 60, 2), ('external_wall_waterproofing', '外墙面防渗漏', 60, 2),
    ('electrical', '电气管线', 24, 2), ('water_supply_drainage', '给排水管道', 24, 2), ('equipment_installation', '设备安装', 24, 2), ('decoration', '装修工程', 24, 2),
    ('sanitary_ware', '卫生洁具', 12, 2), ('doors_windows', '门窗翘裂、五金件', 12, 2), ('lamps_switches', '灯具、电器开关', 6, 2)),
  due AS (
    SELECT u.id AS unit_id, u.project_id, i.code, i.name, u.handover_date, (u.handover_date + make_interval(months => i.months))::date AS expires_on, i.ahead
    FROM projects p CROSS JOIN items i
    JOIN units u ON u.project_id = p.id
      AND u.handover_date BETWEEN ($1::date + make_interval(months => i.ahead - i.months))::date - 4 AND ($1::date + make_interval(months => i.ahead - i.months))::date + 4
  ),
  ins AS (
    INSERT INTO warranty_notices (unit_id, project_id, item_code, item_name, handover_date, expires_on, due_on)
    SELECT unit_id, project_id, code, name, handover_date, expires_on, $1::date FROM due
    WHERE (expires_on - make_interval(months => ahead))::date = $1::date
    ON CONFLICT DO NOTHING RETURNING id, unit_id, item_code, item_name, expires_on
  ),
  notified AS (
    INSERT INTO notifications (idempotency_key, kind, recipient_type, owner_id, source_type, source_id, variables)
    SELECT 'warranty:' || n.unit_id || ':' || n.item_code || ':' || n.expires_on || ':' || ou.owner_id, 'warranty_expiry', 'owner', ou.owner_id, 'warranty_notice', n.id,
           jsonb_build_object('estateName', p.name, 'unitLabel', b.name || u.entrance || '单元' || u.room, 'itemName', n.item_name, 'expiresOn', n.expires_on::text)
    FROM ins n JOIN owner_units ou ON ou.unit_id = n.unit_id AND ou.until IS NULL
    JOIN units u ON u.id = n.unit_id JOIN buildings b ON b.id = u.building_id JOIN projects p ON p.id = u.project_id
    ON CONFLICT DO NOTHING RETURNING id
  ),
  queued AS (
    INSERT INTO outbox (job_name, payload, dedupe_key) SELECT 'notification-requested', jsonb_build_object('notificationId', id), 'notification-requested:' || id FROM notified
    ON CONFLICT DO NOTHING RETURNING 1
  )
  SELECT (SELECT count(*) FROM ins)::int AS notices, (SELECT count(*) FROM queued)::int AS notifications`;

/**
 * The raw baseline of a season item's notice day: one hand-written statement for the given season band (the same
 * band for every estate listed: the default seasons), notices, owners' notifications and one outbox row per thousand,
 * into the same tables. With BASELINE_SQL for the day's month-based items, it writes what the scan writes.
 */
const SEASON_BASELINE_SQL = `
  WITH due AS (
    SELECT u.id AS unit_id, u.project_id, u.handover_date, p.name AS estate, b.name || u.entrance || '单元' || u.room AS label
    FROM units u JOIN projects p ON p.id = u.project_id JOIN buildings b ON b.id = u.building_id
    WHERE u.project_id = ANY($1::uuid[]) AND u.handover_date BETWEEN $2::date AND $3::date
  ),
  ins AS (
    INSERT INTO warranty_notices (unit_id, project_id, item_code, item_name, handover_date, expires_on, due_on)
    SELECT unit_id, project_id, $4, $5, handover_date, $6::date, $7::date FROM due
    ON CONFLICT DO NOTHING RETURNING id, unit_id
  ),
  notified AS (
    INSERT INTO notifications (idempotency_key, kind, recipient_type, owner_id, source_type, source_id, variables)
    SELECT 'warranty:' || n.unit_id || ':' || $4 || ':' || $6 || ':' || ou.owner_id, 'warranty_expiry', 'owner', ou.owner_id,
           'warranty_notice', n.id, jsonb_build_object('estateName', d.estate, 'unitLabel', d.label, 'itemName', $5::text, 'expiresOn', $6::text)
    FROM ins n JOIN due d ON d.unit_id = n.unit_id JOIN owner_units ou ON ou.unit_id = n.unit_id AND ou.until IS NULL
    ON CONFLICT DO NOTHING RETURNING id
  ),
  queued AS (
    INSERT INTO outbox (job_name, payload, dedupe_key)
    SELECT 'notifications-requested', jsonb_build_object('notificationIds', jsonb_agg(id)), 'bench:' || min(id::text)
    FROM (SELECT id, (row_number() OVER () - 1) / 1000 AS k FROM notified) x GROUP BY k
    ON CONFLICT DO NOTHING RETURNING 1
  )
  SELECT (SELECT count(*) FROM ins)::int AS notices, (SELECT count(*) FROM notified)::int AS notifications`;

/** Units i in [from, to): project i % 100, handover spread over ten years; `avoid` bands are moved 37 days on. One owner each. */
async function addUnits(ds: DataSource, from: number, to: number, avoid: Array<[string, string]>): Promise<void> {
  const shifted = avoid.length
    ? `CASE WHEN ${avoid.map(([a, b]) => `d BETWEEN '${a}' AND '${b}'`).join(' OR ')} THEN d + 37 ELSE d END`
    : 'd';
  await ds.transaction(async (m) => {
    await m.query(`SET LOCAL statement_timeout = 0`);
    await m.query(`SET LOCAL session_replication_role = replica`); // bulk load: no triggers (no recheck queue), no FK checks
    await m.query(
      `CREATE TEMP TABLE bench_gen ON COMMIT DROP AS
       SELECT i, gen_random_uuid() AS unit_id, gen_random_uuid() AS owner_id, ${shifted} AS d
       FROM generate_series($1::int, $2::int - 1) i
       CROSS JOIN LATERAL (SELECT ('${FIRST_HANDOVER}'::date + ((i::bigint * 7919) % ${TEN_YEARS})::int) AS d) x`,
      [from, to],
    );
    await m.query(
      `INSERT INTO units (id, project_id, building_id, entrance, room, floor, handover_date)
       SELECT g.unit_id, bp.project_id, bp.building_id, '1', g.i::text, 1, g.d FROM bench_gen g JOIN bench_bp bp ON bp.n = g.i % ${PROJECTS}`,
    );
    await m.query(
      `INSERT INTO owners (id, name, mobiles) SELECT owner_id, 'B' || i, ARRAY[(13000000000 + i)::text] FROM bench_gen`,
    );
    await m.query(
      `INSERT INTO owner_units (owner_id, unit_id, relation, is_primary_contact, since) SELECT owner_id, unit_id, 'owner', true, d FROM bench_gen`,
    );
  });
  await ds.query(`VACUUM ANALYZE units`);
  await ds.query(`VACUUM ANALYZE owners`);
  await ds.query(`VACUUM ANALYZE owner_units`);
}

/** The season bands due on `day` as SEASON_BASELINE_SQL's parameters: one per item and band, all its estates at once. */
async function seasonBands(ds: DataSource, scanner: WarrantyScanService, day: string): Promise<unknown[][]> {
  const items: EffectiveItem[] = await scanner.effectiveItems(ds);
  const bands = new Map<string, { projects: string[]; r: ReturnType<typeof handoverRanges>[number] }>();
  for (const r of items.filter((i) => i.basis !== 'months').flatMap((i) => handoverRanges(i, addDays(day, -1), day))) {
    const key = `${r.code}:${r.handoverFrom}:${r.handoverTo}`;
    const band = bands.get(key) ?? { projects: [], r };
    band.projects.push(r.projectId);
    bands.set(key, band);
  }
  return [...bands.values()].map(({ projects, r }) => {
    const expires = warrantyExpiry(r.handoverFrom, r)!;
    return [projects, r.handoverFrom, r.handoverTo, r.code, r.name, expires, day];
  });
}

async function clearNotices(ds: DataSource): Promise<void> {
  // The bench database holds nothing else (DELETE would check notifications' self-reference row by row);
  // CASCADE empties what refers to notifications too (letters).
  await ds.query(`TRUNCATE outbox, notification_receipts, notifications, warranty_notices, warranty_rechecks CASCADE`);
}

async function peakRss<T>(run: () => Promise<T>): Promise<{ value: T; ms: number; peakMb: number }> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5);
  const t = performance.now();
  try {
    const value = await run();
    const ms = performance.now() - t;
    peak = Math.max(peak, process.memoryUsage.rss());
    return { value, ms, peakMb: peak / 1024 / 1024 };
  } finally {
    clearInterval(timer);
  }
}

export async function measure(
  ds: DataSource,
  scanner: WarrantyScanService,
  clock: FakeClock,
  label: string,
  units: number,
  day: string,
  withBaseline = true,
): Promise<WarrantyBenchRow> {
  const best = { ours: Infinity, baseline: Infinity, peak: 0, notices: 0, notifications: 0 };
  for (let round = 0; round < (withBaseline ? 2 : 1); round++) {
    await clearNotices(ds);
    let baselineCounts: { notices: number; notifications: number } | null = null;
    if (withBaseline) {
      const base = await peakRss(async () => {
        const [months] = await ds.query<Array<{ notices: number; notifications: number }>>(BASELINE_SQL, [day]);
        const counts = { ...months! };
        for (const band of await seasonBands(ds, scanner, day)) {
          const [r] = await ds.query<Array<{ notices: number; notifications: number }>>(SEASON_BASELINE_SQL, band);
          counts.notices += r!.notices;
          counts.notifications += r!.notifications;
        }
        return counts;
      });
      best.baseline = Math.min(best.baseline, base.ms);
      baselineCounts = base.value;
    }
    await clearNotices(ds);
    await ds.query(`UPDATE scan_states SET scanned_through = $1 WHERE task = 'warranty-scan'`, [addDays(day, -1)]);
    clock.set(`${day}T08:30:00+08:00`);
    const ours = await peakRss(() => scanner.scan());
    best.ours = Math.min(best.ours, ours.ms);
    best.peak = Math.max(best.peak, ours.peakMb);
    best.notices = ours.value.notices;
    best.notifications = ours.value.notifications;
    if (
      baselineCounts &&
      (ours.value.notices !== baselineCounts.notices || ours.value.notifications !== baselineCounts.notifications)
    ) {
      throw new Error(
        `${label}: ours found ${ours.value.notices}/${ours.value.notifications}, the baseline ${baselineCounts.notices}/${baselineCounts.notifications}`,
      );
    }
  }
  await clearNotices(ds);
  const baselineMs = withBaseline ? best.baseline : null;
  return {
    label,
    units,
    day,
    notices: best.notices,
    notifications: best.notifications,
    oursMs: best.ours,
    baselineMs,
    ratio: baselineMs ? best.ours / baselineMs : null,
    peakRssMb: best.peak,
  };
}

/** Builds the estates in `databaseUrl` (a migrated, empty Kefu database) and runs the three measurements. */
export async function runWarrantyScanBench(opts: {
  databaseUrl: string;
  units?: number;
  smallUnits?: number;
  log?: (s: string) => void;
}): Promise<WarrantyBenchReport> {
  const units = opts.units ?? 1_000_000;
  const small = Math.min(units, opts.smallUnits ?? 100_000);
  const log = opts.log ?? (() => undefined);
  const ds = new DataSource(
    dataSourceOptions(opts.databaseUrl, { poolSize: SCAN_CONNECTIONS + 1, applicationName: 'bench-warranty' }),
  );
  await ds.initialize();
  try {
    const clock = new FakeClock(`${DAY}T08:30:00+08:00`);
    const scanner = new WarrantyScanService(ds, clock, {
      BUSINESS_TIME_ZONE: 'Asia/Shanghai',
      WARRANTY_SCAN_CONNECTIONS: SCAN_CONNECTIONS,
      DB_POOL_SIZE: SCAN_CONNECTIONS + 1,
    } as AppConfig);
    await ds.query(
      `INSERT INTO scan_states (task, scanned_through, last_success_at) VALUES ('warranty-scan', $1, now()) ON CONFLICT DO NOTHING`,
      [addDays(DAY, -1)],
    );

    const setup = performance.now();
    await ds.query(
      `INSERT INTO projects (code, name, city) SELECT 'W' || lpad(n::text, 4, '0'), '压测花园' || n, (ARRAY['北京', '深圳', '上海'])[1 + n % 3] FROM generate_series(0, ${PROJECTS - 1}) n`,
    );
    await ds.query(`INSERT INTO buildings (project_id, name) SELECT id, '1栋' FROM projects WHERE code LIKE 'W%'`);
    await ds.query(
      `CREATE TABLE bench_bp AS SELECT substr(p.code, 2)::int AS n, p.id AS project_id, b.id AS building_id FROM projects p JOIN buildings b ON b.project_id = p.id WHERE p.code LIKE 'W%'`,
    );
    log(`generating ${small.toLocaleString()} units…`);
    await addUnits(ds, 0, small, []);
    let setupSeconds = (performance.now() - setup) / 1000;

    const rows: WarrantyBenchRow[] = [];
    rows.push(await measure(ds, scanner, clock, `${small / 1000}k units, day D`, small, DAY));
    log(rows.at(-1)!.label);

    if (units > small) {
      // D's handover bands (month-based items; nothing season-based is due on D), to keep the added units out of them.
      const items: EffectiveItem[] = await scanner.effectiveItems(ds);
      const bands = [
        ...new Map(
          items
            .flatMap((i) => handoverRanges(i, addDays(DAY, -1), DAY))
            .map((r) => [`${r.handoverFrom}:${r.handoverTo}`, [r.handoverFrom, r.handoverTo] as [string, string]]),
        ).values(),
      ];
      const t = performance.now();
      log(`generating ${(units - small).toLocaleString()} more units…`);
      await addUnits(ds, small, units, bands);
      setupSeconds += (performance.now() - t) / 1000;
      rows.push(await measure(ds, scanner, clock, `${units / 1000}k units, day D (same notices due)`, units, DAY));
      rows.push(await measure(ds, scanner, clock, `${units / 1000}k units, day D2`, units, DAY2));
      if (process.env.BENCH_HEATING_DAY !== '0')
        rows.push(await measure(ds, scanner, clock, `${units / 1000}k units, heating notice day`, units, HEATING_DAY));
    }
    return { rows, setupSeconds };
  } finally {
    await ds.destroy();
  }
}

export function formatWarrantyBench(report: WarrantyBenchReport): string {
  const head = `${'warranty scan'.padEnd(40)} ${'notices'.padStart(8)} ${'messages'.padStart(9)} ${'ours'.padStart(9)} ${'raw SQL'.padStart(9)} ${'ratio'.padStart(6)} ${'peak RSS'.padStart(9)}`;
  const lines = report.rows.map(
    (r) =>
      `${r.label.padEnd(40)} ${String(r.notices).padStart(8)} ${String(r.notifications).padStart(9)} ${`${r.oursMs.toFixed(0)} ms`.padStart(9)} ${(r.baselineMs === null ? 'n/a' : `${r.baselineMs.toFixed(0)} ms`).padStart(9)} ${(r.ratio === null ? '' : r.ratio.toFixed(2)).padStart(6)} ${`${r.peakRssMb.toFixed(0)} MB`.padStart(9)}`,
  );
  return [
    head,
    ...lines,
    `(data generation ${report.setupSeconds.toFixed(1)} s, not timed; ours = the scan's one transaction: notices, owners' notifications, outbox jobs)`,
  ].join('\n');
}

async function main(): Promise<void> {
  Logger.overrideLogger(false);
  const services = await benchServices();
  try {
    const report = await runWarrantyScanBench({
      databaseUrl: services.databaseUrl,
      units: Number(process.env.BENCH_UNITS ?? 1_000_000),
      smallUnits: Number(process.env.BENCH_SMALL_UNITS ?? 100_000),
      log: (s) => process.stderr.write(`${s}\n`),
    });
    process.stdout.write(`${formatWarrantyBench(report)}\n`);
  } finally {
    await services.stop();
  }
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
