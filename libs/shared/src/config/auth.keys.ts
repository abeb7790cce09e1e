import { z } from 'zod';

/** Logins, sessions and lockouts; log level and format; the queues' Redis prefix. */
export const authKeys = {
  AUTH_TOKEN_SECRET: z.string().min(32, 'must be at least 32 characters (e.g. `openssl rand -hex 32`)'),
  AUTH_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(900),
  /** A session (a login and its refreshes) ends this long after the login: `/auth/refresh` renews no further. */
  AUTH_SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(168).default(12),
  /** How long a token's account state (active, token version) may be served from an app's memory before Postgres is asked again. */
  AUTH_STAFF_CACHE_SECONDS: z.coerce.number().int().min(0).max(60).default(60),
  /** Login tries (wrong or in flight) one login may make within the window before it is locked out. */
  AUTH_LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(1000).default(5),
  /** Login tries one client address may make within the window before it is locked out. */
  AUTH_ADDRESS_MAX_FAILURES: z.coerce.number().int().min(1).max(10_000).default(20),
  AUTH_FAILURE_WINDOW_MINUTES: z.coerce.number().int().min(1).max(1440).default(15),
  /** The first lockout; each further one of the same login or address within a day doubles, up to AUTH_LOCKOUT_MAX_SECONDS. */
  AUTH_LOCKOUT_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  AUTH_LOCKOUT_MAX_SECONDS: z.coerce.number().int().min(1).max(86_400).default(3600),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty']).default('json'),
  /** BullMQ key prefix in Redis; tests give each file its own. */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[a-z][a-z0-9_-]{0,30}$/, 'lower-case letters, digits, - and _')
    .default('kefu'),
};
