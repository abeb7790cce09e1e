import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { APP_CONFIG, CLOCK, REDIS, redisKeyPrefix, type AppConfig, type Clock } from '@kefu/shared';

// One atomic step per (number, template): drop entries older than the longest window, find the first window that
// is full (answer: ms until its oldest entry leaves), else add this attempt (idempotent: ZADD of the same member).
const RESERVE = `
local now = tonumber(ARGV[1])
local longest = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - longest)
if redis.call('ZSCORE', KEYS[1], ARGV[2]) then return 0 end
for i = 4, #ARGV, 2 do
  local count = tonumber(ARGV[i])
  local window = tonumber(ARGV[i + 1])
  local inside = redis.call('ZRANGEBYSCORE', KEYS[1], now - window + 1, '+inf', 'WITHSCORES')
  local n = #inside / 2
  if n >= count then
    local oldest = tonumber(inside[(n - count) * 2 + 2])
    return oldest + window - now
  end
end
redis.call('ZADD', KEYS[1], now, ARGV[2])
redis.call('PEXPIRE', KEYS[1], longest)
return 0`;

/**
 * The providers' per-number frequency limits (SMS_DOMESTIC_LIMITS, e.g. 1 a minute, 5 an hour, 10 a day for the
 * same template), respected before sending rather than learnt from isv.BUSINESS_LIMIT_CONTROL. Counted in Redis:
 * a sliding window per number and template, reserved atomically by one Lua call, so notifier replicas share it
 * without a Postgres lock held across the provider call. Losing Redis loses only the counts: the provider's own
 * refusal is then classified as "retry later", so nothing is lost or sent twice.
 */
@Injectable()
export class SmsFrequencyLimiter {
  private readonly logger = new Logger(SmsFrequencyLimiter.name);
  private readonly limits: Array<{ count: number; ms: number }>;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.limits = parseLimits(config.SMS_DOMESTIC_LIMITS);
  }

  private key(mobile: string, template: string): string {
    // The number hashed: no phone numbers in Redis.
    const who = createHash('sha256').update(mobile).digest('hex').slice(0, 24);
    return `${redisKeyPrefix(this.config, 'smsfreq')}:${who}:${template}`;
  }

  /** Counts this attempt (member) against the limits; null = go ahead, else how long to wait. */
  async reserve(mobile: string, template: string, member: string): Promise<number | null> {
    if (!this.limits.length) return null;
    const longest = Math.max(...this.limits.map((l) => l.ms));
    try {
      const wait = Number(
        await this.redis.eval(
          RESERVE,
          1,
          this.key(mobile, template),
          this.clock.now().getTime(),
          member,
          longest,
          ...this.limits.flatMap((l) => [l.count, l.ms]),
        ),
      );
      return wait > 0 ? wait : null;
    } catch (err) {
      this.logger.warn(
        { err: err instanceof Error ? err.message : String(err) },
        'SMS frequency counts unavailable; the provider enforces its own limits',
      );
      return null;
    }
  }

  /** A send the provider did not take does not count. */
  async release(mobile: string, template: string, member: string): Promise<void> {
    await this.redis.zrem(this.key(mobile, template), member).catch(() => undefined);
  }
}

export function parseLimits(s: string): Array<{ count: number; ms: number }> {
  return s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)
    .map((x) => {
      const [count, seconds] = x.split('/').map(Number);
      return { count: count!, ms: seconds! * 1000 };
    })
    .sort((a, b) => a.ms - b.ms);
}
