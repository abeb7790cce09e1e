import type { ParsedMessage } from './mail-parse';
import { headerBlock, messageIdOf } from './mime-inspect';

/**
 * Delivery-status reports: RFC 3464 (multipart/report; report-type=delivery-status) and the older
 * non-standard bounces Exim, qmail, Gmail and Exchange Online still send. They are handed to the
 * notifier (a receipt for mail we sent), never opened as cases.
 */
export interface BounceRecipient {
  address: string;
  action: string | null;
  status: string | null;
  diagnostic: string | null;
}

export interface BounceReport {
  /** Which rule recognised it. */
  rule: 'dsn' | 'x-failed-recipients' | 'mailer-daemon';
  recipients: BounceRecipient[];
  /** Message-ID of the mail that bounced (without brackets), to find our notification. */
  originalMessageId: string | null;
}

const BOUNCE_SUBJECT =
  /undeliver(?:able|ed)|delivery status notification|returned mail|failure notice|mail delivery failed|delivery (?:has )?failed|delivery failure|could not be delivered|non-?delivery|系统退信|退信|投递失败|未能送达|无法投递|發送失敗|退回/i;
const DAEMON = /^(?:mailer-?daemon|postmaster|mail-?daemon|mdaemon|bounce[s]?)@/i;
const DAEMON_NAME = /mail delivery (?:system|subsystem)|mailer-?daemon/i;
const ADDRESS = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
const STATUS = /\b([245]\.\d{1,3}\.\d{1,3})\b/;
// Where non-standard bounces start quoting the original message.
const COPY_MARKERS = /^(?:-{2,}.*(?:copy of the message|original message|below this line|returned message|undelivered message)|original message headers:|.*this is a copy of the message)/im;

/** Parses the per-recipient fields of a message/delivery-status part. */
export function parseDeliveryStatus(text: string): BounceRecipient[] {
  const groups = text.replace(/\r\n/g, '\n').replace(/\n[ \t]+/g, ' ').split(/\n\s*\n/);
  const out: BounceRecipient[] = [];
  for (const g of groups) {
    const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(g)?.[1]?.trim() ?? null;
    const recipient = field('Final-Recipient') ?? field('Original-Recipient');
    if (!recipient) continue;
    const address = recipient.replace(/^[a-z0-9-]+;\s*/i, '').replace(/^<|>$/g, '').trim().toLowerCase();
    out.push({ address, action: field('Action')?.toLowerCase() ?? null, status: field('Status'), diagnostic: field('Diagnostic-Code')?.replace(/^[a-z-]+;\s*/i, '') ?? null });
  }
  return out;
}

/** Best-effort recipients of a non-standard bounce: X-Failed-Recipients, else the addresses before the quoted copy. */
function parseFreeText(m: ParsedMessage): BounceRecipient[] {
  const head = m.text.split(COPY_MARKERS)[0] ?? m.text;
  const failed = m.header('x-failed-recipients');
  const sender = m.from?.address ?? '';
  const addresses = failed
    ? failed.split(/[\s,]+/).filter((a) => a.includes('@'))
    : [...new Set([...head.matchAll(ADDRESS)].map((x) => x[0].toLowerCase()))].filter((a) => a !== sender && !DAEMON.test(a)).slice(0, 20);
  const lines = head.split('\n');
  return addresses.map((raw) => {
    const address = raw.toLowerCase().replace(/^<|>$/g, '');
    const diagnosticLine = lines.find((l) => /\b[45]\d\d\b/.test(l) && (l.toLowerCase().includes(address) || STATUS.test(l))) ?? lines.find((l) => /\b[45]\d\d[ -]/.test(l)) ?? null;
    const status = (diagnosticLine && STATUS.exec(diagnosticLine)?.[1]) ?? (/#\s*([245]\.\d\.\d)/.exec(head)?.[1] ?? null);
    return { address, action: 'failed', status, diagnostic: diagnosticLine?.trim().slice(0, 500) ?? null };
  });
}

/** The Message-ID of the bounced mail: from an attached message or headers part, else from the quoted copy. */
function originalMessageId(m: ParsedMessage, raw: Buffer, ownId: string | null): string | null {
  for (const a of m.attachments) {
    if (a.contentType === 'message/rfc822' || a.contentType === 'text/rfc822-headers' || a.contentType === 'message/global') {
      const id = messageIdOf(headerBlock(a.content));
      if (id) return id;
    }
  }
  const text = raw.toString('latin1');
  for (const match of text.matchAll(/^message-id:\s*<([^<>\s]+)>/gim)) if (match[1] !== ownId) return match[1]!;
  return null;
}

/** Recognises a delivery-status report and pulls out what the notifier needs, or returns null. */
export function detectBounce(m: ParsedMessage, raw: Buffer): BounceReport | null {
  let rule: BounceReport['rule'] | null = null;
  if (/multipart\/report/i.test(m.contentType) && /report-type\s*=\s*"?delivery-status/i.test(m.contentType)) rule = 'dsn';
  else if (m.header('x-failed-recipients')) rule = 'x-failed-recipients';
  else {
    const daemon = DAEMON.test(m.from?.address ?? '') || DAEMON_NAME.test(m.from?.name ?? '');
    const nullSender = /^<\s*>$/.test(m.header('return-path')?.trim() ?? '') || (m.header('return-path') ?? '').trim() === '';
    if (BOUNCE_SUBJECT.test(m.subject) && (daemon || (nullSender && m.header('return-path') !== null))) rule = 'mailer-daemon';
  }
  if (!rule) return null;
  const recipients = rule === 'dsn' && m.deliveryStatus ? parseDeliveryStatus(m.deliveryStatus) : [];
  return { rule, recipients: recipients.length ? recipients : parseFreeText(m), originalMessageId: originalMessageId(m, raw, m.messageId) };
}
