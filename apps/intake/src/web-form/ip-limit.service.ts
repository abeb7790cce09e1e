import { createHmac, hkdfSync } from 'node:crypto';
import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, AppException, clientKey, type AppConfig } from '@kefu/shared';

const WINDOW_MS = 3600_000;

/** How a submission dealt with the proof of work: done, not done (no JavaScript), or not asked for. */
export type PowMode = 'solved' | 'none' | 'off';

interface Counts {
  total: number;
  no_js: number;
  oldest: Date | null;
  oldest_no_js: Date | null;
}

const noCounts: Counts = { total: 0, no_js: 0, oldest: null, oldest_no_js: null };
/** How often stale rows (no submission within the hour) are deleted. */
const SWEEP_MS = 10 * 60_000;

/**
 * Per-IP limits of the public web form, kept in Postgres (so they hold while Redis is down) in one
 * web_ip_usage row per address: the times of its submissions within the hour, by a salted hash of the
 * address (no raw IP is stored). Spam caught by the honeypot counts too. Submissions without the proof of
 * work (no JavaScript) have a stricter limit of their own: a fifth of the hourly limit, at least 1.
 *
 * A submission that will be written is judged in the statement that writes its case (`guard`): the
 * address's row is upserted only while under the limit, and its row lock makes concurrent submissions
 * from one address queue up and each see the ones before — exact, with no transaction or advisory lock
 * around it. Every other answer is preceded by `check` (a refusal costs no write).
 */
@Injectable()
export class WebIpLimits implements OnModuleInit, OnModuleDestroy {
  private readonly key: Buffer;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.key = Buffer.from(hkdfSync('sha256', config.AUTH_TOKEN_SECRET, 'kefu', 'kefu-web-form-ip', 32));
  }

  onModuleInit(): void {
    this.sweeper = setInterval(() => void this.sweep().catch(() => undefined), SWEEP_MS);
    this.sweeper.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
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
    this.judge(await this.counts(ipHash, now), pow, now);
  }

  /**
   * The case statement's guard for one submission (NewCaseInput.guard): counts it against the address
   * and returns a row while the address is under its limits; over them, returns none and changes nothing.
   * ON CONFLICT DO UPDATE locks the address's row and judges its latest version, so submissions from one
   * address at the same moment are judged one after the other.
   */
  guard(ipHash: string, pow: PowMode, now: Date): (param: (value: unknown) => string) => string {
    return (p) => {
      const h = p(ipHash);
      const at = `${p(now)}::timestamptz`;
      const since = `${p(new Date(now.getTime() - WINDOW_MS))}::timestamptz`;
      const noJs = `${p(pow === 'none')}::boolean`;
      const mine = `CASE WHEN ${noJs} THEN ARRAY[${at}] ELSE '{}'::timestamptz[] END`;
      return `INSERT INTO web_ip_usage AS w (ip_hash, hits, no_js_hits, updated_at) VALUES (${h}, ARRAY[${at}], ${mine}, ${at})
              ON CONFLICT (ip_hash) DO UPDATE SET hits = ARRAY(SELECT t FROM unnest(w.hits) t WHERE t > ${since}) || ${at},
                     no_js_hits = ARRAY(SELECT t FROM unnest(w.no_js_hits) t WHERE t > ${since}) || ${mine}, updated_at = ${at}
               WHERE (SELECT count(*) FROM unnest(w.hits) t WHERE t > ${since}) < ${p(this.limits.total)}::int
                 AND NOT (${noJs} AND (SELECT count(*) FROM unnest(w.no_js_hits) t WHERE t > ${since}) >= ${p(this.limits.noJs)}::int)
              RETURNING 1`;
    };
  }

  /** Counts a submission that writes no case (the honeypot's) against the address, whatever its count. */
  async record(ipHash: string, pow: PowMode, now: Date): Promise<void> {
    const since = new Date(now.getTime() - WINDOW_MS);
    await this.ds.query(
      `INSERT INTO web_ip_usage AS w (ip_hash, hits, no_js_hits, updated_at) VALUES ($1, ARRAY[$2::timestamptz], CASE WHEN $4 THEN ARRAY[$2::timestamptz] ELSE '{}'::timestamptz[] END, $2)
       ON CONFLICT (ip_hash) DO UPDATE SET hits = ARRAY(SELECT t FROM unnest(w.hits) t WHERE t > $3) || $2::timestamptz,
              no_js_hits = ARRAY(SELECT t FROM unnest(w.no_js_hits) t WHERE t > $3) || CASE WHEN $4 THEN ARRAY[$2::timestamptz] ELSE '{}'::timestamptz[] END, updated_at = $2`,
      [ipHash, now, since, pow === 'none'],
    );
  }

  /** The refusal for a submission its guard turned away: 429 with the address's own Retry-After. */
  async refused(ipHash: string, pow: PowMode, now: Date): Promise<never> {
    await this.check(ipHash, pow, now);
    // Under the limit again by now (its oldest submission just left the hour): still refused, as it was judged.
    throw new AppException('rate_limited', '提交过于频繁，请约1分钟后再试。如情况紧急，请致电客服热线。', {
      retryAfterSeconds: 60,
    });
  }

  /** Deletes the rows of addresses with no submission within the hour, and upload budgets of past hours (upload-budget.guard.ts). */
  async sweep(now = new Date()): Promise<number> {
    const rows = await this.ds.query<Array<{ n: number }>>(
      `WITH d AS (DELETE FROM web_ip_usage WHERE updated_at < $1 RETURNING 1),
            budgets AS (DELETE FROM web_upload_usage WHERE hour < date_trunc('hour', $1::timestamptz))
       SELECT count(*)::int AS n FROM d`,
      [new Date(now.getTime() - WINDOW_MS)],
    );
    return rows[0]?.n ?? 0;
  }

  private async counts(ipHash: string, now: Date): Promise<Counts> {
    const rows = await this.ds.query<Array<{ hits: Date[]; no_js_hits: Date[] }>>(
      `SELECT hits, no_js_hits FROM web_ip_usage WHERE ip_hash = $1`,
      [ipHash],
    );
    const row = rows[0];
    if (!row) return noCounts;
    const since = now.getTime() - WINDOW_MS;
    const recent = (ts: Date[]) =>
      ts
        .map((t) => new Date(t))
        .filter((t) => t.getTime() > since)
        .sort((a, b) => a.getTime() - b.getTime());
    const all = recent(row.hits);
    const noJs = recent(row.no_js_hits);
    return { total: all.length, no_js: noJs.length, oldest: all[0] ?? null, oldest_no_js: noJs[0] ?? null };
  }

  /** The count is of earlier submissions (the one being judged is not written yet). */
  private judge(c: Counts, pow: PowMode, now: Date): void {
    const { total, noJs } = this.limits;
    const retryAfter = (oldest: Date | null) =>
      Math.max(60, Math.ceil(((oldest?.getTime() ?? now.getTime()) + WINDOW_MS - now.getTime()) / 1000));
    if (c.total >= total) {
      const s = retryAfter(c.oldest);
      throw new AppException(
        'rate_limited',
        `提交过于频繁：同一网络每小时最多提交${total}次，请约${Math.ceil(s / 60)}分钟后再试。如情况紧急，请致电客服热线。`,
        { retryAfterSeconds: s },
      );
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
