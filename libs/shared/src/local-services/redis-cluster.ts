import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';
import { freePort } from './free-port';
import { startRedisServer, type LocalRedis } from './redis-server';

/**
 * Redis beyond one node, from the same `redis-server` binary, for the tests of REDIS_CLUSTER_NODES and
 * REDIS_SENTINELS: a Redis Cluster of N masters with a replica each, and a master with a replica watched by three
 * Sentinels. Both can fail over on request, the way an operator's maintenance or a dead machine would.
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | null | undefined | false>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => null);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await sleep(100);
  }
}

export interface LocalRedisCluster {
  /** "127.0.0.1:p1,127.0.0.1:p2,…": REDIS_CLUSTER_NODES. */
  nodes: string;
  servers: LocalRedis[];
  /** The master serving `key`'s slot (by its port). */
  masterOf: (key: string) => Promise<number>;
  /**
   * Fails the master serving `key` over to its replica: `graceful` (CLUSTER FAILOVER on the replica: it catches up
   * first, as in maintenance), or `kill` (SIGKILL of the master: the cluster promotes the replica after its timeout).
   * Resolves with the new master's port once the cluster serves the slot from it.
   */
  failover: (key: string, how: 'graceful' | 'kill') => Promise<number>;
  stop: () => Promise<void>;
}

/** Starts `masters` masters and one replica each, and forms the cluster (redis-cli --cluster create). */
export async function startRedisCluster(opts: { dir: string; masters?: number }): Promise<LocalRedisCluster> {
  const masters = opts.masters ?? 3;
  const servers: LocalRedis[] = [];
  for (let i = 0; i < masters * 2; i++) {
    const port = await freePort();
    const dir = join(opts.dir, String(port));
    servers.push(
      await startRedisServer({
        port,
        dir,
        persistent: false,
        extraArgs: ['--cluster-enabled', 'yes', '--cluster-config-file', join(dir, 'nodes.conf')].concat([
          '--cluster-node-timeout',
          '1500',
          '--cluster-replica-validity-factor',
          '0',
        ]),
      }),
    );
  }
  const addresses = servers.map((s) => `127.0.0.1:${s.port}`);
  const created = spawnSync(
    'redis-cli',
    ['--cluster', 'create', ...addresses, '--cluster-replicas', '1', '--cluster-yes'],
    { encoding: 'utf8', timeout: 30_000 },
  );
  if (created.status !== 0) {
    await Promise.all(servers.map((s) => s.stop()));
    throw new Error(`redis-cli --cluster create failed: ${created.stderr || created.stdout}`);
  }
  const client = (port: number) => new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1 });
  const ask = async <T>(port: number, f: (r: Redis) => Promise<T>): Promise<T> => {
    const r = client(port);
    try {
      await r.connect();
      return await f(r);
    } finally {
      r.disconnect();
    }
  };
  const alive = () => servers.filter((s) => s.process.exitCode === null && s.process.signalCode === null);
  // Every live node agrees that all slots are served.
  const settled = () =>
    until('the cluster to be ok', 30_000, async () => {
      for (const s of alive()) {
        const info = await ask(s.port, (r) => r.cluster('INFO'));
        if (!/cluster_state:ok/.test(info)) return false;
      }
      return true;
    });
  await settled();
  const masterOf = async (key: string) => {
    const any = alive()[0]!;
    const slot = await ask(any.port, (r) => r.cluster('KEYSLOT', key));
    const slots = (await ask(any.port, (r) => r.cluster('SLOTS'))) as unknown as Array<
      [number, number, [string, number]]
    >;
    const range = slots.find(([from, to]) => slot >= from && slot <= to);
    if (!range) throw new Error(`no node serves slot ${slot}`);
    return range[2][1];
  };
  const failover = async (key: string, how: 'graceful' | 'kill') => {
    const old = await masterOf(key);
    const replica = await until(`a replica of ${old}`, 10_000, async () => {
      for (const s of alive()) {
        const role = await ask<unknown[]>(s.port, (r) => r.role());
        if (role[0] === 'slave' && Number(role[2]) === old) return s.port;
      }
      return null;
    });
    if (how === 'kill') servers.find((s) => s.port === old)!.process.kill('SIGKILL');
    // A manual failover gives up quietly when the replica cannot catch up within its own timeout (a busy machine,
    // writes still coming): asked again every few seconds until the replica serves the slot.
    let asked = 0;
    await until(`${replica} to serve ${key}`, 90_000, async () => {
      if ((await masterOf(key)) === replica) return true;
      if (how === 'graceful' && Date.now() - asked > 6000) {
        asked = Date.now();
        await ask(replica, (r) => r.cluster('FAILOVER'));
      }
      return false;
    });
    await settled();
    return replica;
  };
  return {
    nodes: addresses.join(','),
    servers,
    masterOf,
    failover,
    stop: async () => {
      await Promise.all(servers.map((s) => s.stop()));
    },
  };
}

export interface LocalRedisSentinels {
  /** "127.0.0.1:p1,…": REDIS_SENTINELS. */
  sentinels: string;
  masterName: string;
  /** The port of the master the Sentinels name now. */
  master: () => Promise<number>;
  /** Asks a Sentinel to fail the master over (SENTINEL FAILOVER) and waits until the Sentinels name the new one. */
  failover: () => Promise<number>;
  stop: () => Promise<void>;
}

/** A master, one replica and three Sentinels (quorum 2) watching them as `mymaster`. */
export async function startRedisSentinels(opts: { dir: string; masterName?: string }): Promise<LocalRedisSentinels> {
  const masterName = opts.masterName ?? 'mymaster';
  const masterPort = await freePort();
  const master = await startRedisServer({ port: masterPort, dir: join(opts.dir, 'master'), persistent: false });
  const replicaPort = await freePort();
  const replica = await startRedisServer({
    port: replicaPort,
    dir: join(opts.dir, 'replica'),
    persistent: false,
    extraArgs: ['--replicaof', '127.0.0.1', String(masterPort)],
  });
  const sentinels: Array<{ port: number; process: ReturnType<typeof spawn> }> = [];
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    const dir = join(opts.dir, `sentinel-${port}`);
    mkdirSync(dir, { recursive: true });
    const conf = join(dir, 'sentinel.conf');
    writeFileSync(
      conf,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor ${masterName} 127.0.0.1 ${masterPort} 2`,
        `sentinel down-after-milliseconds ${masterName} 1000`,
        `sentinel failover-timeout ${masterName} 5000`,
        `sentinel parallel-syncs ${masterName} 1`,
        '',
      ].join('\n'),
    );
    const child = spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore' });
    sentinels.push({ port, process: child });
  }
  const ask = async <T>(port: number, f: (r: Redis) => Promise<T>): Promise<T> => {
    const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await r.connect();
      return await f(r);
    } finally {
      r.disconnect();
    }
  };
  const named = async () =>
    Number(
      (
        (await ask(sentinels[0]!.port, (r) => r.call('SENTINEL', 'get-master-addr-by-name', masterName))) as string[]
      )[1],
    );
  // Each Sentinel has found the replica (through the master) before a failover can promote it.
  await until('the Sentinels to know the replica', 30_000, async () => {
    for (const s of sentinels) {
      const replicas = (await ask(s.port, (r) => r.call('SENTINEL', 'replicas', masterName))) as unknown[];
      if (!replicas.length) return false;
    }
    const role = await ask<unknown[]>(replicaPort, (r) => r.role());
    return role[3] === 'connected';
  });
  const stopSentinel = (s: (typeof sentinels)[number]) =>
    new Promise<void>((resolve) => {
      if (s.process.exitCode !== null || s.process.signalCode !== null) return resolve();
      s.process.once('exit', () => resolve());
      s.process.kill('SIGTERM');
    });
  return {
    sentinels: sentinels.map((s) => `127.0.0.1:${s.port}`).join(','),
    masterName,
    master: named,
    failover: async () => {
      const old = await named();
      await ask(sentinels[0]!.port, (r) => r.call('SENTINEL', 'failover', masterName));
      const promoted = await until('the Sentinels to name a new master', 30_000, async () => {
        const now = await named();
        if (now === old) return null;
        const role = await ask<unknown[]>(now, (r) => r.role());
        return role[0] === 'master' ? now : null;
      });
      // Over only once the old master has been turned into a replica: until then it still takes writes (which its
      // resync then drops), so a client that has not yet heard of the switch loses what it writes there.
      await until('the old master to become a replica', 30_000, async () => {
        const role = await ask<unknown[]>(old, (r) => r.role());
        return role[0] === 'slave';
      });
      return promoted;
    },
    stop: async () => {
      await Promise.all(sentinels.map(stopSentinel));
      await Promise.all([master.stop(), replica.stop()]);
    },
  };
}

/** Whether this machine can run them: redis-cli (Debian's redis-tools, which redis-server depends on). */
export function hasRedisCli(): boolean {
  return spawnSync('redis-cli', ['--version'], { stdio: 'ignore' }).status === 0;
}
