import {
  headerBlock,
  inspectStructure,
  normalisePhone,
  parseDeliveryReport,
  unknownCharset,
  type CaseChannel,
  type DeliveryReport,
  type MailboxRoute,
} from '@kefu/shared';
import {
  detectFax,
  faxDescription,
  faxSender,
  readFaxDocument,
  type FaxDocument,
  type FaxMatch,
} from '../fax/fax-detector';
import { autoReplyReason } from './auto-reply.rules';
import { parseMessage, type MailAddress, type MailPart, type ParsedMessage } from './mail-parse';

/** What becomes of one stored mail. Computed without writing anything; MailProcessingService commits it. */
export type MailDecision =
  | { kind: 'quarantine'; reason: string; summary: Record<string, unknown> | null }
  | { kind: 'bounce'; report: DeliveryReport; summary: Record<string, unknown> }
  | { kind: 'auto_reply'; reason: string; summary: Record<string, unknown> }
  | {
      kind: 'reply';
      caseId: string;
      caseNumber: string;
      matchedBy: string;
      parsed: ParsedMessage;
      summary: Record<string, unknown>;
    }
  | {
      kind: 'case';
      channel: CaseChannel;
      reporter: NewReporter;
      description: string;
      unitText: string;
      parts: MailPart[];
      fax: { match: FaxMatch; doc: FaxDocument } | null;
      summary: Record<string, unknown>;
    };

export interface NewReporter {
  name: string | null;
  contact: string | null;
  email: string | null;
  phones: string[];
}

/** Database look-ups the decision needs (threads of mail we sent, case numbers). */
export interface CaseLookup {
  byMessageIds: (ids: string[]) => Promise<{ id: string; number: string } | null>;
  /** A case by number, with the addresses it knows (its reporter's, its owner's, active staff's; lower case). */
  byNumbers: (numbers: string[]) => Promise<{ id: string; number: string; addresses: string[] } | null>;
}

// COBZS001-2026-00017, KF-2026-00003: project code (or KF), business year, sequence.
const CASE_NUMBER = /\b[A-Z][A-Z0-9]{1,29}-(?:19|20)\d{2}-\d{5,}\b/gi;
const FORWARD_SUBJECT = /^\s*(?:fwd?|fw|转发|轉寄|轉發)\s*[:：]/i;
const FORWARD_MARKER =
  /^[ \t>]*(?:-{2,}\s*(?:forwarded message|original message|原始邮件|原始郵件|转发邮件信息|转发的邮件|轉寄郵件)\s*-{2,}|begin forwarded message:|_{10,})[ \t]*$/im;
const FORWARD_FROM = /^[ \t>]*(?:from|发件人|發件人|寄件者)\s*[:：]\s*(.+)$/im;
// A phone number the writer gives as their contact ("联系电话：138 1234 5678"), not any number in the text.
const CONTACT_PHONE =
  /(?:电话|手机|联系方式|联系|電話|手機|聯繫|tel|mobile|phone)[^\d+\n]{0,8}(\+?\d[\d\s-]{6,18}\d)/gi;

export function summarise(m: ParsedMessage, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    from: m.from,
    replyTo: m.replyTo,
    subject: m.subject.slice(0, 500),
    date: m.date?.toISOString() ?? null,
    messageId: m.messageId,
    to: m.to.slice(0, 20),
    toCount: m.to.length,
    ccCount: m.ccCount,
    inReplyTo: m.inReplyTo.slice(0, 5),
    references: m.references.slice(-10),
    htmlOnly: m.htmlOnly,
    attachments: m.attachments
      .slice(0, 50)
      .map((a) => ({ filename: a.filename, contentType: a.contentType, size: a.size, role: a.role })),
    ...extra,
  };
}

function parseAddressText(s: string): MailAddress | null {
  const angle = /^\s*"?([^"<[]*?)"?\s*[<[](?:mailto:)?([^>\]\s]+@[^>\]\s]+)[>\]]/.exec(s);
  if (angle) return { name: angle[1]!.trim() || null, address: angle[2]!.toLowerCase() };
  const bare = /([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})/.exec(s);
  return bare
    ? {
        name:
          s
            .replace(bare[1]!, '')
            .replace(/[<>"()[\]]/g, '')
            .trim() || null,
        address: bare[1]!.toLowerCase(),
      }
    : null;
}

/** A department passing an owner's mail on (003 §9.2.4): the owner in the quoted header is the reporter. */
export function forwardedOriginal(m: ParsedMessage): MailAddress | null {
  if (!FORWARD_SUBJECT.test(m.subject)) return null;
  const marker = FORWARD_MARKER.exec(m.text);
  if (!marker) return null;
  const after = m.text
    .slice(marker.index + marker[0].length)
    .split('\n')
    .slice(0, 12)
    .join('\n');
  const from = FORWARD_FROM.exec(after);
  return from ? parseAddressText(from[1]!) : null;
}

function reporterOf(m: ParsedMessage): { reporter: NewReporter; forwardedBy: MailAddress | null } {
  const original = forwardedOriginal(m);
  // Reply-To names where answers should go: the reporter's own address when a form or an assistant sent it.
  const who = original ?? m.replyTo ?? m.from;
  const name = (who?.name ?? (original ? null : m.from?.name) ?? null)?.slice(0, 100) ?? null;
  const email = who?.address ?? null;
  // The phone rules are the shared ones (normalisePhone): a number they do not accept is not a contact.
  const phones = [...m.text.matchAll(CONTACT_PHONE)]
    .map((x) => normalisePhone(x[1]!)?.digits)
    .filter((d): d is string => !!d)
    .slice(0, 3);
  const contact = email ? (name ? `${name} <${email}>` : email).slice(0, 300) : name;
  return { reporter: { name, contact, email, phones }, forwardedBy: original ? m.from : null };
}

function description(subject: string, text: string, attachments: number): string {
  const body = text.trim();
  const parts = [subject, body && body !== subject ? body : ''].filter(Boolean);
  return parts.length ? parts.join('\n\n') : `（邮件无文字，附件 ${attachments} 个）`;
}

/** What the notifier's receipt and the console show of a report, beside the parsed report itself. */
export function reportSummary(r: DeliveryReport): Record<string, unknown> {
  const { kind, format, action, status, finalRecipient, originalMessageId, feedbackType } = r;
  return { deliveryReport: { kind, format, action, status, finalRecipient, originalMessageId, feedbackType } };
}

/** Why a mail is handed to the notifier (the intake record's outcome reason). */
export function reportReason(r: DeliveryReport): string {
  return r.kind === 'feedback'
    ? `feedback report (${r.feedbackType ?? 'abuse'}): the recipient marked our mail as spam`
    : `delivery-status report (${r.format}, ${r.action})`;
}

export interface DecideOptions {
  maxBytes: number;
  size: number;
  truncated: boolean;
  lookup: CaseLookup;
  /** The mailbox's route: a bounce mailbox only ever yields reports (or ignored mail). Default `cases`. */
  route?: MailboxRoute;
}

/** Reads a stored mail and decides what it is. Throws only on an unexpected failure (treated as a fault by the caller). */
export async function decide(raw: Buffer, opts: DecideOptions): Promise<MailDecision> {
  if (opts.truncated || opts.size > opts.maxBytes)
    return {
      kind: 'quarantine',
      reason: `oversized: ${opts.size} bytes, more than MAIL_MAX_BYTES (${opts.maxBytes})`,
      summary: null,
    };
  if (opts.route === 'delivery-reports') {
    // Parsed once, here; the parsed report travels to the notifier in Postgres (intake_records.delivery_report).
    const report = parseDeliveryReport(raw);
    if (report) return { kind: 'bounce', report, summary: reportSummary(report) };
    return {
      kind: 'auto_reply',
      reason: 'not a delivery or feedback report (bounce mailbox): recorded, ignored',
      summary: {},
    };
  }
  const block = headerBlock(raw);
  const structure = inspectStructure(raw, block);
  if (structure.problem) return { kind: 'quarantine', reason: structure.problem, summary: null };
  const charset = unknownCharset(block, structure.leaves);
  if (charset) return { kind: 'quarantine', reason: `unknown charset: ${charset.slice(0, 60)}`, summary: null };

  let m: ParsedMessage;
  try {
    m = await parseMessage(raw);
  } catch (err) {
    return {
      kind: 'quarantine',
      reason: `unparseable: ${err instanceof Error ? err.message : String(err)}`.slice(0, 500),
      summary: null,
    };
  }
  const report = parseDeliveryReport(raw);
  if (report) return { kind: 'bounce', report, summary: summarise(m, reportSummary(report)) };
  const auto = autoReplyReason(m);
  if (auto) return { kind: 'auto_reply', reason: auto, summary: summarise(m) };
  if (!m.subject && !m.text.trim() && m.attachments.length === 0)
    return { kind: 'quarantine', reason: 'empty message: no subject, no text, no attachment', summary: summarise(m) };

  const fax = detectFax(m);
  if (fax) {
    const doc = await readFaxDocument(fax);
    const summary = summarise(m, {
      fax: {
        gateway: fax.rule.gateway,
        rule: fax.rule.id,
        station: fax.station,
        number: fax.number,
        pages: doc.pages,
        textLayer: !!doc.text,
        ...(doc.problem ? { problem: doc.problem } : {}),
      },
    });
    return {
      kind: 'case',
      channel: 'fax',
      fax: { match: fax, doc },
      summary,
      parts: m.attachments,
      reporter: {
        name: fax.station,
        contact: `传真 ${faxSender(fax)}`.slice(0, 300),
        email: null,
        phones: fax.number ? [fax.number] : [],
      },
      description: faxDescription(fax, doc),
      unitText: `${m.subject} ${doc.text?.slice(0, 2000) ?? ''}`,
    };
  }

  const threadIds = [...m.inReplyTo, ...m.references];
  const byThread = threadIds.length ? await opts.lookup.byMessageIds(threadIds) : null;
  const numbers = [...new Set([...m.subject.matchAll(CASE_NUMBER)].map((x) => x[0].toUpperCase()))];
  const byNumber = !byThread && numbers.length ? await opts.lookup.byNumbers(numbers) : null;
  // A case number is printed on every notice and is easy to guess: quoted by an address the case does not know, the
  // mail is not added to a stranger's case (where staff would read it as the owner's word) but held for staff.
  if (!byThread && byNumber) {
    const senders = [m.from?.address, m.replyTo?.address].filter((a): a is string => !!a).map((a) => a.toLowerCase());
    if (!senders.some((a) => byNumber.addresses.includes(a)))
      return {
        kind: 'quarantine',
        reason: `quotes case ${byNumber.number} in its subject, but comes from an address that case does not know (not its reporter, owner or staff): held for staff to check`,
        summary: summarise(m, { quotedCase: byNumber.number }),
      };
  }
  const target = byThread ?? byNumber;
  if (target)
    return {
      kind: 'reply',
      caseId: target.id,
      caseNumber: target.number,
      matchedBy: byThread ? 'thread' : 'subject',
      parsed: m,
      summary: summarise(m),
    };

  const { reporter, forwardedBy } = reporterOf(m);
  return {
    kind: 'case',
    channel: 'email',
    fax: null,
    reporter,
    parts: m.attachments,
    description: description(m.subject, m.text, m.attachments.length),
    unitText: m.subject,
    summary: summarise(m, forwardedBy ? { forwardedBy } : {}),
  };
}
