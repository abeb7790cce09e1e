import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config';

/**
 * Whether this process's pool still fits what Postgres allows, judged at start-up from what is connected now: the
 * apps cannot know how many replicas of each other there are, but Postgres can say how full it is. Returns the
 * warning to log, or undefined. Replicas × pool beyond max_connections fails later, under load, with
 * "sorry, too many clients already" — better said at start-up (README, "Running on more than one machine").
 */
export async function poolBudgetWarning(ds: DataSource, poolSize: number): Promise<string | undefined> {
  const [row] = await ds.query<Array<{ max: number; reserved: number; used: number; mine: number }>>(
    `SELECT current_setting('max_connections')::int AS max,
            current_setting('superuser_reserved_connections')::int AS reserved,
            (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')::int AS used,
            (SELECT count(*) FROM pg_stat_activity
              WHERE backend_type = 'client backend' AND application_name = current_setting('application_name'))::int
              AS mine`,
  );
  if (!row) return undefined;
  const available = row.max - row.reserved;
  // This pool's connections already open are counted in `used`; the pool may open the rest.
  const wanted = row.used + Math.max(0, poolSize - row.mine);
  if (wanted <= available) return undefined;
  return (
    `Postgres allows ${available} connections (max_connections ${row.max} − ${row.reserved} reserved) and ` +
    `${row.used} are open; this process may open ${poolSize} (DB_POOL_SIZE): with every replica at its pool, ` +
    `connections will be refused. Lower DB_POOL_SIZE or raise max_connections (replicas × pool, README)`
  );
}

/** Logs poolBudgetWarning once at start-up; a failure to ask is not a reason to stop. */
@Injectable()
export class PoolBudgetCheck implements OnApplicationBootstrap {
  private readonly logger = new Logger(PoolBudgetCheck.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const warning = await poolBudgetWarning(this.ds, this.config.DB_POOL_SIZE).catch(() => undefined);
    if (warning) this.logger.warn(warning);
  }
}
