import { z } from 'zod';
import { bool } from './env-values';

/** What intake reads: the customer-service mailbox and the public web form's limits. */
export const intakeKeys = {
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
};
