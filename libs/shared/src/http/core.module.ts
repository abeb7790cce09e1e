import { Global, Logger, Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { AuthModule } from '../auth/auth.module';
import { CalendarService } from '../calendar/calendar.service';
import { OutboxRelay } from '../outbox/outbox-relay.service';
import { OutboxSweep } from '../outbox/outbox-sweep.service';
import { APP_CONFIG, ConfigModule, type AppConfig, type AppName } from '../config';
import { dataSourceOptions } from '../database/data-source.options';
import { PoolBudgetCheck } from '../database/pool-budget';
import { READ_DATA_SOURCE, ReadDataSourceLifecycle, readDataSourceProvider } from '../database/read-data-source';
import { HttpExceptionFilter } from '../errors/http-exception.filter';
import { HealthModule } from '../health/health.module';
import { BodyParsingInterceptor } from './body-parsing';
import { loggerModuleParams } from '../logging/logger.options';
import { QueueModule } from '../queues/queue.module';
import { RedisModule } from '../redis/redis.module';
import { AppClock, CLOCK, offsetFileClock } from '../util/clock';

/** What every app has: validated config, pino, Postgres, Redis, queues, auth, /healthz, error mapping. */
@Global()
@Module({})
export class CoreModule {
  static forRoot(app: AppName, config: AppConfig): DynamicModule {
    return {
      module: CoreModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRootAsync({ inject: [APP_CONFIG], useFactory: (c: AppConfig) => loggerModuleParams(c, app) }),
        TypeOrmModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (c: AppConfig) => ({
            ...dataSourceOptions(c.DATABASE_URL, { poolSize: c.DB_POOL_SIZE, applicationName: `kefu-${app}` }),
            retryAttempts: 3,
            retryDelay: 1000,
          }),
        }),
        RedisModule,
        QueueModule.forRoot(),
        AuthModule,
        HealthModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: HttpExceptionFilter },
        { provide: APP_INTERCEPTOR, useClass: BodyParsingInterceptor },
        { provide: CLOCK, inject: [APP_CONFIG], useFactory: appClock },
        CalendarService,
        OutboxRelay,
        readDataSourceProvider(app),
        ReadDataSourceLifecycle,
        PoolBudgetCheck,
        OutboxSweep,
      ],
      exports: [
        ConfigModule,
        TypeOrmModule,
        QueueModule,
        AuthModule,
        CalendarService,
        OutboxRelay,
        OutboxSweep,
        CLOCK,
        READ_DATA_SOURCE,
      ],
    };
  }
}

/** The app's clock as the config sets it: real time, or real time moved by CLOCK_OFFSET_FILE (development and tests). */
function appClock(config: AppConfig): AppClock {
  const clock = new AppClock();
  const file = config.CLOCK_OFFSET_FILE;
  if (file) {
    const logger = new Logger('Clock');
    logger.warn({ file }, 'the business clock follows CLOCK_OFFSET_FILE (development and tests only)');
    clock.use(offsetFileClock(file, { onProblem: (message) => logger.error(message) }));
  }
  return clock;
}
