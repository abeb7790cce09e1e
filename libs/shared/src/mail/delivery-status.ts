import type { DeliveryReportAction, DeliveryReportRecipient } from './delivery-report.types';

/** Field groups of a message/delivery-status (RFC 3464) or message/feedback-report (RFC 5965) body. */

// Unicode local parts and domains too (RFC 6531 reports use utf-8 addresses).
const ADDRESS = /(?<![^\s<>()[\]"',;:@])[^\s<>()[\]"',;:@]{1,64}@[^\s<>()[\]"',;:@]{1,255}\.[^\s<>()[\]"',;:@.]{2,63}/;
// Enhanced status code (RFC 3463), not part of an IP address or a version number.
const STATUS = /(?<![\d.])[245]\.(?:[0-7]|\d{2,3})\.\d{1,3}(?!\d|\.\d)/;
const FAILURE_STATUS = /(?<![\d.])[45]\.(?:[0-7]|\d{2,3})\.\d{1,3}(?!\d|\.\d)/;
const DIAGNOSTIC_MAX = 1000;

export function fieldGroups(text: string): Array<Map<string, string[]>> {
  const groups: Array<Map<string, string[]>> = [];
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  let current = new Map<string, string[]>();
  let last: { name: string; index: number } | null = null;
  const flush = () => {
    if (current.size) groups.push(current);
    current = new Map();
    last = null;
  };
  for (const line of lines) {
    if (!line.trim()) {
      flush();
      continue;
    }
    if (/^[ \t]/.test(line) && last) {
      const l: { name: string; index: number } = last;
      const values = current.get(l.name)!;
      values[l.index] = `${values[l.index]} ${line.trim()}`;
      continue;
    }
    const m = /^([A-Za-z][A-Za-z0-9-]*)[ \t]*:[ \t]*(.*)$/.exec(line);
    if (!m) continue;
    const name = m[1]!.toLowerCase();
    // Some MTAs (AOL) run recipient groups together without the blank line between them.
    if (name === 'final-recipient' && current.has(name)) flush();
    const values = current.get(name) ?? [];
    values.push(m[2]!.trim());
    current.set(name, values);
    last = { name, index: values.length - 1 };
  }
  flush();
  return groups;
}

const first = (g: Map<string, string[]>, name: string): string | null => g.get(name)?.[0]?.trim() || null;

/** An address out of a field like `rfc822; <A@B.example>`, lower case, or null. */
export function addressOf(value: string | null | undefined): string | null {
  if (!value) return null;
  const v = value.replace(/^\s*[a-z0-9-]+\s*;/i, '');
  const m = ADDRESS.exec(v);
  return m ? m[0].replace(/^[<'"]+|[>'".]+$/g, '').toLowerCase() : null;
}

/** The first failure status (4.x.x, 5.x.x) in a text, else a success one (2.x.x). */
export function statusOf(value: string | null | undefined): string | null {
  const m = value ? (FAILURE_STATUS.exec(value) ?? STATUS.exec(value)) : null;
  return m ? m[0] : null;
}

export function cleanDiagnostic(value: string | null | undefined): string | null {
  if (!value) return null;
  const v = value
    .replace(/^\s*(?:smtp|x-[a-z0-9-]+|[a-z]+)\s*;\s*/i, '')
    .replace(/^(?:\s*(?:-{1,}|<<<|>>>|\*+|[;:,.]))+\s*/, '') // layout, not words: "-- 5.4.1 ...", "<<< 550 ..."
    .replace(/\s+/g, ' ')
    .trim();
  return v ? v.slice(0, DIAGNOSTIC_MAX) : null;
}

/**
 * The Status field, unless it is missing or only the generic x.0.0 while the remote server's own reply in
 * the Diagnostic-Code states a specific code of the same class (Postfix and Sendmail write 5.0.0 for any
 * 5xx reply without one of their own).
 */
/** The status the remote server gave with its reply code ("550 5.2.2 ..."), else the first one in the text. */
export function replyStatusOf(text: string | null): string | null {
  const m = text ? /(?:^|[\s'"(:])[45]\d\d[ -]['"]?#?([45]\.(?:[0-7]|\d{2,3})\.\d{1,3})(?!\d|\.\d)/.exec(text) : null;
  return m ? m[1]! : statusOf(text);
}

export function chooseStatus(field: string | null, diagnostic: string | null): string | null {
  if (!field) return diagnostic;
  return diagnostic && diagnostic[0] === field[0] && !diagnostic.startsWith(`${field[0]}.0.0`) ? diagnostic : field;
}

export function normaliseAction(value: string | null, status: string | null): DeliveryReportAction {
  const v = (value ?? '').toLowerCase();
  if (/^fail/.test(v)) return 'failed';
  if (/^delay/.test(v)) return 'delayed';
  if (/^deliver/.test(v)) return 'delivered';
  if (/^relay/.test(v)) return 'relayed';
  if (/^expand/.test(v)) return 'expanded';
  return status?.startsWith('4') ? 'delayed' : status?.startsWith('2') ? 'delivered' : 'failed';
}

const mtaOf = (value: string | null): string | null => value?.replace(/^\s*[a-z0-9-]+\s*;\s*/i, '').trim() || null;

export interface DeliveryStatusFields {
  envelopeId: string | null;
  reportingMta: string | null;
  recipients: DeliveryReportRecipient[];
}

/** Per-message and per-recipient fields of a delivery-status body. */
export function parseDeliveryStatus(text: string): DeliveryStatusFields {
  let envelopeId: string | null = null;
  let reportingMta: string | null = null;
  const recipients: DeliveryReportRecipient[] = [];
  for (const g of fieldGroups(text)) {
    envelopeId ??= first(g, 'original-envelope-id');
    reportingMta ??= mtaOf(first(g, 'reporting-mta'));
    const address = addressOf(first(g, 'final-recipient')) ?? addressOf(first(g, 'original-recipient'));
    if (!address) continue;
    // Sendmail's "X-Unix; 77" is an exit code, not a reason: the prose part explains it instead.
    const diagnostic = cleanDiagnostic(
      g
        .get('diagnostic-code')
        ?.join(' ')
        ?.replace(/^[^;]*;\s*\d{1,3}\s*$/, ''),
    );
    const status = chooseStatus(statusOf(first(g, 'status')), replyStatusOf(diagnostic));
    recipients.push({
      address,
      action: normaliseAction(first(g, 'action'), status),
      status,
      diagnostic,
      remoteMta: mtaOf(first(g, 'remote-mta')),
    });
  }
  return { envelopeId, reportingMta, recipients };
}

export interface FeedbackFields {
  feedbackType: string | null;
  recipients: string[];
  userAgent: string | null;
}

/** The fields of a message/feedback-report body (RFC 5965). */
export function parseFeedbackReport(text: string): FeedbackFields {
  const merged = new Map<string, string[]>();
  for (const g of fieldGroups(text)) for (const [k, v] of g) merged.set(k, [...(merged.get(k) ?? []), ...v]);
  const recipients = [...(merged.get('original-rcpt-to') ?? []), ...(merged.get('removal-recipient') ?? [])]
    .map((v) => addressOf(v))
    .filter((a): a is string => !!a);
  return {
    feedbackType: first(merged, 'feedback-type')?.toLowerCase() ?? null,
    recipients: [...new Set(recipients)],
    userAgent: first(merged, 'user-agent'),
  };
}
