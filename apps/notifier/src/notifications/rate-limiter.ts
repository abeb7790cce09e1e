import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { APP_CONFIG, REDIS, redisKeyPrefix, type AppConfig, type NotifyChannel } from '@kefu/shared';

/** A replica takes at most this many calls of a second's budget from Redis at once … */
const MAX_BLOCK = 50;
/** … and at most this share of the limit, so replicas still share a second's budget. */
const BLOCK_SHARE = 10;

/**
 * Provider calls per second per channel, shared by every notifier replica: a one-second window counter in Redis
 * (INCRBY + PEXPIRE). A replica counts a block of calls at once (a tenth of the limit, at most 50; one when the limit
 * is under 20) and hands them out itself until the second ends, so a busy notifier asks Redis once per block, not per
 * message (one question at a time per channel); calls of a block left unused when the second ends are not used
 * later, so the limit is never exceeded. Over the limit, the caller waits for the next window. If Redis does not
 * answer, sending goes on (the queue itself needs Redis; a missing limiter must not stop receipts).
 */
@Injectable()
export class ProviderRateLimiter {
  private readonly logger = new Logger(ProviderRateLimiter.name);
  private readonly limits: Partial<Record<NotifyChannel, number>>;
  /** Calls of the current second already counted in Redis and not yet handed out, per channel. */
  private readonly held = new Map<NotifyChannel, { second: number; left: number }>();
  private readonly taking = new Map<NotifyChannel, Promise<number | null>>();

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.limits = { sms: config.SMS_RATE_PER_SECOND, email: config.EMAIL_RATE_PER_SECOND };
  }

  /** Waits for a slot; resolves with the second (epoch) the call was counted in, or null when unthrottled. */
  async acquire(channel: NotifyChannel): Promise<number | null> {
    const limit = this.limits[channel];
    if (!limit) return null;
    for (;;) {
      const second = Math.floor(Date.now() / 1000);
      const h = this.held.get(channel);
      if (h && h.second === second && h.left > 0) {
        h.left--;
        return second;
      }
      // One question to Redis at a time per channel: concurrent callers wait for its answer.
      let taking = this.taking.get(channel);
      if (!taking) {
        taking = this.take(channel, second, limit).finally(() => this.taking.delete(channel));
        this.taking.set(channel, taking);
      }
      const got = await taking;
      if (got === null) return null;
      if (got === 0)
        await new Promise((r) => setTimeout(r, (second + 1) * 1000 - Date.now() + Math.floor(Math.random() * 20)));
    }
  }

  /** Counts a block of calls in `second`'s window; the ones within the limit are held here. Null: Redis is down. */
  private async take(channel: NotifyChannel, second: number, limit: number): Promise<number | null> {
    const block = Math.max(1, Math.min(MAX_BLOCK, Math.floor(limit / BLOCK_SHARE)));
    const key = `${redisKeyPrefix(this.config, 'rate')}:${channel}:${second}`;
    let n: number;
    try {
      const r = await this.redis.multi().incrby(key, block).pexpire(key, 2000).exec();
      n = Number(r?.[0]?.[1] ?? 0);
    } catch (err) {
      this.logger.warn(
        { err: err instanceof Error ? err.message : String(err) },
        'rate limiter unavailable; sending unthrottled',
      );
      return null;
    }
    // Ours: the block's places (n - block, n] that are within the limit.
    const got = Math.max(0, Math.min(n, limit) - (n - block));
    const h = this.held.get(channel);
    if (h && h.second === second) h.left += got;
    else if (got > 0) this.held.set(channel, { second, left: got });
    return got;
  }
}
