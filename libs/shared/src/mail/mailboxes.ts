import type { AppConfig } from '../config';

/**
 * What intake does with the mail of a mailbox: `cases` (the customer-service mailbox: complaints, faxes,
 * replies; bounces and feedback reports found there are handed on) or `delivery-reports` (the bounce
 * mailbox our mail's return path points at: every mail is a report for the notifier, or ignored).
 */
export type MailboxRoute = 'cases' | 'delivery-reports';

/** One IMAP mailbox intake polls. */
export interface MailboxSpec {
  /** The mailbox's name in cursors, poll jobs and the advisory lock. */
  name: string;
  /** Intake records' `source` for its mail (unique with the `<uidvalidity>:<uid>` external id). */
  source: string;
  route: MailboxRoute;
  url: string;
  tlsVerify: boolean;
  folder: string;
  processedFolder: string;
  quarantineFolder: string;
  /** Full resync besides IDLE. */
  resyncSeconds: number;
}

/** Every configured mailbox: the customer-service mailbox (MAILBOX_*) and the bounce mailbox (BOUNCE_MAILBOX_*). */
export function configuredMailboxes(config: AppConfig): MailboxSpec[] {
  const out: MailboxSpec[] = [];
  if (config.MAILBOX_URL) {
    out.push({
      name: config.MAILBOX_NAME,
      source: `imap:${config.MAILBOX_NAME}`,
      route: 'cases',
      url: config.MAILBOX_URL,
      tlsVerify: config.MAILBOX_TLS_VERIFY,
      folder: config.MAILBOX_FOLDER,
      processedFolder: config.MAILBOX_PROCESSED_FOLDER,
      quarantineFolder: config.MAILBOX_QUARANTINE_FOLDER,
      resyncSeconds: config.MAILBOX_RESYNC_SECONDS,
    });
  }
  if (config.BOUNCE_MAILBOX_URL) {
    out.push({
      name: config.BOUNCE_MAILBOX_NAME,
      source: `imap-bounce:${config.BOUNCE_MAILBOX_NAME}`,
      route: 'delivery-reports',
      url: config.BOUNCE_MAILBOX_URL,
      tlsVerify: config.MAILBOX_TLS_VERIFY,
      folder: config.BOUNCE_MAILBOX_FOLDER,
      processedFolder: config.BOUNCE_MAILBOX_PROCESSED_FOLDER,
      quarantineFolder: config.MAILBOX_QUARANTINE_FOLDER,
      resyncSeconds: config.BOUNCE_MAILBOX_POLL_SECONDS,
    });
  }
  return out;
}

/** The route of stored mail by its intake record's source (re-processing reads it back); `cases` for any other. */
export function routeOfSource(config: AppConfig, source: string): MailboxRoute {
  return (
    configuredMailboxes(config).find((m) => m.source === source)?.route ??
    (source.startsWith('imap-bounce:') ? 'delivery-reports' : 'cases')
  );
}
