import { createHash } from 'node:crypto';

/**
 * Delivery-status notifications (RFC 3464: multipart/report; report-type=delivery-status) and the
 * older free-text bounces Exim and Gmail still send (X-Failed-Recipients, a quoted copy of the
 * original). Everything the notifier needs to find the notification and say why it bounced.
 */
export type DeliveryReportAction = 'failed' | 'delayed' | 'delivered' | 'relayed' | 'expanded' | 'complained';
export interface DeliveryReportRecipient {
  address: string;
  action: DeliveryReportAction;
  status: string | null;
  diagnostic: string | null;
  remoteMta: string | null;
}
type DsnRecipient = DeliveryReportRecipient;

export interface DeliveryReport {
  kind: 'bounce' | 'feedback';
  format: 'rfc3464' | 'arf' | 'x-failed-recipients' | 'free-text';
  feedbackType: string | null;
  /** The report's own Message-ID (without brackets). */
  messageId: string | null;
  /** failed, delayed, delivered, relayed, expanded (of the first failed recipient, else the first). */
  action: DeliveryReportAction;
  status: string | null;
  diagnostic: string | null;
  finalRecipient: string | null;
  originalEnvelopeId: string | null;
  /** Message-ID of the mail that bounced (without brackets), from the returned headers or quoted copy. */
  originalMessageId: string | null;
  /** Where the report was delivered (To, Delivered-To, X-Original-To, Envelope-To): a VERP return path shows here. */
  addressedTo: string[];
  recipients: DeliveryReportRecipient[];
  /** sha256 of the raw report (dedupes a report that has no Message-ID). */
  sha256: string;
}

const DAEMON = /^(?:mailer-?daemon|postmaster|mail-?daemon|mdaemon|bounces?)@/i;
const DAEMON_NAME = /mail delivery (?:system|subsystem)|mailer-?daemon/i;
const BOUNCE_SUBJECT = /undeliver(?:able|ed)|delivery status notification|returned mail|failure notice|mail delivery failed|delivery (?:has )?failed|could not be delivered|non-?delivery|delivery failure|系统退信|發送失敗|退回|退信|投递失败|未能送达|无法投递/i;
const ADDRESS = /[A-Za-z0-9._%+=-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
const STATUS = /\b([245]\.\d{1,3}\.\d{1,3})\b/;
const COPY_MARKER = /^(?:-{2,}.*(?:copy of the message|original message|below this line|returned message|undelivered message)|original message headers:|.*this is a copy of the message)/im;

/** Header lines of a header block (unfolded), repeated names kept. */
export function headerLines(block: string): Array<{ name: string; value: string }> {
  const out: Array<{ name: string; value: string }> = [];
  for (const line of block.split(/\r?\n/)) {
    const last = out[out.length - 1];
    if (/^[ \t]/.test(line) && last) last.value += ` ${line.trim()}`;
    else {
      const i = line.indexOf(':');
      if (i > 0) out.push({ name: line.slice(0, i).trim().toLowerCase(), value: line.slice(i + 1).trim() });
    }
  }
  return out;
}

function topHeaders(raw: Buffer): Array<{ name: string; value: string }> {
  const text = raw.subarray(0, Math.min(raw.length, 256 * 1024)).toString('latin1');
  const end = /\r?\n\r?\n/.exec(text);
  return headerLines(end ? text.slice(0, end.index) : text);
}

const bare = (id: string | null | undefined): string | null => {
  if (!id) return null;
  const v = (/<([^<>\s]+)>/.exec(id)?.[1] ?? id.trim().split(/\s+/)[0] ?? '').trim();
  return v ? v.slice(0, 500) : null;
};

interface MimePart {
  contentType: string;
  body: string;
}

/**
 * The leaf parts of a MIME message, walked by hand: mailparser folds message/delivery-status into the
 * text body and keeps no headers-only parts, and a DSN needs exactly those. Bodies as latin1 text
 * (base64 and quoted-printable decoded); nested multiparts followed; message/rfc822 kept whole.
 */
export function mimeParts(raw: string, depth = 0): MimePart[] {
  const end = /\r?\n\r?\n/.exec(raw);
  const headers = headerLines(end ? raw.slice(0, end.index) : raw);
  const body = end ? raw.slice(end.index + end[0].length) : '';
  const type = headers.find((h) => h.name === 'content-type')?.value ?? 'text/plain';
  const mime = (type.split(';')[0] ?? '').trim().toLowerCase();
  const boundary = /boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))/i.exec(type);
  if (mime.startsWith('multipart/') && boundary && depth < 5) {
    const b = (boundary[1] ?? boundary[2])!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const chunks = body.split(new RegExp(`^--${b}(?:--)?[ \\t]*\\r?$`, 'm')).slice(1, -1);
    return chunks.flatMap((c) => mimeParts(c.replace(/^\r?\n/, ''), depth + 1));
  }
  const encoding = (headers.find((h) => h.name === 'content-transfer-encoding')?.value ?? '').toLowerCase();
  const decoded =
    encoding === 'base64'
      ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('latin1')
      : encoding === 'quoted-printable'
        ? body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)))
        : body;
  return [{ contentType: mime, body: decoded }];
}

/** The per-message and per-recipient fields of a message/delivery-status part. */
export function parseDeliveryStatus(text: string): { envelopeId: string | null; recipients: DsnRecipient[] } {
  const groups = text.replace(/\r\n/g, '\n').replace(/\n[ \t]+/g, ' ').split(/\n\s*\n/);
  let envelopeId: string | null = null;
  const recipients: DsnRecipient[] = [];
  for (const g of groups) {
    const field = (name: string) => new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(g)?.[1]?.trim() || null;
    envelopeId ??= field('Original-Envelope-Id');
    const recipient = field('Final-Recipient') ?? field('Original-Recipient');
    if (!recipient) continue;
    recipients.push({
      address: recipient.replace(/^[a-z0-9-]+;\s*/i, '').replace(/^<|>$/g, '').trim().toLowerCase(),
      action: (field('Action')?.toLowerCase() ?? 'failed') as DeliveryReportAction,
      remoteMta: field('Remote-MTA')?.replace(/^[a-z0-9-]+;\s*/i, '') ?? null,
      status: field('Status'),
      diagnostic: field('Diagnostic-Code')?.replace(/^[a-z0-9-]+;\s*/i, '').slice(0, 1000) ?? null,
    });
  }
  return { envelopeId, recipients };
}

/** Recipients of a free-text bounce: X-Failed-Recipients, else addresses before the quoted copy. */
function freeTextRecipients(text: string, sender: string, failedHeader: string | null): DsnRecipient[] {
  const head = text.split(COPY_MARKER)[0] ?? text;
  const addresses = failedHeader
    ? failedHeader.split(/[\s,]+/).filter((a) => a.includes('@'))
    : [...new Set([...head.matchAll(ADDRESS)].map((x) => x[0].toLowerCase()))].filter((a) => a !== sender && !DAEMON.test(a)).slice(0, 20);
  const lines = head.split('\n');
  return addresses.map((a) => {
    const address = a.toLowerCase().replace(/^<|>$/g, '');
    const line = lines.find((l) => /\b[45]\d\d\b/.test(l) && (l.toLowerCase().includes(address) || STATUS.test(l))) ?? lines.find((l) => /\b[45]\d\d[ -]/.test(l)) ?? null;
    return { address, action: 'failed', remoteMta: null, status: (line && STATUS.exec(line)?.[1]) ?? null, diagnostic: line?.trim().slice(0, 1000) ?? null };
  });
}

/** The bounced mail's Message-ID: from a returned message or headers part, else the quoted copy. */
function originalMessageId(parts: MimePart[], raw: Buffer, ownId: string | null): string | null {
  for (const p of parts) {
    if (['message/rfc822', 'text/rfc822-headers', 'message/global', 'message/global-headers'].includes(p.contentType)) {
      const text = p.body.replace(/^\s+/, '');
      const end = /\r?\n\r?\n/.exec(text);
      const id = bare(headerLines(end ? text.slice(0, end.index) : text).find((h) => h.name === 'message-id')?.value);
      if (id) return id;
    }
  }
  for (const match of raw.toString('latin1').matchAll(/^message-id:\s*<([^<>\s]+)>/gim)) if (match[1] !== ownId) return match[1]!.slice(0, 500);
  return null;
}

/** Parses a delivery-status report, or returns null for mail that is not one (an auto-reply, spam). */
export function parseDeliveryReport(raw: Buffer): DeliveryReport | null {
  const headers = topHeaders(raw);
  const get = (name: string) => headers.find((h) => h.name === name)?.value ?? null;
  const contentType = get('content-type') ?? '';
  const failedHeader = get('x-failed-recipients');
  const parts = mimeParts(raw.toString('latin1'));
  const statusPart = parts.find((p) => p.contentType === 'message/delivery-status' || p.contentType === 'message/global-delivery-status');
  const fromHeader = get('from') ?? '';
  const fromAddress = ([...fromHeader.matchAll(ADDRESS)][0]?.[0] ?? '').toLowerCase();
  let format: DeliveryReport['format'] | null = null;
  if (/multipart\/report/i.test(contentType) && /report-type\s*=\s*"?delivery-status/i.test(contentType) && statusPart) format = 'rfc3464';
  else if (failedHeader) format = 'x-failed-recipients';
  else {
    const daemon = DAEMON.test(fromAddress) || DAEMON_NAME.test(fromHeader);
    const nullSender = /^<\s*>$/.test(get('return-path') ?? 'x');
    if (BOUNCE_SUBJECT.test(get('subject') ?? '') && (daemon || nullSender)) format = 'free-text';
  }
  if (!format) return null;
  const ownId = bare(get('message-id'));
  const dsn = statusPart ? parseDeliveryStatus(statusPart.body) : { envelopeId: null, recipients: [] };
  const text = parts.filter((p) => p.contentType === 'text/plain').map((p) => p.body).join('\n');
  const recipients = dsn.recipients.length ? dsn.recipients : freeTextRecipients(text, fromAddress, failedHeader);
  const main = recipients.find((r) => r.action === 'failed') ?? recipients[0] ?? null;
  if (!main) return null;
  const addressedTo = headers
    .filter((h) => ['to', 'delivered-to', 'x-original-to', 'envelope-to', 'x-envelope-to'].includes(h.name))
    .flatMap((h) => [...h.value.matchAll(ADDRESS)].map((x) => x[0].toLowerCase()));
  return {
    kind: 'bounce',
    format,
    feedbackType: null,
    messageId: ownId,
    action: main.action,
    status: main.status,
    diagnostic: main.diagnostic,
    finalRecipient: main.address,
    originalEnvelopeId: dsn.envelopeId,
    originalMessageId: originalMessageId(parts, raw, ownId),
    addressedTo: [...new Set(addressedTo)],
    recipients,
    sha256: createHash('sha256').update(raw).digest('hex'),
  };
}
