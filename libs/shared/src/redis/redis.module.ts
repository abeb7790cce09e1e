import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { createRedisClient, redisTopology } from './redis-topology';
import { APP_CONFIG, type AppConfig } from '../config';

export const REDIS = Symbol('REDIS');

/**
 * One shared ioredis client for health checks and small keys (a Cluster client in a cluster: the same commands;
 * typed as Redis for its users); BullMQ opens its own connections.
 */
@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        createRedisClient(redisTopology(config), {
          lazyConnect: false,
          maxRetriesPerRequest: 1,
          enableOfflineQueue: false,
          connectTimeout: 5000,
        }) as Redis,
    },
  ],
  exports: [REDIS],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
