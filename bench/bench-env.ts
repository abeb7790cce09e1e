import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client as PgClient } from 'pg';
import { ensureDatabase, freePort, runMigrations, startEmbeddedPostgres, startRedisServer } from '@kefu/shared';

/**
 * What every benchmark's apps run with besides their own settings: production mode (as deployed), so a random secret
 * and a public address (production refuses guessable secrets and localhost links).
 */
export const benchProductionEnv = {
  NODE_ENV: 'production',
  AUTH_TOKEN_SECRET: randomBytes(32).toString('hex'),
  PUBLIC_BASE_URL: 'https://kefu.example.com',
} as const;

/** A throwaway Postgres + Redis for one benchmark run, like the test harness. */
export async function benchServices(): Promise<{
  databaseUrl: string;
  redisUrl: string;
  postgresPid: number | null;
  redisPid: number | null;
  stop: () => Promise<void>;
}> {
  const root = mkdtempSync(join(tmpdir(), 'kefu-bench-'));
  const [pg, redis] = await Promise.all([
    (async () =>
      startEmbeddedPostgres({
        dataDir: join(root, 'pg'),
        port: await freePort(),
        password: 'bench',
        ephemeral: true,
      }))(),
    (async () => startRedisServer({ port: await freePort(), dir: join(root, 'redis'), persistent: false }))(),
  ]);
  await ensureDatabase(pg.url(), 'kefu');
  await runMigrations(pg.url('kefu'));
  const postmaster = (() => {
    try {
      return Number(readFileSync(join(root, 'pg', 'postmaster.pid'), 'latin1').split('\n')[0]) || null;
    } catch {
      return null;
    }
  })();
  return {
    databaseUrl: pg.url('kefu'),
    redisUrl: redis.url,
    postgresPid: postmaster,
    redisPid: redis.process.pid ?? null,
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
export async function runConcurrent(
  n: number,
  concurrency: number,
  task: (i: number) => Promise<void>,
): Promise<{ latencies: number[]; started: number }> {
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

/** CPU seconds used so far: this process (all its threads), the bench's Postgres (postmaster and its children) and Redis (Linux /proc; 0 elsewhere). */
export function cpuSnapshot(services: { postgresPid: number | null; redisPid: number | null }): {
  node: number;
  postgres: number;
  redis: number;
} {
  const own = process.cpuUsage();
  const out = { node: (own.user + own.system) / 1e6, postgres: 0, redis: 0 };
  const tick = 100; // USER_HZ on Linux
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return out;
  }
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const used = (Number(fields[11]) + Number(fields[12])) / tick;
      const ppid = Number(fields[1]);
      // The postmaster's own time includes its reaped children's (cutime, cstime): backends that ended still count.
      if (services.postgresPid !== null && Number(pid) === services.postgresPid)
        out.postgres += used + (Number(fields[13]) + Number(fields[14])) / tick;
      else if (services.postgresPid !== null && ppid === services.postgresPid) out.postgres += used;
      else if (Number(pid) === services.redisPid) out.redis += used;
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/**
 * BENCH_QUERIES=1: counts the statements node-postgres sends (by their first words), so a phase can print
 * its round trips per item. Call once, before the app connects; `take()` returns and resets the counts.
 */
export function queryCounter(): { take: () => Array<[string, number]> } | null {
  if (!process.env.BENCH_QUERIES) return null;
  const counts = new Map<string, number>();
  const proto = PgClient.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const q = args[0] as string | { text?: string; name?: string } | undefined;
    const text = typeof q === 'string' ? q : (q?.text ?? q?.name ?? '?');
    const key = text.replace(/\s+/g, ' ').trim().slice(0, 80);
    counts.set(key, (counts.get(key) ?? 0) + 1);
    return original.apply(this, args);
  };
  return {
    take: () => {
      const out = [...counts.entries()].sort((a, b) => b[1] - a[1]);
      counts.clear();
      return out;
    },
  };
}
