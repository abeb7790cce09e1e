import { compile } from 'html-to-text';
import { simpleParser, type AddressObject, type Attachment, type ParsedMail } from 'mailparser';
import type { AttachmentRole } from '@kefu/shared';
import { withTimeout } from '@kefu/shared';

/** A parse that takes longer than this is abandoned and the mail quarantined. */
const PARSE_TIMEOUT_MS = 30_000;
/** Characters of body text kept for the case; the raw message keeps everything. */
export const MAX_TEXT_CHARS = 20_000;

// Readable text from HTML: scripts, styles, images and link targets never reach the text we store.
const htmlText = compile({
  wordwrap: false,
  limits: { maxInputLength: 5_000_000 },
  selectors: [
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'img', format: 'skip' },
    ...['script', 'style', 'head', 'noscript', 'template', 'iframe', 'object', 'embed', 'svg', 'canvas', 'form'].map(
      (selector) => ({ selector, format: 'skip' }),
    ),
  ],
});

export function htmlToPlainText(html: string): string {
  return htmlText(html)
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export interface MailAddress {
  name: string | null;
  address: string | null;
}

export interface MailPart {
  role: Extract<AttachmentRole, 'attachment' | 'inline'>;
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  contentId: string | null;
  content: Buffer;
}

/** What the rest of intake needs from a message, decoded and sanitised. */
export interface ParsedMessage {
  subject: string;
  from: MailAddress | null;
  replyTo: MailAddress | null;
  to: string[];
  ccCount: number;
  date: Date | null;
  messageId: string | null;
  inReplyTo: string[];
  references: string[];
  /** Plain text (HTML converted when there is no plain part); never markup. */
  text: string;
  htmlOnly: boolean;
  attachments: MailPart[];
  /** Lower-cased header name → decoded value(s) as text, for the rules. */
  header: (name: string) => string | null;
  /** The delivery-status part of a report, if any (kept as text). */
  deliveryStatus: string | null;
  /** The Content-Type of the message itself, e.g. `multipart/report; report-type=delivery-status`. */
  contentType: string;
}

const stripBrackets = (id: string) => id.trim().replace(/^<|>$/g, '');
const ids = (v: string | string[] | undefined): string[] =>
  (Array.isArray(v) ? v : v ? v.split(/\s+/) : []).map(stripBrackets).filter(Boolean).slice(0, 50);

function firstAddress(a: AddressObject | AddressObject[] | undefined): MailAddress | null {
  const list = (Array.isArray(a) ? a : a ? [a] : []).flatMap((o) => o.value).flatMap((v) => v.group ?? [v]);
  const v = list.find((x) => x.address) ?? list[0];
  return v ? { name: v.name?.trim() || null, address: v.address?.trim().toLowerCase() || null } : null;
}

function allAddresses(a: AddressObject | AddressObject[] | undefined): string[] {
  return (Array.isArray(a) ? a : a ? [a] : [])
    .flatMap((o) => o.value)
    .flatMap((v) => v.group ?? [v])
    .map((v) => v.address ?? '')
    .filter(Boolean);
}

function headerText(parsed: ParsedMail, name: string): string | null {
  const v: unknown = parsed.headers.get(name);
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object' && 'value' in v) {
    const s = v as { value: unknown; text?: unknown; params?: Record<string, string> };
    if (typeof s.text === 'string') return s.text;
    const params = Object.entries(s.params ?? {})
      .map(([k, p]) => `; ${k}=${p}`)
      .join('');
    return `${String(s.value)}${params}`;
  }
  return Array.isArray(v) ? v.map(String).join(', ') : JSON.stringify(v);
}

function part(a: Attachment, i: number): MailPart {
  const inline =
    !!a.cid && (a.related === true || a.contentDisposition === 'inline') && a.contentType.startsWith('image/');
  return {
    role: inline ? 'inline' : 'attachment',
    filename: (a.filename?.trim() || `${inline ? 'inline' : 'attachment'}-${i + 1}${extension(a.contentType)}`).slice(
      0,
      255,
    ),
    contentType: a.contentType.slice(0, 150),
    size: a.size,
    sha256: a.checksum,
    contentId: a.cid ? a.cid.slice(0, 300) : null,
    content: a.content,
  };
}

function extension(type: string): string {
  const known: Record<string, string> = {
    'application/pdf': '.pdf',
    'image/tiff': '.tif',
    'image/jpeg': '.jpg',
    'image/png': '.png',
    'image/gif': '.gif',
    'message/rfc822': '.eml',
    'text/plain': '.txt',
    'text/html': '.html',
  };
  return known[type] ?? '.bin';
}

/** Parses raw MIME with mailparser (charsets decoded by libmime; GB2312 read as its superset). Throws when unparseable. */
export async function parseMessage(raw: Buffer): Promise<ParsedMessage> {
  const parsed = await withTimeout(
    simpleParser(raw, {
      skipHtmlToText: true,
      skipTextToHtml: true,
      skipImageLinks: true,
      keepCidLinks: true,
      checksumAlgo: 'sha256',
      keepDeliveryStatus: true,
      maxHeadSize: 2 * 1024 * 1024,
    }),
    PARSE_TIMEOUT_MS,
    `parsing took longer than ${PARSE_TIMEOUT_MS / 1000} s`,
  );
  const html = typeof parsed.html === 'string' ? parsed.html : '';
  const plain = parsed.text?.trim() ?? '';
  const text = (plain || (html ? htmlToPlainText(html) : '')).replace(/\r\n/g, '\n').slice(0, MAX_TEXT_CHARS);
  const status = parsed.attachments.find(
    (a) => a.contentType === 'message/delivery-status' || a.contentType === 'message/global-delivery-status',
  );
  const attachments = parsed.attachments.filter((a) => a !== status).map(part);
  return {
    subject: (parsed.subject ?? '').replace(/\s+/g, ' ').trim(),
    from: firstAddress(parsed.from),
    replyTo: firstAddress(parsed.replyTo),
    to: allAddresses(parsed.to),
    ccCount: allAddresses(parsed.cc).length,
    date: parsed.date && !Number.isNaN(parsed.date.getTime()) ? parsed.date : null,
    messageId: parsed.messageId ? stripBrackets(parsed.messageId) : null,
    inReplyTo: ids(parsed.inReplyTo),
    references: ids(parsed.references),
    text,
    htmlOnly: !plain && !!html,
    attachments,
    header: (name) => headerText(parsed, name.toLowerCase()),
    deliveryStatus: status ? status.content.toString('utf8') : null,
    contentType: headerText(parsed, 'content-type') ?? 'text/plain',
  };
}
