import { configSchema, type AppConfig } from '@kefu/shared';

/** A valid config for unit specs that touch no database or Redis. */
export function testConfigWithoutDatabase(overrides: Partial<Record<keyof AppConfig, string>> = {}): AppConfig {
  return configSchema.parse({
    NODE_ENV: 'test',
    DATABASE_URL: 'postgres://unused/unused',
    REDIS_URL: 'redis://unused',
    AUTH_TOKEN_SECRET: 'unit-secret-unit-secret-unit-secret-0123',
    ...overrides,
  });
}
