import { z } from 'zod';
import { resolveSlaPolicy, SlaPolicyError } from '../sla/sla-policy';

const port = z.coerce.number().int().min(1).max(65535);
// z.coerce.boolean() reads "false" as true; environment booleans are spelled out.
const bool = z.enum(['true', 'false']).transform((v) => v === 'true');

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const hhmm = /^([01]\d|2[0-3]):[0-5]\d$/;
/** "09:00-12:00,13:00-18:00": the working periods of a working day, business time zone. */
const workingHours = z.string().transform((s, ctx) => {
  const periods = s
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => p.split('-'));
  const out: Array<{ start: string; end: string }> = [];
  for (const period of periods) {
    const [start, end] = period;
    if (period.length !== 2 || !start || !end || !hhmm.test(start) || !hhmm.test(end) || start >= end) {
      ctx.addIssue({ code: 'custom', message: `"${period.join('-')}" is not a period like 09:00-12:00` });
      return z.NEVER;
    }
    out.push({ start, end });
  }
  if (out.length === 0) {
    ctx.addIssue({ code: 'custom', message: 'at least one period such as 09:00-18:00 is required' });
    return z.NEVER;
  }
  return out;
});

const jsonObject = z.string().transform((s, ctx) => {
  try {
    const v: unknown = JSON.parse(s);
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // reported below
  }
  ctx.addIssue({ code: 'custom', message: 'must be a JSON object' });
  return z.NEVER;
});

/**
 * The one environment schema of all three apps. Every variable is documented in README.md
 * ("Configuration") and set in docker-compose.yml.
 */
export const configSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
    REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// URL'),
    HTTP_HOST: z.string().default('0.0.0.0'),
    INTAKE_PORT: port.default(3000),
    SCHEDULER_PORT: port.default(3001),
    NOTIFIER_PORT: port.default(3002),
    PUBLIC_BASE_URL: z.url().default('http://localhost:3000'),
    /**
     * Which proxies' X-Forwarded-For to believe for the client address (Express "trust proxy"):
     * 'loopback' (a proxy on the same host), a list of addresses/subnets, a hop count, true or false.
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
    /** The customer-service mailbox, imap(s)://user:password@host:port; unset = email intake off. */
    MAILBOX_URL: z
      .string()
      .regex(/^imaps?:\/\/[^@]+@[^/]+/, 'must be imap://user:password@host:port or imaps://…')
      .optional(),
    /** Name of the mailbox in cursors and intake records (source `imap:<name>`). */
    MAILBOX_NAME: z
      .string()
      .regex(/^[a-z0-9_-]{1,50}$/)
      .default('cs'),
    MAILBOX_FOLDER: z.string().min(1).default('INBOX'),
    /** Where a mail goes once its case is committed. */
    MAILBOX_PROCESSED_FOLDER: z.string().min(1).default('Processed'),
    /** Where unparseable or oversized mail goes (it is also kept in Postgres with the reason). */
    MAILBOX_QUARANTINE_FOLDER: z.string().min(1).default('Quarantine'),
    /** Full resync besides IDLE. */
    MAILBOX_RESYNC_SECONDS: z.coerce.number().int().min(5).max(3600).default(60),
    MAILBOX_TLS_VERIFY: bool.default(true),
    /** Larger mail is quarantined, not parsed. */
    MAIL_MAX_BYTES: z.coerce
      .number()
      .int()
      .min(10_000)
      .max(200 * 1024 * 1024)
      .default(25 * 1024 * 1024),
    /** Leading zero bits the web form's proof-of-work needs (each bit doubles the work). */
    WEB_FORM_POW_BITS: z.coerce.number().int().min(0).max(26).default(16),
    /** Web-form submissions accepted per IP address per hour. */
    WEB_FORM_MAX_PER_IP_PER_HOUR: z.coerce.number().int().min(1).max(10_000).default(10),
    /** Letterhead of EMS letters (notifier): company name, postal address, hotline; the manifest's sender too. */
    LETTER_COMPANY_NAME: z.string().min(1).max(100).default('客户服务部'),
    LETTER_COMPANY_ADDRESS: z.string().max(200).default(''),
    LETTER_COMPANY_HOTLINE: z.string().max(40).default(''),
    /** A TrueType/OpenType (or .ttc) font with Chinese glyphs for letter PDFs (Debian: fonts-wqy-microhei). */
    LETTER_FONT_PATH: z.string().min(1).default('/usr/share/fonts/truetype/wqy/wqy-microhei.ttc'),
    /** Inside a .ttc collection: the PostScript name of the face to use. */
    LETTER_FONT_FAMILY: z.string().min(1).default('WenQuanYiMicroHei'),
    /** The bounce mailbox (our mail's return path), read by intake and handed to the notifier as reports; unset = off. */
    BOUNCE_MAILBOX_URL: z
      .string()
      .regex(/^imaps?:\/\/[^@]+@[^/]+/, 'must be imap://user:password@host:port or imaps://…')
      .optional(),
    /** Name of the bounce mailbox in intake records (source `imap-bounce:<name>`). */
    BOUNCE_MAILBOX_NAME: z
      .string()
      .regex(/^[a-z0-9_-]{1,50}$/)
      .default('bounces'),
    BOUNCE_MAILBOX_FOLDER: z.string().min(1).default('INBOX'),
    /** Where a report goes once it is stored and processed. */
    BOUNCE_MAILBOX_PROCESSED_FOLDER: z.string().min(1).default('Processed'),
    /** Full resync of the bounce mailbox besides IDLE (intake polls it like the customer-service mailbox). */
    BOUNCE_MAILBOX_POLL_SECONDS: z.coerce.number().int().min(5).max(3600).default(60),
    DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
    HEALTH_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(1500),
    /** Public URL of the scheduler as staff reach it: base of the signed one-click acknowledgement links. */
    SCHEDULER_PUBLIC_URL: z.url().default('http://localhost:3001'),
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
    /** Lifetime of the owner's return-visit link (回访), from the case's resolution. */
    RETURN_VISIT_LINK_TTL_DAYS: z.coerce.number().int().min(1).max(90).default(14),
    /** Lifetime of a signed acknowledgement link, from sending. */
    REMINDER_ACK_LINK_TTL_HOURS: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 30)
      .default(72),
    /** Twilio account (notifier SMS); unset = no SMS sender (notifications for SMS fail with that reason). */
    TWILIO_ACCOUNT_SID: z
      .string()
      .regex(/^AC[0-9a-fA-F]{32}$/, 'must be a Twilio account SID (AC + 32 hex digits)')
      .optional(),
    TWILIO_AUTH_TOKEN: z.string().min(16).optional(),
    /** Send through a Messaging Service (MG…), or else from TWILIO_FROM. */
    TWILIO_MESSAGING_SERVICE_SID: z
      .string()
      .regex(/^MG[0-9a-fA-F]{32}$/, 'must be a Messaging Service SID (MG + 32 hex digits)')
      .optional(),
    TWILIO_FROM: z
      .string()
      .regex(/^\+\d{6,15}$/, 'must be an E.164 number such as +8613800000000')
      .optional(),
    /** Where the Twilio SDK sends API calls instead of https://api.twilio.com (a stub, a proxy); unset = Twilio. */
    TWILIO_API_BASE_URL: z.url().optional(),
    /** The status-callback URL Twilio is given (and signatures are checked against); default PUBLIC_BASE_URL + /webhooks/twilio/status. */
    TWILIO_STATUS_CALLBACK_URL: z.url().optional(),
    /** Company signature 【…】 put before every SMS. */
    SMS_SIGNATURE: z.string().max(20).default('【客户服务部】'),
    /** Non-urgent SMS inside this local period are deferred to its end (HH:MM-HH:MM, may cross midnight). */
    SMS_QUIET_HOURS: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM-HH:MM such as 21:00-08:00')
      .default('21:00-08:00'),
    /** Provider calls per second, per provider, across all notifier replicas. */
    SMS_RATE_PER_SECOND: z.coerce.number().int().min(1).max(10_000).default(10),
    EMAIL_RATE_PER_SECOND: z.coerce.number().int().min(1).max(10_000).default(20),
    /**
     * Acknowledgements (受理回执) to one address in 24 hours, any channel: the web form and mail take any number or
     * address a stranger types, so more are refused (`recipient_limit`) rather than sent.
     */
    ACKS_PER_RECIPIENT_PER_DAY: z.coerce.number().int().min(1).max(1000).default(3),
    /** Outgoing mail server, smtp(s)://user:password@host:port; unset = no email sender. */
    SMTP_URL: z
      .string()
      .regex(/^smtps?:\/\//, 'must be smtp://… or smtps://…')
      .optional(),
    SMTP_POOL_SIZE: z.coerce.number().int().min(1).max(50).default(5),
    /**
     * How long the SMTP server may keep us waiting for any answer (connecting and its greeting: at most 10 s). Well
     * under the 2 minutes after which a send still `sending` is reconciled, so a slow server fails an attempt
     * (retried) instead of the row being reconciled while the mail is still on its way.
     */
    SMTP_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(90).default(30),
    /** From: of notices, e.g. "客户服务部 <kefu@kefu.example.com>". */
    EMAIL_FROM: z.string().min(3).default('客户服务部 <kefu@localhost>'),
    /** Reply-To: of notices: the customer-service mailbox intake reads, so answers join their case. */
    EMAIL_REPLY_TO: z.string().min(3).optional(),
    /** Bounce address; set = VERP envelope sender bounces+<notificationId>@domain for matching DSNs. */
    EMAIL_RETURN_PATH: z.email().optional(),
  })
  .refine((c) => !c.MAILBOX_URL || !c.BOUNCE_MAILBOX_URL || c.MAILBOX_NAME !== c.BOUNCE_MAILBOX_NAME, {
    path: ['BOUNCE_MAILBOX_NAME'],
    message: 'must differ from MAILBOX_NAME (each mailbox has its own cursor and poll lock)',
  })
  // The secret signs logins, acknowledgement and return-visit links, proof-of-work and address hashes: in production
  // a guessable one is refused (32 × "a" is 32 characters).
  .refine((c) => c.NODE_ENV !== 'production' || !weakSecret(c.AUTH_TOKEN_SECRET), {
    path: ['AUTH_TOKEN_SECRET'],
    message:
      'too easy to guess for production (a placeholder, a repeated pattern or too few different characters): use a random one, e.g. `openssl rand -hex 32`',
  });

/**
 * A secret nobody should run production with: a placeholder word, or less than ~100 bits by the characters' own
 * frequencies (Shannon entropy × length; 32 random hex characters give ~120, 64 give ~240, "abcd" × 8 gives 64).
 */
export function weakSecret(secret: string): boolean {
  if (/change.?me|placeholder|example|secret|password|default|kefu|test/i.test(secret)) return true;
  const counts = new Map<string, number>();
  for (const ch of secret) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits -= n * Math.log2(n / secret.length);
  return bits < 100;
}

export type AppConfig = z.output<typeof configSchema>;
export type AppName = 'intake' | 'scheduler' | 'notifier';
