import Redis, { Cluster, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { AppConfig } from '../config';

type RedisConfig = Pick<
  AppConfig,
  'REDIS_URL' | 'REDIS_CLUSTER_NODES' | 'REDIS_SENTINELS' | 'REDIS_SENTINEL_MASTER' | 'QUEUE_PREFIX'
>;

/**
 * Where Redis is: one server (REDIS_URL), a Redis Cluster (REDIS_CLUSTER_NODES, some of its nodes: the client
 * learns the rest) or a master watched by Sentinels (REDIS_SENTINELS + REDIS_SENTINEL_MASTER). REDIS_URL always
 * gives the credentials and TLS (and, for one server, the address and database).
 */
export type RedisTopology =
  | { kind: 'single'; options: RedisOptions }
  | { kind: 'cluster'; nodes: Array<{ host: string; port: number }>; options: RedisOptions }
  | { kind: 'sentinel'; sentinels: Array<{ host: string; port: number }>; name: string; options: RedisOptions };

/** "host:port,host:port" → addresses (port 6379 or 26379 when left out). */
export function parseNodes(list: string, defaultPort: number): Array<{ host: string; port: number }> {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const m = /^(\[[^\]]+\]|[^:]+)(?::(\d{1,5}))?$/.exec(s);
      if (!m) throw new Error(`"${s}" is not host:port`);
      return { host: m[1]!.replace(/^\[|\]$/g, ''), port: m[2] ? Number(m[2]) : defaultPort };
    });
}

/** Credentials, TLS and database of a redis:// URL, as ioredis options. */
export function redisUrlOptions(url: string): RedisOptions & { host: string; port: number; db: number } {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
    tls: u.protocol === 'rediss:' ? {} : undefined,
  };
}

export function redisTopology(config: RedisConfig): RedisTopology {
  const { host, port, ...options } = redisUrlOptions(config.REDIS_URL);
  if (config.REDIS_CLUSTER_NODES) {
    const { db: _db, ...clusterOptions } = options; // a cluster has only database 0
    return { kind: 'cluster', nodes: parseNodes(config.REDIS_CLUSTER_NODES, 6379), options: clusterOptions };
  }
  if (config.REDIS_SENTINELS) {
    return {
      kind: 'sentinel',
      sentinels: parseNodes(config.REDIS_SENTINELS, 26379),
      name: config.REDIS_SENTINEL_MASTER,
      options: {
        ...options,
        // The Sentinels share the data's credentials here (one REDIS_URL).
        sentinelPassword: options.password,
        sentinelUsername: options.username,
        // Follow a failover at once (the Sentinels' +switch-master), and a master demoted under us: a write that
        // meets READONLY reconnects to the master the Sentinels name and is sent again.
        failoverDetector: true,
        reconnectOnError: (err: Error) => (err.message.startsWith('READONLY') ? 2 : false),
      },
    };
  }
  return { kind: 'single', options: { host, port, ...options } };
}

/**
 * A client for the topology, with the caller's behaviour options (timeouts, retries, offline queue). A Cluster
 * and a Redis speak the same commands; keys one command or script touches together must share a hash slot
 * (redisKeyPrefix).
 */
export function createRedisClient(topology: RedisTopology, behaviour: RedisOptions = {}): Redis | Cluster {
  if (topology.kind === 'cluster') {
    const { enableOfflineQueue, ...redisOptions } = { ...topology.options, ...behaviour };
    const options: ClusterOptions = {
      redisOptions,
      enableOfflineQueue: enableOfflineQueue ?? true,
      // A failover moves slots: commands wait and follow the new master (MOVED, slots re-read) instead of failing.
      retryDelayOnFailover: 200,
      retryDelayOnClusterDown: 300,
      slotsRefreshTimeout: 2000,
    };
    return new Cluster(topology.nodes, options);
  }
  if (topology.kind === 'sentinel') {
    return new Redis({ ...topology.options, ...behaviour, sentinels: topology.sentinels, name: topology.name });
  }
  return new Redis({ ...topology.options, ...behaviour });
}

/**
 * BullMQ's connection: options for one server or Sentinels (BullMQ opens and closes its own connections from
 * them), a Cluster client for a cluster (BullMQ takes a cluster only as a client; its owner closes it).
 * maxRetriesPerRequest null: BullMQ's workers need it; producers bound every add by a timeout instead
 * (QueueProducer, the outbox relay), so none hangs while Redis is down.
 */
export function queueConnection(topology: RedisTopology): RedisOptions | Cluster {
  if (topology.kind === 'cluster') return createRedisClient(topology, { maxRetriesPerRequest: null }) as Cluster;
  if (topology.kind === 'sentinel')
    return { ...topology.options, sentinels: topology.sentinels, name: topology.name, maxRetriesPerRequest: null };
  return { ...topology.options, maxRetriesPerRequest: null };
}

/**
 * BullMQ's prefix. In a cluster every key of one queue must hash to one slot (BullMQ's scripts touch several at
 * once), so the prefix is a hash tag: `{kefu}`; all queues then live on one master (three queues — their load
 * is jobs, not memory). Elsewhere the plain prefix.
 */
export function queuePrefix(config: RedisConfig): string {
  return config.REDIS_CLUSTER_NODES ? `{${config.QUEUE_PREFIX}}` : config.QUEUE_PREFIX;
}

/**
 * The prefix of Kefu's own keys for one purpose (`auth`, `rate`): a hash tag in a cluster, so a script over
 * several of them (the login throttle's) finds them in one slot.
 */
export function redisKeyPrefix(config: RedisConfig, purpose: string): string {
  return config.REDIS_CLUSTER_NODES ? `{${config.QUEUE_PREFIX}:${purpose}}` : `${config.QUEUE_PREFIX}:${purpose}`;
}
