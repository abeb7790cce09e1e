import { createHash } from 'node:crypto';
import { addressesIn } from './address';
import { parseSesNotification } from './amazon-ses';
import {
  addressOf,
  chooseStatus,
  cleanDiagnostic,
  parseDeliveryStatus,
  parseFeedbackReport,
  replyStatusOf,
} from './delivery-status';
import type { DeliveryReport, DeliveryReportRecipient } from './delivery-report.types';
import { looksLikeBounce } from './bounce-signs';
import { freeTextRecipients, reportHead } from './free-text';
import {
  decodeCharset,
  decodeWords,
  headerValue,
  mimeParts,
  splitHeaders,
  type Header,
  type MimePart,
} from './mime-parts';

/**
 * One reader for delivery reports: RFC 3464 (message/delivery-status and message/global-delivery-status),
 * ARF feedback (RFC 5965), X-Failed-Recipients, the classic free-text bounces and Amazon SES notifications.
 * Synchronous and bounded: only the first MAX_SCAN_BYTES of a message are looked at.
 */

const MAX_SCAN_BYTES = 4 * 1024 * 1024;

const HEADER_PARTS = new Set(['message/rfc822', 'text/rfc822-headers', 'message/global', 'message/global-headers']);

const bare = (id: string | null | undefined): string | null => {
  if (!id) return null;
  const v = (/<([^<>\s]+)>/.exec(id)?.[1] ?? id.trim().split(/\s+/)[0] ?? '').trim();
  return v ? v.slice(0, 500) : null;
};

/** The bounced mail's Message-ID: returned message or headers part first, else the quoted copy. */
function originalMessageIdOf(parts: MimePart[], copy: string, ownId: string | null): string | null {
  for (const p of parts) {
    if (!HEADER_PARTS.has(p.type) || p.inAttachedMessage) continue;
    const id = bare(headerValue(splitHeaders(p.text.replace(/^\s+/, '')).headers, 'message-id'));
    if (id && id !== ownId) return id;
  }
  for (const text of [copy, ...parts.filter((p) => p.type.startsWith('text/')).map((p) => p.text)]) {
    for (const m of text.matchAll(/^[ \t>]*message-id:[ \t]*<?([^<>\s]+@[^<>\s]+?)>?[ \t]*$/gim)) {
      if (m[1] !== ownId) return m[1]!.slice(0, 500);
    }
  }
  return null;
}

function readableText(parts: MimePart[]): string {
  const texts = parts.filter((p) => !p.inAttachedMessage && (p.type === 'text/plain' || p.type === 'text/html'));
  const plain = texts.filter((p) => p.type === 'text/plain');
  const chosen = plain.length ? plain : texts;
  return chosen
    .map((p) => (p.type === 'text/html' ? htmlToText(p.text) : p.text))
    .join('\n\n')
    .slice(0, 256 * 1024);
}

function htmlToText(html: string): string {
  return html
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>|<\/(?:p|div|tr|li|h\d)>/gi, '\n')
    .replace(/<[^>]{0,2000}>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&#(\d{1,7});/g, (_, d: string) => String.fromCodePoint(Math.min(Number(d), 0x10ffff)))
    .replace(/&#x([0-9a-f]{1,6});/gi, (_, h: string) => String.fromCodePoint(Math.min(parseInt(h, 16), 0x10ffff)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"');
}

function summary(recipients: DeliveryReportRecipient[], kind: DeliveryReport['kind']) {
  const main = recipients.find((r) => r.action === 'failed' || r.action === 'complained') ?? recipients[0];
  const action = kind === 'feedback' ? 'complained' : 'failed';
  if (!main) return { action, status: null, diagnostic: null, finalRecipient: null } as const;
  return { action: main.action, status: main.status, diagnostic: main.diagnostic, finalRecipient: main.address };
}

/** The addressees of the returned original (attached message or headers part, else the quoted copy). */
function copyAddressees(parts: MimePart[], copy: string): string[] {
  const returned = parts.find((p) => HEADER_PARTS.has(p.type) && !p.inAttachedMessage);
  const headers = returned ? splitHeaders(returned.text.replace(/^\s+/, '')).headers : [];
  const to = headerValue(headers, 'to') ?? /^[ \t]*to:[ \t]*(.+)$/im.exec(copy)?.[1] ?? null;
  return addressesIn(to).slice(0, 10);
}

/** Returns null for anything that is not a delivery report or feedback report. */
export function parseDeliveryReport(raw: Buffer): DeliveryReport | null {
  const text = raw.subarray(0, Math.min(raw.length, MAX_SCAN_BYTES)).toString('latin1');
  const top = splitHeaders(text).headers;
  const get = (name: string) => headerValue(top, name);
  const parts = mimeParts(text);
  const own = bare(get('message-id'));
  const subject = decodeWords(decodeCharset(get('subject') ?? '', null));
  const from = decodeWords(decodeCharset(get('from') ?? '', null));
  const fromAddress = addressesIn(from)[0] ?? '';
  const addressedTo = [
    ...new Set(
      top
        .filter((h) => ['to', 'delivered-to', 'x-original-to', 'envelope-to', 'x-envelope-to'].includes(h.name))
        .flatMap((h) => addressesIn(h.value)),
    ),
  ];
  const excluded = new Set([fromAddress, ...addressedTo].filter(Boolean));
  const body = readableText(parts);
  const { head, copy } = reportHead(body);
  const base = {
    messageId: own,
    addressedTo,
    sha256: createHash('sha256').update(raw).digest('hex'),
    subject: subject || null,
  };
  const originalMessageId = () => originalMessageIdOf(parts, copy, own);
  type Parts = Omit<DeliveryReport, keyof typeof base | 'action' | 'status' | 'diagnostic' | 'finalRecipient'>;
  // Nobody named: still a report when it is unmistakably one (a redacted ARF, a daemon's bounce), else null.
  const report = (r: Parts, unmistakable = false): DeliveryReport | null => {
    if (!r.recipients.length && !unmistakable) return null;
    const { kind, format, recipients, originalEnvelopeId, originalMessageId, feedbackType, ...extra } = r;
    // In the order of the contract, so stored rows read well.
    return {
      kind,
      format,
      messageId: base.messageId,
      recipients,
      ...summary(recipients, kind),
      originalEnvelopeId,
      originalMessageId,
      addressedTo: base.addressedTo,
      feedbackType,
      sha256: base.sha256,
      ...extra,
      subject: base.subject,
    };
  };

  const feedback = readFeedback(parts, top, head);
  if (feedback) {
    const ids = { originalEnvelopeId: null, originalMessageId: originalMessageId() };
    return report({ kind: 'feedback', format: 'arf', ...ids, ...feedback }, true);
  }

  const isStatus = (p: MimePart) => p.type === 'message/delivery-status' || p.type === 'message/global-delivery-status';
  // A report of our own comes first; a report that comes back attached (forwarded, re-bounced) is read second.
  const ownStatus = parts.filter((p) => !p.inAttachedMessage && isStatus(p));
  const statusParts = ownStatus.length ? ownStatus : parts.filter(isStatus);
  if (statusParts.length) {
    const fields = statusParts.map((p) => parseDeliveryStatus(p.text));
    const recipients = fields.flatMap((f) => f.recipients);
    fillFromProse(recipients, head, excluded, subject);
    const envelopeId = fields.find((f) => f.envelopeId)?.envelopeId ?? null;
    const ids = { originalEnvelopeId: envelopeId, originalMessageId: originalMessageId(), feedbackType: null };
    const dsn = report({ kind: 'bounce', format: 'rfc3464', recipients, ...ids, source: 'delivery-status' });
    if (dsn) return dsn;
  }

  // RFC 3464 fields quoted in the text (a report forwarded inline, WorkMail's "Technical report").
  const failed = get('x-failed-recipients');
  const inText = failed || looksLikeBounce(top, subject, from, fromAddress, head) ? textFields(body) : null;
  if (inText?.recipients.length) {
    const recipients = inText.recipients;
    fillFromProse(recipients, head, excluded, subject);
    const ids = { originalEnvelopeId: inText.envelopeId, originalMessageId: originalMessageId(), feedbackType: null };
    return report({ kind: 'bounce', format: 'rfc3464', recipients, ...ids, source: 'delivery-status-text' });
  }
  if (failed) {
    const known = addressesIn(failed);
    const recipients = freeTextRecipients(head, { excluded, known, subject });
    const ids = { originalEnvelopeId: null, originalMessageId: originalMessageId(), feedbackType: null };
    return report({ kind: 'bounce', format: 'x-failed-recipients', recipients, ...ids, source: 'text' }, true);
  }

  const ses = parseSesNotification(body);
  if (ses) {
    return report({ ...ses, format: 'free-text', originalEnvelopeId: null, source: 'amazon-ses-json' });
  }

  const likely = looksLikeBounce(top, subject, from, fromAddress, head);
  if (!likely) return null;
  let recipients = freeTextRecipients(head, { excluded, subject });
  // No address named in the text: the original's addressees (the returned copy's To) failed.
  if (!recipients.length) {
    const known = copyAddressees(parts, copy).filter((a) => !excluded.has(a));
    if (known.length) recipients = freeTextRecipients(head, { excluded, subject, known });
  }
  // Only an unmistakable bounce may name our own address (anonymised samples); a mere "mailbox full" notice
  // from a postmaster about our own mailbox is not a bounce.
  if (likely !== 'certain' && recipients.every((r) => excluded.has(r.address))) return null;
  const ids = { originalEnvelopeId: null, originalMessageId: originalMessageId(), feedbackType: null };
  return report({ kind: 'bounce', format: 'free-text', recipients, ...ids, source: 'text' }, likely === 'certain');
}

/** A report without a Diagnostic-Code (or Status) still explains itself in its human-readable part. */
function fillFromProse(recipients: DeliveryReportRecipient[], head: string, excluded: Set<string>, subject: string) {
  if (recipients.every((r) => r.diagnostic && r.status)) return;
  const prose = freeTextRecipients(head, { excluded, subject, known: recipients.map((r) => r.address) });
  for (const r of recipients) {
    const said = prose.find((p) => p.address === r.address);
    r.diagnostic ??= said?.diagnostic ?? cleanDiagnostic(head.split('\n').find((l) => l.trim().length > 8));
    r.status = chooseStatus(r.status, replyStatusOf(r.diagnostic)) ?? said?.status ?? null;
  }
}

/** Delivery-status field groups written into a text part: only groups with a recipient and an Action or Status. */
function textFields(body: string) {
  if (!/^[ \t]*final-recipient[ \t]*:/im.test(body)) return null;
  const fields = parseDeliveryStatus(body);
  return { ...fields, recipients: fields.recipients.filter((r) => r.status || r.diagnostic) };
}

function readFeedback(parts: MimePart[], top: Header[], head: string) {
  const part = parts.find((p) => !p.inAttachedMessage && p.type === 'message/feedback-report');
  const contentType = headerValue(top, 'content-type') ?? '';
  const subject = headerValue(top, 'subject') ?? '';
  const jmrp = /complaint about message from/i.test(subject) && parts.some((p) => p.type === 'message/rfc822');
  if (!part && !/report-type\s*=\s*"?feedback-report/i.test(contentType) && !jmrp) return null;
  const fields = part ? parseFeedbackReport(part.text) : { feedbackType: 'abuse', recipients: [], userAgent: null };
  // Without Original-Rcpt-To, the complaining recipient is the To of the returned message.
  const returned = parts.find((p) => HEADER_PARTS.has(p.type) && !p.inAttachedMessage);
  const returnedHeaders = returned ? splitHeaders(returned.text.replace(/^\s+/, '')).headers : [];
  const hotmail = addressOf(headerValue(returnedHeaders, 'x-hmxmroriginalrecipient'));
  const fallback = [hotmail, ...addressesIn(headerValue(returnedHeaders, 'to'))].filter((a): a is string => !!a);
  const addresses = fields.recipients.length ? fields.recipients : fallback.slice(0, 1);
  const feedbackType = fields.feedbackType ?? 'abuse';
  const prose =
    head
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l.length > 8) ?? null;
  const diagnostic = cleanDiagnostic(prose ?? `Feedback-Type: ${feedbackType}`);
  const recipients: DeliveryReportRecipient[] = addresses.map((address) => ({
    address,
    action: 'complained',
    status: null,
    diagnostic,
    remoteMta: null,
  }));
  return { recipients, feedbackType, source: jmrp && !part ? 'jmrp' : 'feedback-report' };
}
