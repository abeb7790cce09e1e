import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { getDataSourceToken } from '@nestjs/typeorm';
import type Redis from 'ioredis';
import type { DataSource } from 'typeorm';
import { Public } from '../auth/auth.decorators';
import { APP_CONFIG, type AppConfig } from '../config';
import { READ_DATA_SOURCE, separateReadDataSource } from '../database/read-data-source';
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
    @Inject(getDataSourceToken()) private readonly primary: DataSource,
    @Inject(READ_DATA_SOURCE) private readonly read: DataSource,
  ) {}

  @Get('healthz')
  @Public('load balancers and orchestrators probe it')
  @HealthCheck()
  @ApiOperation({
    summary:
      'Postgres and Redis reachability, each with a timeout: 200 up, 503 down; with DATABASE_READ_URL also the read ' +
      'connection (postgres_read), whose failure degrades reports only and so leaves the answer 200',
  })
  check() {
    const timeout = this.config.HEALTH_TIMEOUT_MS;
    const read = separateReadDataSource(this.read, this.primary) ? [() => this.readCheck(timeout)] : [];
    return this.health.check([
      ...read,
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

  /**
   * The read connection: up with `readOnly` as its session says; when it does not answer, still `up` (so probes keep
   * the pod serving: only reports and the dashboard need it) but `degraded`, with the reason.
   */
  private async readCheck(timeout: number) {
    const session = this.indicators.check('postgres_read');
    try {
      const rows = await withTimeout(
        this.read.query<Array<{ ro: string }>>(`SELECT current_setting('transaction_read_only') AS ro`),
        timeout,
        `the read connection did not answer within ${timeout} ms`,
      );
      return session.up({ readOnly: rows[0]?.ro === 'on' });
    } catch (err) {
      return session.up({ degraded: true, message: err instanceof Error ? err.message : String(err) });
    }
  }
}
