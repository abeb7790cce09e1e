import { z } from 'zod';

/** Pools, health, the apps' addresses for each other, reminders, retention and link lifetimes. */
export const runtimeKeys = {
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  /** Connections per process to DATABASE_READ_URL (when set): reports and the dashboard, a few at a time. */
  DB_READ_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(4),
  /**
   * The daily warranty scan writes a day's notices in this many transactions at once, each on its own connection
   * (at most DB_POOL_SIZE − 1: one more holds the scan's state). A heating day is tens of thousands of notices;
   * Postgres checks each row's keys on one core per connection.
   */
  WARRANTY_SCAN_CONNECTIONS: z.coerce.number().int().min(1).max(32).default(2),
  HEALTH_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(1500),
  /**
   * Base of the signed one-click acknowledgement links (`<base>/ack/<token>`); unset = PUBLIC_BASE_URL, since
   * intake passes `/ack/*` on to the scheduler (and `/webhooks/*` to the notifier), so one public address serves all.
   */
  SCHEDULER_PUBLIC_URL: z.url().optional(),
  /** Where intake reaches the scheduler's API for the operator console (reminders, certificate batches, warranty notices, calendar). */
  SCHEDULER_INTERNAL_URL: z.url().default('http://127.0.0.1:3001'),
  /** Where intake reaches the notifier's API for the operator console (notifications, letters). */
  NOTIFIER_INTERNAL_URL: z.url().default('http://127.0.0.1:3002'),
  /** The local providers' outbox (`npm start` sets it when it runs the local SMS gateway and mail system): intake shows it to staff as 本地收件箱; unset = no such page. */
  LOCAL_PROVIDERS_URL: z.url().optional(),
  /** The advance reminder goes out when this share (%) of a deadline's window has passed. */
  REMINDER_LEAD_PERCENT: z.coerce.number().int().min(1).max(99).default(80),
  /** Call recordings are kept at least this many days (004 篇3 §4.5: at least 30): a call's recordingKeepUntil may not be earlier. */
  RECORDING_MIN_KEEP_DAYS: z.coerce
    .number()
    .int()
    .min(30, 'the rules keep call recordings at least 30 days')
    .max(3650)
    .default(30),
  /** Retention purge (apps/scheduler/src/retention): rows removed per statement, each batch its own short transaction. */
  RETENTION_BATCH_SIZE: z.coerce.number().int().min(100).max(50_000).default(5000),
  /** Days a relayed outbox row is kept (the seeds are silent: delivery plumbing, kept a week for troubleshooting). */
  RELAYED_OUTBOX_KEEP_DAYS: z.coerce.number().int().min(1).max(365).default(7),
  /** Lifetime of the owner's return-visit link (回访), from the case's resolution. */
  RETURN_VISIT_LINK_TTL_DAYS: z.coerce.number().int().min(1).max(90).default(14),
  /** Lifetime of a signed acknowledgement link, from sending. */
  REMINDER_ACK_LINK_TTL_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(72),
};
