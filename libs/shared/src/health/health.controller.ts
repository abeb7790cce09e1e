import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import type Redis from 'ioredis';
import { Public } from '../auth/auth.decorators';
import { APP_CONFIG, type AppConfig } from '../config';
import { REDIS } from '../redis/redis.module';
import { withTimeout } from '../util/with-timeout';

@ApiTags('health')
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('healthz')
  @Public('load balancers and orchestrators probe it')
  @HealthCheck()
  @ApiOperation({ summary: 'Postgres and Redis reachability, each with a timeout: 200 up, 503 down' })
  check() {
    const timeout = this.config.HEALTH_TIMEOUT_MS;
    return this.health.check([
      () => this.db.pingCheck('postgres', { timeout }),
      async () => {
        const session = this.indicators.check('redis');
        try {
          await withTimeout(this.redis.ping(), timeout, `Redis did not answer within ${timeout} ms`);
          return session.up();
        } catch (err) {
          return session.down({ message: err instanceof Error ? err.message : String(err) });
        }
      },
    ]);
  }
}
