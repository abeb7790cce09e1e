import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { configSchema, type AppConfig } from '../config';
import { dataSourceOptions } from '../database/data-source.options';
import { harnessState, TEMPLATE_DB } from './harness-state';

export interface TestDatabase {
  url: string;
  dataSource: DataSource;
  /** Closes the data source and drops the database. */
  drop: () => Promise<void>;
}

async function admin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: harnessState().pgAdminUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** A fresh database for one test file, cloned from the migrated template (milliseconds, not seconds). */
export async function createTestDatabase(opts: { empty?: boolean } = {}): Promise<TestDatabase> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}${opts.empty ? '' : ` TEMPLATE ${TEMPLATE_DB}`}`));
  const url = harnessState().pgAdminUrl.replace(/\/[^/]*$/, `/${name}`);
  const dataSource = new DataSource(dataSourceOptions(url, { poolSize: 20, applicationName: 'kefu-test' }));
  await dataSource.initialize();
  return {
    url,
    dataSource,
    drop: async () => {
      if (dataSource.isInitialized) await dataSource.destroy();
      await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

export const TEST_TOKEN_SECRET = 'test-secret-test-secret-test-secret-0123';

/** A valid AppConfig pointing at the harness's services; override what a test asserts. */
export function testConfig(overrides: Partial<Record<keyof AppConfig, string>> & { DATABASE_URL: string }): AppConfig {
  return configSchema.parse({
    NODE_ENV: 'test',
    REDIS_URL: harnessState().redisUrl,
    AUTH_TOKEN_SECRET: TEST_TOKEN_SECRET,
    LOG_LEVEL: 'silent',
    QUEUE_PREFIX: `t${randomBytes(4).toString('hex')}`,
    ...overrides,
  });
}

/**
 * SMS_QUIET_HOURS for a test that waits for an SMS: a half hour twelve hours from now (Shanghai), so that nothing it
 * sends is deferred to the morning whatever time of day the tests run.
 */
export function quietHoursElsewhere(now = new Date()): string {
  const h = (now.getUTCHours() + 8 + 12) % 24;
  const hh = String(h).padStart(2, '0');
  return `${hh}:00-${hh}:30`;
}
