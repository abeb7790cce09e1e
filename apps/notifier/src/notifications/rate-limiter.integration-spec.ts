import Redis from 'ioredis';
import { testConfig } from '@kefu/shared/testing';
import { ProviderRateLimiter } from './rate-limiter';

/**
 * With a limit high enough that replicas count calls in blocks (a tenth of the limit), no second ever grants more
 * than the limit across replicas, and a busy replica asks Redis about once per block rather than once per call.
 */
describe('provider rate limiter: calls counted in blocks', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(testConfig({ DATABASE_URL: 'postgres://unused/none' }).REDIS_URL, { lazyConnect: false });
  });
  afterAll(async () => {
    await redis.quit();
  });

  it('never grants more than the limit in a second across replicas, and asks Redis once per block', async () => {
    const config = testConfig({ DATABASE_URL: 'postgres://unused/none', SMS_RATE_PER_SECOND: '40' });
    const replicas = [new ProviderRateLimiter(redis, config), new ProviderRateLimiter(redis, config)];
    let asked = 0;
    const multi = redis.multi.bind(redis);
    const counting = Object.assign(Object.create(redis) as Redis, {
      multi: (...a: Parameters<Redis['multi']>) => {
        asked++;
        return multi(...a);
      },
    });
    const counted = [new ProviderRateLimiter(counting, config), new ProviderRateLimiter(counting, config)];
    const windows = await Promise.all(
      Array.from({ length: 120 }, (_, i) => [...replicas, ...counted][i % 4]!.acquire('sms')),
    );
    const perSecond = new Map<number, number>();
    for (const w of windows) perSecond.set(w!, (perSecond.get(w!) ?? 0) + 1);
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(40);
    expect(perSecond.size).toBeGreaterThanOrEqual(3);
    // 60 calls through the counted replicas, blocks of 4: far fewer questions than calls (waits ask again).
    expect(asked).toBeLessThan(60);
  });
});
