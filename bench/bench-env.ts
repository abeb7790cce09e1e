import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDatabase, freePort, runMigrations, startEmbeddedPostgres, startRedisServer } from '@kefu/shared';

/** A throwaway Postgres + Redis for one benchmark run, like the test harness. */
export async function benchServices(): Promise<{ databaseUrl: string; redisUrl: string; stop: () => Promise<void> }> {
  const root = mkdtempSync(join(tmpdir(), 'kefu-bench-'));
  const [pg, redis] = await Promise.all([
    (async () => startEmbeddedPostgres({ dataDir: join(root, 'pg'), port: await freePort(), password: 'bench', ephemeral: true }))(),
    (async () => startRedisServer({ port: await freePort(), dir: join(root, 'redis'), persistent: false }))(),
  ]);
  await ensureDatabase(pg.url(), 'kefu');
  await runMigrations(pg.url('kefu'));
  return {
    databaseUrl: pg.url('kefu'),
    redisUrl: redis.url,
    stop: async () => {
      await Promise.all([pg.stop(), redis.stop()]);
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export interface RunStats {
  n: number;
  seconds: number;
  perSecond: number;
  p50ms: number;
  p99ms: number;
}

/** Runs `task(i)` n times with `concurrency` in flight; latency per task. */
export async function runConcurrent(n: number, concurrency: number, task: (i: number) => Promise<void>): Promise<{ latencies: number[]; started: number }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < n; i = next++) {
        const t = performance.now();
        await task(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { latencies, started };
}

export function stats(n: number, started: number, finished: number, latencies: number[]): RunStats {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const seconds = (finished - started) / 1000;
  return { n, seconds, perSecond: n / seconds, p50ms: at(0.5), p99ms: at(0.99) };
}
