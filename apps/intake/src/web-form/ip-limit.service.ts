import { createHmac, hkdfSync } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { PoolClient, QueryResult } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG, AppException, type AppConfig } from '@kefu/shared';

const WINDOW_MS = 3600_000;

/** How a submission dealt with the proof of work: done, not done (no JavaScript), or not asked for. */
export type PowMode = 'solved' | 'none' | 'off';

/**
 * The part of a client address a limit applies to: an IPv4 address, or the /64 of an IPv6 one (one
 * subscriber gets a whole /64, so counting single v6 addresses would limit nobody).
 */
export function clientKey(ip: string): string {
  const v4 = /^(?:::ffff:)?(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (v4?.[1]) return v4[1];
  if (!ip.includes(':')) return ip;
  const addr = ip.split('%')[0] ?? ip;
  const [head = '', tail] = addr.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t];
  return `${groups.slice(0, 4).map((g) => g.toLowerCase().replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/** An address's web submissions since `$2`, by its hash `$1` (served by ix_intake_records_web_ip). */
const COUNT_SQL = `SELECT count(*)::int AS total, count(*) FILTER (WHERE raw->'client'->>'pow' = 'none')::int AS no_js,
       min(received_at) AS oldest, min(received_at) FILTER (WHERE raw->'client'->>'pow' = 'none') AS oldest_no_js
  FROM intake_records WHERE source = 'web' AND received_at > $2 AND raw->'client'->>'ipHash' = $1`;

interface Counts {
  total: number;
  no_js: number;
  oldest: Date | null;
  oldest_no_js: Date | null;
}

/**
 * Per-IP limits of the public web form, counted in Postgres (so they hold while Redis is down) over the
 * web intake records of the last hour, by a salted hash of the address: no raw IP is stored. Spam caught
 * by the honeypot counts too. Submissions without the proof of work (no JavaScript) have a stricter limit
 * of their own: a fifth of the hourly limit, at least 1.
 *
 * NOTE: the count filters on `raw->'client'->>'ipHash'`; an expression index would keep it cheap as the
 * table grows (proposed in the web-form report; the table is not this module's to migrate).
 */
@Injectable()
export class WebIpLimits {
  private readonly key: Buffer;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.key = Buffer.from(hkdfSync('sha256', config.AUTH_TOKEN_SECRET, 'kefu', 'kefu-web-form-ip', 32));
  }

  get limits(): { total: number; noJs: number } {
    const total = this.config.WEB_FORM_MAX_PER_IP_PER_HOUR;
    return { total, noJs: Math.max(1, Math.floor(total / 5)) };
  }

  /** Keyed hash of the client's address (see `clientKey`): the same address gives the same hash, the hash gives no address back. */
  hash(ip: string): string {
    return createHmac('sha256', this.key).update(clientKey(ip)).digest('hex').slice(0, 32);
  }

  /** Refuses with 429 when this address has used up its hour (before answering a submission that writes no case). */
  async check(ipHash: string, pow: PowMode, now = new Date()): Promise<void> {
    this.judge(await this.count(this.ds, ipHash, now), pow, now);
  }

  /**
   * Runs `write` in a transaction that first takes this address's advisory lock (held until commit) and
   * then counts its submissions, so concurrent requests cannot slip past the limit together. The begin,
   * the lock and the count are ONE round trip: a multi-statement simple query (each statement its own
   * snapshot, so the count, run once the lock is held, sees every submission committed before it). Its
   * values are the address's hash (hex, checked) and a timestamp we format: nothing a client wrote.
   * Over the limit: rolled back, 429. Returns what `write` returned, after the commit.
   */
  async serialised<T>(ipHash: string, pow: PowMode, now: Date, write: (m: EntityManager) => Promise<T>): Promise<T> {
    if (!/^[0-9a-f]{32}$/.test(ipHash)) throw new Error('not an address hash');
    const since = new Date(now.getTime() - WINDOW_MS).toISOString();
    const sql = `BEGIN; SELECT pg_advisory_xact_lock(hashtext('kefu-web-ip:${ipHash}')); ${COUNT_SQL.replace('$1', () => `'${ipHash}'`).replace('$2', () => `'${since}'::timestamptz`)}`;
    const runner = this.ds.createQueryRunner();
    // The driver's own client: TypeORM's query() drops the results of a multi-statement query.
    const client = (await runner.connect()) as PoolClient;
    try {
      const results = (await client.query<Counts>(sql)) as unknown as Array<QueryResult<Counts>>;
      this.judge(results[2]?.rows[0] ?? { total: 0, no_js: 0, oldest: null, oldest_no_js: null }, pow, now);
      const out = await write(runner.manager);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      await runner.release();
    }
  }

  private async count(q: DataSource | EntityManager, ipHash: string, now: Date): Promise<Counts> {
    const rows = await q.query<Counts[]>(COUNT_SQL, [ipHash, new Date(now.getTime() - WINDOW_MS)]);
    return rows[0] ?? { total: 0, no_js: 0, oldest: null, oldest_no_js: null };
  }

  /** The count is of earlier submissions (the one being judged is not written yet). */
  private judge(c: Counts, pow: PowMode, now: Date): void {
    const { total, noJs } = this.limits;
    const retryAfter = (oldest: Date | null) => Math.max(60, Math.ceil(((oldest?.getTime() ?? now.getTime()) + WINDOW_MS - now.getTime()) / 1000));
    if (c.total >= total) {
      const s = retryAfter(c.oldest);
      throw new AppException('rate_limited', `提交过于频繁：同一网络每小时最多提交${total}次，请约${Math.ceil(s / 60)}分钟后再试。如情况紧急，请致电客服热线。`, { retryAfterSeconds: s });
    }
    if (pow === 'none' && c.no_js >= noJs) {
      const s = retryAfter(c.oldest_no_js);
      throw new AppException(
        'rate_limited',
        `提交过于频繁：未启用JavaScript时，同一网络每小时最多提交${noJs}次。请启用JavaScript后重新提交，或约${Math.ceil(s / 60)}分钟后再试。如情况紧急，请致电客服热线。`,
        { retryAfterSeconds: s },
      );
    }
  }
}
