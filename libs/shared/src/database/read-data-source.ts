import { Inject, Injectable, Logger, type FactoryProvider, type OnApplicationShutdown } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig, type AppName } from '../config';
import { dataSourceOptions } from './data-source.options';

/**
 * The connection for read-only managerial reads (reports, the manager dashboard): `DATABASE_READ_URL` when set — a
 * read replica or a SELECT-only role, each session read-only — else the primary DataSource itself. Inject it with
 * `@Inject(READ_DATA_SOURCE) ds: DataSource`. Only for reads that may lag the primary by a replica's delay: a list a
 * member of staff acts on right after a write stays on the primary.
 */
export const READ_DATA_SOURCE = 'kefu:read-data-source';

/** Whether `ds` is a connection of its own (DATABASE_READ_URL) rather than the primary. */
export const separateReadDataSource = (ds: DataSource, primary: DataSource): boolean => ds !== primary;

export function readDataSourceProvider(app: AppName): FactoryProvider<DataSource> {
  return {
    provide: READ_DATA_SOURCE,
    inject: [APP_CONFIG, getDataSourceToken()],
    useFactory: async (config: AppConfig, primary: DataSource): Promise<DataSource> => {
      const url = config.DATABASE_READ_URL;
      if (!url) return primary;
      const ds = new DataSource(
        dataSourceOptions(url, {
          poolSize: config.DB_READ_POOL_SIZE,
          applicationName: `kefu-${app}-read`,
          readOnly: true,
        }),
      );
      try {
        await ds.initialize();
      } catch (err) {
        // At start-up a wrong URL, password or host is a configuration mistake: say so and stop. Once running, an
        // unreachable replica only fails the reads that use it (and /healthz reports it degraded).
        const message = err instanceof Error ? err.message : String(err);
        throw new Error(`DATABASE_READ_URL: cannot connect (${message})`);
      }
      return ds;
    },
  };
}

/** Closes the read connection's pool on shutdown when it is one of its own. */
@Injectable()
export class ReadDataSourceLifecycle implements OnApplicationShutdown {
  private readonly logger = new Logger(ReadDataSourceLifecycle.name);

  constructor(
    @Inject(READ_DATA_SOURCE) private readonly read: DataSource,
    @Inject(getDataSourceToken()) private readonly primary: DataSource,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    if (!separateReadDataSource(this.read, this.primary) || !this.read.isInitialized) return;
    await this.read.destroy().catch((err: unknown) => {
      this.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'closing the read connection failed');
    });
  }
}
