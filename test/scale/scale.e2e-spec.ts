import { countAll, describeDoubles, report, type Counts } from './scale-checks';
import { retryDb, ScaleLoad, type LoadSizes } from './scale-load';
import { buildOnce, ScaleStack } from './scale-stack';
import type { AppKind } from './scale-processes';
import { SimulatedWeek } from './scale-week';

/**
 * `npm run test:scale`: 2 intake, 2 scheduler and 3 notifier processes (`node dist/...`) on one Postgres and one
 * Redis, under a mixed load, while one process of each kind is SIGKILLed and restarted, Redis is stopped for 30 s
 * (and comes back empty) and Postgres is restarted; meanwhile the schedulers and notifiers live through a simulated week
 * of warranty and reminder scans (scale-week.ts). Then it waits for the system to go quiet and checks, and
 * prints, that nothing was lost and nothing done twice. Sizes: KEFU_SCALE_* below (defaults sized for a
 * 2-core machine to finish in a few minutes).
 */
const size = (name: string, fallback: number) => Number(process.env[`KEFU_SCALE_${name}`] ?? fallback);
const sizes: LoadSizes = {
  hotline: size('HOTLINE', 800),
  web: size('WEB', 400),
  cdr: size('CDR', 400),
  notifications: size('NOTIFICATIONS', 8_000),
};
const FAULTS = process.env.KEFU_SCALE_FAULTS !== '0';
// The simulated week: its estate's units (each owes warranty notices on one day of the week) and the real time
// each simulated day lasts.
const WEEK = process.env.KEFU_SCALE_WEEK !== '0';
const WEEK_UNITS = size('WEEK_UNITS', 140);
const WEEK_DAY_MS = size('WEEK_DAY_MS', 12_000);
const WEEK_STARTS_AFTER_MS = 20_000;
const QUIET_WITHIN_MS = 10 * 60_000;
const REDIS_DOWN_MS = 30_000;

const log = (msg: string) => process.stdout.write(`[scale ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A random moment in [from, to) ms, printed so a failing run says when its faults came. */
const between = (from: number, to: number) => from + Math.floor(Math.random() * (to - from));

describe('many replicas under faults (test:scale)', () => {
  const stack = new ScaleStack({ intake: 2, scheduler: 2, notifier: 3 });
  const week = WEEK ? new SimulatedWeek(stack, { units: WEEK_UNITS, dayMs: WEEK_DAY_MS }) : undefined;
  const faults: string[] = [];

  beforeAll(async () => {
    buildOnce();
    await stack.start();
    log(`up: ${stack.apps.map((a) => `${a.name}:${a.port}`).join(' ')}`);
  }, 20 * 60_000);
  afterAll(async () => {
    await stack.stop();
  }, 120_000);

  async function killAndRestart(kind: AppKind, atMs: number): Promise<void> {
    await sleep(atMs);
    const victims = stack.of(kind);
    const victim = victims[Math.floor(Math.random() * victims.length)]!;
    log(`SIGKILL ${victim.name}`);
    await victim.kill();
    faults.push(`SIGKILL ${victim.name} at +${Math.round(atMs / 1000)} s`);
    await sleep(2_000);
    victim.start();
    await victim.waitHealthy(180_000);
    log(`${victim.name} back`);
  }

  async function redisOutage(atMs: number): Promise<void> {
    await sleep(atMs);
    log('stopping Redis for 30 s (it comes back empty)');
    await stack.redis.stop();
    faults.push(`Redis down ${REDIS_DOWN_MS / 1000} s at +${Math.round(atMs / 1000)} s, back empty`);
    await sleep(REDIS_DOWN_MS);
    await stack.startRedis();
    log('Redis back');
  }

  async function postgresRestart(atMs: number): Promise<void> {
    await sleep(atMs);
    log('restarting Postgres');
    await stack.pg.stop();
    faults.push(`Postgres restarted at +${Math.round(atMs / 1000)} s`);
    await stack.startPostgres();
    log('Postgres back');
  }

  async function waitQuiet(): Promise<Counts> {
    const deadline = Date.now() + QUIET_WITHIN_MS;
    let last: Counts | undefined;
    let lastLog = 0;
    for (;;) {
      last = await retryDb(() => countAll(stack, sizes, week));
      const { wrong } = report(last);
      if (last.moving === 0 && wrong.length === 0) return last;
      if (Date.now() > deadline || last.checks.some((c) => c.final && c.expected !== c.actual)) return last;
      if (Date.now() - lastLog > 15_000) {
        lastLog = Date.now();
        log(`still moving: ${last.moving}; differing now: ${wrong.length}`);
      }
      await sleep(3_000);
    }
  }

  it(
    'loses nothing and does nothing twice, and says what it counted',
    async () => {
      const started = Date.now();
      const projectId = (
        await stack.ds.query<Array<{ id: string }>>(`SELECT id FROM projects ORDER BY code LIMIT 1`)
      )[0]!.id;
      log(
        `load: ${sizes.hotline} hotline calls, ${sizes.web} web forms, ${sizes.cdr} CDR missed calls, ${sizes.notifications} notifications`,
      );
      const load = new ScaleLoad(stack);
      if (week) {
        await load.login();
        await week.prepare(load.accessToken);
        log(
          `simulated week: ${WEEK_UNITS} units owing ${week.counts!.expectedNotices} warranty notices on days 1–7, ${WEEK_DAY_MS / 1000} s a day`,
        );
      }
      const running: Array<Promise<void>> = [load.run(sizes, projectId)];
      if (week) running.push(sleep(WEEK_STARTS_AFTER_MS).then(() => week.run(log)));
      if (FAULTS) {
        // Each fault at a random moment of its own window, Redis and Postgres apart so each is seen on its own.
        running.push(
          killAndRestart('notifier', between(10_000, 30_000)),
          killAndRestart('intake', between(10_000, 30_000)),
          killAndRestart('scheduler', between(10_000, 30_000)),
          redisOutage(between(35_000, 45_000)),
          postgresRestart(between(95_000, 110_000)),
        );
      }
      const outcomes = await Promise.allSettled(running);
      const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      if (failed.length)
        throw new Error(
          `${failed.map((f) => String(f.reason instanceof Error ? f.reason.message : f.reason)).join('\n')}\n${stack.describe()}`,
        );
      log(`load done in ${Math.round((Date.now() - started) / 1000)} s (${load.retries} client retries); waiting…`);

      const counts = await waitQuiet();
      const { table, wrong } = report(counts);
      log(`faults: ${faults.join('; ') || 'none'}`);
      log(`checked after ${Math.round((Date.now() - started) / 1000)} s:\n${table}`);
      if (wrong.length) {
        const doubles = await describeDoubles(stack).catch(
          (e: unknown) => `(could not list the doubles: ${String(e)})`,
        );
        throw new Error(`counts differ:\n${wrong.join('\n')}\n\n${doubles}\n\n${stack.describe()}`);
      }
      expect(wrong).toEqual([]);
    },
    30 * 60_000,
  );
});
