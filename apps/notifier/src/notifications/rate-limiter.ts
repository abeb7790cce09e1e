import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { APP_CONFIG, REDIS, redisKeyPrefix, type AppConfig, type NotifyChannel } from '@kefu/shared';

/**
 * Provider calls per second per channel, shared by every notifier replica: a one-second window counter
 * in Redis (INCR + PEXPIRE). Over the limit, the caller waits for the next window. If Redis does not
 * answer, sending goes on (the queue itself needs Redis; a missing limiter must not stop receipts).
 */
@Injectable()
export class ProviderRateLimiter {
  private readonly logger = new Logger(ProviderRateLimiter.name);
  private readonly limits: Partial<Record<NotifyChannel, number>>;

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
      const key = `${redisKeyPrefix(this.config, 'rate')}:${channel}:${second}`;
      let n: number;
      try {
        const r = await this.redis.multi().incr(key).pexpire(key, 2000).exec();
        n = Number(r?.[0]?.[1] ?? 0);
      } catch (err) {
        this.logger.warn(
          { err: err instanceof Error ? err.message : String(err) },
          'rate limiter unavailable; sending unthrottled',
        );
        return null;
      }
      if (n <= limit) return second;
      await new Promise((r) => setTimeout(r, (second + 1) * 1000 - Date.now() + Math.floor(Math.random() * 20)));
    }
  }
}
