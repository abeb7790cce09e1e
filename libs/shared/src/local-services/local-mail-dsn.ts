import { randomBytes } from 'node:crypto';

export interface FailedRecipient {
  /** As the sender addressed it (RCPT TO). */
  address: string;
  /** RFC 3463 enhanced status, e.g. 5.1.1. */
  status: string;
  /** The SMTP reply a real MTA would have given, e.g. `550 5.1.1 <a@b>: Recipient address rejected: …`. */
  reply: string;
}

/** RFC 5322 date in UTC (`Mon, 07 Dec 2026 07:08:12 +0000`). */
export function rfc5322Date(at: Date): string {
  return at.toUTCString().replace(/GMT$/, '+0000');
}

/** The header block of a raw message (up to the first empty line), at most 64 KiB. */
function headerBlock(raw: Buffer): string {
  const text = raw.subarray(0, 64 * 1024).toString('latin1');
  const end = /\r?\n\r?\n/.exec(text);
  return (end ? text.slice(0, end.index) : text).replace(/\r?\n/g, '\r\n');
}

/**
 * A delivery status notification (RFC 3464) as Postfix writes one: multipart/report; report-type=delivery-status
 * with a human-readable part, a message/delivery-status part (Reporting-MTA, Arrival-Date, then per recipient
 * Final-Recipient, Original-Recipient, Action: failed, Status, Diagnostic-Code) and the original's headers as
 * text/rfc822-headers (so its Message-ID names the mail that bounced). Addressed to the envelope sender, so a VERP
 * return path shows in To.
 */
export function buildDeliveryStatusNotification(opts: {
  /** The reporting MTA's host name, e.g. kefu.local. */
  reportingMta: string;
  /** The envelope sender of the bounced mail (the DSN's recipient). */
  sender: string;
  failed: FailedRecipient[];
  original: Buffer;
  arrivedAt: Date;
  now?: Date;
}): { raw: Buffer; messageId: string } {
  const now = opts.now ?? new Date();
  const mta = opts.reportingMta;
  const boundary = `kefu-dsn-${randomBytes(8).toString('hex')}`;
  const messageId = `dsn.${now.getTime().toString(36)}.${randomBytes(6).toString('hex')}@${mta}`;
  const human = [
    `This is the mail system at host ${mta}.`,
    '',
    "I'm sorry to have to inform you that your message could not",
    'be delivered to one or more recipients. It is attached below.',
    '',
    '                   The mail system',
    '',
    ...opts.failed.map((f) => `<${f.address}>: host ${mta} said: ${f.reply}`),
  ];
  const perRecipient = opts.failed.flatMap((f) => [
    '',
    `Final-Recipient: rfc822; ${f.address}`,
    `Original-Recipient: rfc822; ${f.address}`,
    'Action: failed',
    `Status: ${f.status}`,
    `Diagnostic-Code: smtp; ${f.reply}`,
  ]);
  const lines = [
    `From: Mail Delivery System <MAILER-DAEMON@${mta}>`,
    `To: ${opts.sender}`,
    'Subject: Undelivered Mail Returned to Sender',
    `Date: ${rfc5322Date(now)}`,
    `Message-ID: <${messageId}>`,
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
    '',
    'This is a MIME-encapsulated message.',
    '',
    `--${boundary}`,
    'Content-Description: Notification',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    ...human,
    '',
    `--${boundary}`,
    'Content-Description: Delivery report',
    'Content-Type: message/delivery-status',
    '',
    `Reporting-MTA: dns; ${mta}`,
    `Arrival-Date: ${rfc5322Date(opts.arrivedAt)}`,
    ...perRecipient,
    '',
    `--${boundary}`,
    'Content-Description: Undelivered Message Headers',
    'Content-Type: text/rfc822-headers',
    '',
    headerBlock(opts.original),
    '',
    `--${boundary}--`,
    '',
  ];
  return { raw: Buffer.from(lines.join('\r\n'), 'latin1'), messageId };
}
