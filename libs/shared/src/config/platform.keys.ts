import { z } from 'zod';
import { resolveSlaPolicy, SlaPolicyError } from '../sla/sla-policy';
import { isTimeZone, jsonObject, nodeList, port, workingHours } from './env-values';

/** Where the apps run: environment, Postgres and Redis (one server, a Cluster or Sentinels), HTTP, the business clock and the SLA policy. */
export const platformKeys = {
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
  /**
   * Optional second connection for read-only managerial reads (reports, the manager dashboard): a read replica, or a
   * role that may only SELECT. Its sessions run with default_transaction_read_only=on, so a write through it is
   * refused even when it points at the primary. Unset: those reads use DATABASE_URL.
   */
  DATABASE_READ_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// URL'),
  /**
   * A Redis Cluster: some of its nodes, "host:port,host:port" (the client learns the rest); REDIS_URL then gives
   * only the credentials and TLS. Queue keys get a hash-tag prefix ({QUEUE_PREFIX}) so each queue's keys share a slot.
   */
  REDIS_CLUSTER_NODES: nodeList.optional(),
  /** Redis behind Sentinels: "host:port,host:port" of the Sentinels; REDIS_URL gives the credentials and TLS. */
  REDIS_SENTINELS: nodeList.optional(),
  /** The master's name the Sentinels watch. */
  REDIS_SENTINEL_MASTER: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/)
    .default('mymaster'),
  HTTP_HOST: z.string().default('0.0.0.0'),
  INTAKE_PORT: port.default(3000),
  SCHEDULER_PORT: port.default(3001),
  NOTIFIER_PORT: port.default(3002),
  PUBLIC_BASE_URL: z.url().default('http://localhost:3000'),
  /**
   * Which proxies' X-Forwarded-For to believe for the client address (Express "trust proxy"): 'loopback' (a proxy
   * on the same host), a comma-separated list of addresses/subnets (the TLS proxy's, e.g. 10.0.0.0/8), 'false'
   * (nobody: the socket's address). A hop count or 'true' would let any client spoof the address the web form's
   * per-address limit counts, so they are refused in production (see trustProxyProblem).
   */
  TRUST_PROXY: z
    .string()
    .default('loopback')
    .transform((v): boolean | number | string =>
      v === 'true' ? true : v === 'false' ? false : /^\d+$/.test(v) ? Number(v) : v,
    ),
  BUSINESS_TIME_ZONE: z
    .string()
    .refine(isTimeZone, 'must be an IANA time zone such as Asia/Shanghai')
    .default('Asia/Shanghai'),
  WORKING_HOURS: workingHours.default([
    { start: '09:00', end: '12:00' },
    { start: '13:00', end: '18:00' },
  ]),
  /**
   * Development and tests only (refused in production): a file holding a number of milliseconds by which the
   * business clock runs ahead of (or, negative, behind) real time, read again when it changes. Give the same file
   * to several processes to move them through simulated days together (`test:scale` does, for a week of scans).
   */
  CLOCK_OFFSET_FILE: z.string().min(1).optional(),
  /** Partial JSON overrides of the SLA policy defaults (libs/shared/src/sla); the config holds the resolved policy. */
  SLA_POLICY: jsonObject.optional().transform((overrides, ctx) => {
    try {
      return resolveSlaPolicy(overrides);
    } catch (err) {
      if (!(err instanceof SlaPolicyError)) throw err;
      for (const problem of err.problems) ctx.addIssue({ code: 'custom', message: problem });
      return z.NEVER;
    }
  }),
};
