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
/** "host:port,host:port" (port optional). */
const nodeList = z
  .string()
  .regex(/^\s*[^\s,:]+(:\d{1,5})?\s*(,\s*[^\s,:]+(:\d{1,5})?\s*)*$/, 'must be host:port,host:port');

export const configSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
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
    /** Web-form POSTs per address per hour, accepted or refused (a mistyped form is sent again; a flood is not). */
    WEB_FORM_MAX_ATTEMPTS_PER_IP_PER_HOUR: z.coerce.number().int().min(1).max(100_000).default(30),
    /** Megabytes one address may send the web form per hour (photos included), judged by Content-Length before reading. */
    WEB_FORM_UPLOAD_MB_PER_IP_PER_HOUR: z.coerce.number().int().min(1).max(100_000).default(100),
    /** Megabytes everybody together may send the web form per hour: beyond it the form answers 503 until the next hour. */
    WEB_FORM_UPLOAD_MB_PER_HOUR: z.coerce.number().int().min(64).max(10_000_000).default(2048),
    /** Web-form uploads (photos, held in memory until checked) one intake process reads at once; more wait for a 503. */
    WEB_FORM_MAX_CONCURRENT_UPLOADS: z.coerce.number().int().min(1).max(1000).default(8),
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
    /** Owner visits (002 §7.5.2: every four months): months between one household's routine visits. */
    VISIT_INTERVAL_MONTHS: z.coerce.number().int().min(1).max(12).default(4),
    /** The return visit after handover (000 §6.4.2) this many days after the unit's handover date. */
    VISIT_HANDOVER_DAYS: z.coerce.number().int().min(0).max(365).default(30),
    /** Visits while a 毛坯 unit is fitted out (000 §6.5.2): months after handover, e.g. "1,3,6"; "none" = none. */
    VISIT_DECORATION_MONTHS: z
      .string()
      .regex(
        /^(none|\s*\d{1,2}\s*(,\s*\d{1,2}\s*)*)$/,
        'must be months after handover separated by commas, e.g. 1,3,6, or none',
      )
      .default('1,3,6')
      .transform((s) =>
        s === 'none' ? [] : [...new Set(s.split(',').map((m) => Number(m.trim())))].sort((a, b) => a - b),
      )
      .refine((ms) => ms.every((m) => m >= 1 && m <= 24), 'each month must be 1–24'),
    /** The daily visit reminder lists each member of staff's visits due within this many days, and overdue ones. */
    VISIT_REMINDER_LEAD_DAYS: z.coerce.number().int().min(0).max(60).default(7),
    /** Owner surveys (WHVK-QP-16-03 §5.1): 准业主 are asked this many months after the contract (0 = not at all). */
    SURVEY_AFTER_CONTRACT_MONTHS: z.coerce.number().int().min(0).max(60).default(1),
    /** The first survey after moving in (入伙后3个月). */
    SURVEY_FIRST_AFTER_MONTHS: z.coerce.number().int().min(0).max(11).default(3),
    /** Then one a year after moving in, up to this year (入伙后1–5年内每年一次). */
    SURVEY_YEARLY_UNTIL_YEARS: z.coerce.number().int().min(1).max(30).default(5),
    /** Then one every this many years (入伙5年后每两年一次). */
    SURVEY_LATER_EVERY_YEARS: z.coerce.number().int().min(1).max(10).default(2),
    /** Lifetime of a survey link, from the invitation. */
    SURVEY_LINK_TTL_DAYS: z.coerce.number().int().min(1).max(180).default(30),
    /** One reminder to owners who have not answered this many days after the invitation (0 = none). */
    SURVEY_REMINDER_AFTER_DAYS: z.coerce.number().int().min(0).max(90).default(7),
    /** The response rate (回收率) a round should reach, in percent (the task's ≥ 30 %). */
    SURVEY_RESPONSE_TARGET_PERCENT: z.coerce.number().int().min(1).max(100).default(30),
  })
  .refine((c) => !c.REDIS_CLUSTER_NODES || !c.REDIS_SENTINELS, {
    path: ['REDIS_SENTINELS'],
    message: 'set REDIS_CLUSTER_NODES or REDIS_SENTINELS, not both',
  })
  .refine((c) => !c.MAILBOX_URL || !c.BOUNCE_MAILBOX_URL || c.MAILBOX_NAME !== c.BOUNCE_MAILBOX_NAME, {
    path: ['BOUNCE_MAILBOX_NAME'],
    message: 'must differ from MAILBOX_NAME (each mailbox has its own cursor and poll lock)',
  })
  .superRefine((c, ctx) => {
    if (c.NODE_ENV !== 'production') return;
    for (const problem of productionUrlProblems(c)) ctx.addIssue({ code: 'custom', ...problem });
    const proxy = trustProxyProblem(c.TRUST_PROXY);
    if (proxy) ctx.addIssue({ code: 'custom', path: ['TRUST_PROXY'], message: proxy });
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

const localHost = /^(localhost|127(\.\d{1,3}){3}|0\.0\.0\.0|\[::1?\]|[^.]*\.localhost)$/i;

/** A URL people or providers outside this machine must reach, pointing at this machine: wrong in production. */
function isLocalUrl(url: string): boolean {
  return localHost.test(new URL(url).hostname);
}

/**
 * Production refuses public URLs on localhost: owners' links and staff's acknowledgement links would lead nowhere,
 * and Twilio could not deliver its status callbacks (SMS would stay `sent`, the fallback would never fire). A local
 * callback URL is accepted only with a local Twilio API (TWILIO_API_BASE_URL: a stub or a relay on this machine).
 */
function productionUrlProblems(c: {
  PUBLIC_BASE_URL: string;
  SCHEDULER_PUBLIC_URL?: string;
  TWILIO_STATUS_CALLBACK_URL?: string;
  TWILIO_API_BASE_URL?: string;
}): Array<{ path: string[]; message: string }> {
  const out: Array<{ path: string[]; message: string }> = [];
  const why = 'points at this machine, which owners, staff and providers cannot reach: set your public address';
  if (isLocalUrl(c.PUBLIC_BASE_URL))
    out.push({ path: ['PUBLIC_BASE_URL'], message: `${why} (e.g. https://kefu.example.com)` });
  if (c.SCHEDULER_PUBLIC_URL && isLocalUrl(c.SCHEDULER_PUBLIC_URL))
    out.push({ path: ['SCHEDULER_PUBLIC_URL'], message: `${why}, or leave it unset (= PUBLIC_BASE_URL)` });
  const twilioLocal = c.TWILIO_API_BASE_URL !== undefined && isLocalUrl(c.TWILIO_API_BASE_URL);
  if (c.TWILIO_STATUS_CALLBACK_URL && isLocalUrl(c.TWILIO_STATUS_CALLBACK_URL) && !twilioLocal)
    out.push({
      path: ['TWILIO_STATUS_CALLBACK_URL'],
      message: `${why}, or leave it unset (= PUBLIC_BASE_URL + /webhooks/twilio/status)`,
    });
  return out;
}

/** Why a TRUST_PROXY value lets any client choose its own address (undefined when it does not). */
export function trustProxyProblem(value: boolean | number | string): string | undefined {
  if (value === true)
    return "true believes every X-Forwarded-For, so anyone can spoof the address the web form limits count: name your proxy's address or subnet (e.g. 10.0.0.0/8)";
  if (typeof value === 'number')
    return "a hop count believes whatever the nearest hops say; name your proxy's address or subnet instead (e.g. 10.0.0.0/8)";
  return undefined;
}

/** Settings production accepts but that are probably wrong: logged as warnings when an app starts. */
export function startupWarnings(c: { NODE_ENV: string; TRUST_PROXY: boolean | number | string }): string[] {
  if (c.NODE_ENV !== 'production') return [];
  const out: string[] = [];
  if (c.TRUST_PROXY === 'loopback')
    out.push(
      "TRUST_PROXY is loopback: behind a TLS proxy on another host every visitor has the proxy's address, so the web form's per-address limit becomes one limit for everybody. Set TRUST_PROXY to the proxy's address or subnet (or false when clients connect directly).",
    );
  return out;
}

export type AppConfig = z.output<typeof configSchema>;
export type AppName = 'intake' | 'scheduler' | 'notifier';
