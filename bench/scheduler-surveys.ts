/**
 * `npm run bench:scheduler-surveys`: one daily survey scan (SurveyScanService.scan: the estate's round, the invitations
 * and their notifications with signed links) over BENCH_UNITS ownerships (100,000) whose move-in dates are spread over
 * ten years, one owner each, timed with this process's peak RSS; then the same day again (nothing new: the cost of
 * finding nothing). Prints one JSON line.
 */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { addDays, dataSourceOptions, FakeClock, type AppConfig } from '@kefu/shared';
import { SURVEY_SCAN_TASK, SurveyScanService } from '../apps/scheduler/src/surveys/survey-scan.service';
import { benchServices } from './bench-env';

const DAY = '2026-06-10';
const FIRST_HANDOVER = '2016-06-01';
const TEN_YEARS = 3653;

async function main(): Promise<void> {
  const units = Number(process.env.BENCH_UNITS ?? 100_000);
  const services = await benchServices();
  const ds = new DataSource(dataSourceOptions(services.databaseUrl, { poolSize: 2, applicationName: 'bench-surveys' }));
  await ds.initialize();
  try {
    const setup = performance.now();
    await ds.transaction(async (m) => {
      await m.query(`SET LOCAL statement_timeout = 0`);
      await m.query(`SET LOCAL session_replication_role = replica`);
      const [p] = await m.query<Array<{ id: string }>>(
        `INSERT INTO projects (code, name, city) VALUES ('S0001', '压测花园', '深圳') RETURNING id`,
      );
      const [b] = await m.query<Array<{ id: string }>>(
        `INSERT INTO buildings (project_id, name) VALUES ($1, '1栋') RETURNING id`,
        [p!.id],
      );
      await m.query(
        `CREATE TEMP TABLE bench_gen ON COMMIT DROP AS
         SELECT i, gen_random_uuid() AS unit_id, gen_random_uuid() AS owner_id,
                ('${FIRST_HANDOVER}'::date + ((i::bigint * 7919) % ${TEN_YEARS})::int) AS d
         FROM generate_series(0, $1::int - 1) i`,
        [units],
      );
      await m.query(
        `INSERT INTO units (id, project_id, building_id, entrance, room, floor, handover_date)
         SELECT unit_id, $1, $2, '1', i::text, 1, d FROM bench_gen`,
        [p!.id, b!.id],
      );
      await m.query(
        `INSERT INTO owners (id, name, mobiles) SELECT owner_id, 'B' || i, ARRAY[(13000000000 + i)::text] FROM bench_gen`,
      );
      await m.query(
        `INSERT INTO owner_units (owner_id, unit_id, relation, is_primary_contact, since)
         SELECT owner_id, unit_id, 'owner', true, d - 200 FROM bench_gen`,
      );
    });
    for (const t of ['units', 'owners', 'owner_units']) await ds.query(`VACUUM ANALYZE ${t}`);
    const setupSeconds = (performance.now() - setup) / 1000;

    const clock = new FakeClock(`${DAY}T09:40:00+08:00`);
    const config = {
      BUSINESS_TIME_ZONE: 'Asia/Shanghai',
      AUTH_TOKEN_SECRET: 'b'.repeat(64),
      PUBLIC_BASE_URL: 'https://kefu.example.com',
      SURVEY_AFTER_CONTRACT_MONTHS: 1,
      SURVEY_FIRST_AFTER_MONTHS: 3,
      SURVEY_YEARLY_UNTIL_YEARS: 5,
      SURVEY_LATER_EVERY_YEARS: 2,
      SURVEY_LINK_TTL_DAYS: 30,
      SURVEY_REMINDER_AFTER_DAYS: 7,
    } as AppConfig;
    const scanner = new SurveyScanService(ds, clock, config);
    await ds.query(`INSERT INTO scan_states (task, scanned_through, last_success_at) VALUES ($1, $2, now())`, [
      SURVEY_SCAN_TASK,
      addDays(DAY, -1),
    ]);
    let peak = process.memoryUsage.rss();
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5);
    const t0 = performance.now();
    const first = await scanner.scan();
    const firstMs = performance.now() - t0;
    // The next day: a whole day's occasions again, the common case.
    clock.set(`${addDays(DAY, 1)}T09:40:00+08:00`);
    const t1 = performance.now();
    const second = await scanner.scan();
    const secondMs = performance.now() - t1;
    // The same day again: nothing to invite (the hourly ticks after the first).
    const t2 = performance.now();
    const again = await scanner.scan();
    const againMs = performance.now() - t2;
    clearInterval(timer);
    console.log(
      JSON.stringify({
        units,
        setupSeconds: Math.round(setupSeconds),
        day1: { ...first, ms: Math.round(firstMs) },
        day2: { ...second, ms: Math.round(secondMs) },
        sameDayAgain: { ...again, ms: Math.round(againMs) },
        peakRssMb: Math.round(peak / 1024 / 1024),
      }),
    );
  } finally {
    await ds.destroy();
    await services.stop();
  }
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
