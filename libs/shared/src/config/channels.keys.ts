import { z } from 'zod';

/** The notifier's channels: Twilio SMS, SMTP email, rates, quiet hours and per-recipient limits. */
export const channelKeys = {
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
  /**
   * Who receives the filed reports (周报, 客服月报, 季度报告, 年度总结) by email, XLSX and PDF attached: comma-separated
   * addresses; `none` = nobody. The default is the demo's managers (their mailboxes exist in the local mail system).
   */
  REPORT_DISTRIBUTION: z
    .string()
    .default('gm@kefu.example,vicegm@kefu.example,manager@kefu.example')
    .transform((s, ctx) => {
      if (s.trim() === 'none') return [];
      const list = [
        ...new Set(
          s
            .split(',')
            .map((a) => a.trim().toLowerCase())
            .filter(Boolean),
        ),
      ];
      const bad = list.filter((a) => !z.email().safeParse(a).success);
      if (bad.length) {
        ctx.addIssue({ code: 'custom', message: `not an email address: ${bad.join(', ')}` });
        return z.NEVER;
      }
      return list;
    }),
};
