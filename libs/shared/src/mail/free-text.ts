import { ADDRESS } from './address';
import { cleanDiagnostic, statusOf } from './delivery-status';
import type { DeliveryReportAction, DeliveryReportRecipient } from './delivery-report.types';

/**
 * The human-readable bounces MTAs wrote before (and beside) RFC 3464: Postfix, Exim, Sendmail, qmail
 * `<addr>:` blocks, Exchange / Office 365 NDR text, Gmail, Domino, Japanese and Chinese providers.
 * Rules are about layout, not about one sender: the failed recipient is an address standing on its own
 * line or introduced as a recipient, the diagnostic is the text next to it.
 */

const REPLY_CODE = /(?:^|[\s(:'"])[45]\d\d(?:[ -]|$)/;
const FAILURE_STATUS = /(?<![\d.])[45]\.(?:[0-7]|\d{2,3})\.\d{1,3}(?![\d]|\.\d)/;
// Bounds on what is scanned: a report's own text is short; anything longer is a quoted copy or abuse.
const MAX_LINES = 600;
const MAX_LINE = 2000;
const MAX_HEAD = 64 * 1024;
const MAX_MENTIONS = 500;
const MAX_RECIPIENTS = 50;

// Where a free-text bounce starts quoting the original message (its headers or its body).
const COPY_MARKER = new RegExp(
  [
    String.raw`^\s*-{2,}.*(?:copy of the (?:original )?message|original message|below this line|returned message`,
    String.raw`undelivered message|header of the original|original mail|message header)`,
    String.raw`^\s*(?:original message headers|original message follows|original mail as follows`,
    String.raw`message headers follow`,
    String.raw`included is a copy of the message header)`,
    String.raw`^\s*(?:below is a copy of the original message|this is a copy of the`,
    String.raw`the original message (?:was|is) (?:attached|below))`,
    String.raw`^\s*-{2,}\s*original message\s*-{2,}`,
    String.raw`^\s*\*{3,}\s*end of message`,
  ].join('|'),
  'i',
);
const MESSAGE_HEADER = new RegExp(
  String.raw`^(?:received|return-path|delivered-to|dkim-signature|message-id|mime-version|x-[a-z0-9-]+` +
    String.raw`|from|to|subject|date|content-type|reply-to|sender):[ \t]`,
  'i',
);
const TRACE_HEADER = /^(?:received:[ \t]?|(?:return-path|delivered-to|dkim-signature|message-id|mime-version):[ \t])/i;

// Prefixes that introduce the failed recipient, and those that introduce someone else (help desk, sender).
const RECIPIENT_INTRO = new RegExp(
  [
    String.raw`(?:rcpt to|recipients?|address|addressee|user|mailbox|destination|to|for|failed|errors?)\s*[:=]?`,
    String.raw`deliver(?:ed|ing|y)?(?: \w+){0,4} to:?`,
    String.raw`(?:送信先|宛先|受信者|收件人|收信人)\s*[:：]?`,
    String.raw`(?:>{2,}|-{2,}|\*)`,
  ].join('|'),
  'i',
);
const INTRODUCED = new RegExp(`(?:${RECIPIENT_INTRO.source})[\\s<"'(]*$`, 'i');
const OTHER_INTRO = /(?:contact|reply|write to|e-?mail us|support|visit|please|from|sender|sent by|by)\b[^.]{0,40}$/i;

/** The part of a report's text before its quoted copy of the original. */
export function reportHead(text: string): { head: string; copy: string } {
  const lines = text
    .slice(0, MAX_HEAD)
    .replace(/\r\n?/g, '\n')
    .split('\n', MAX_LINES + 1)
    .map((l) => l.slice(0, MAX_LINE));
  const limit = Math.min(lines.length, MAX_LINES);
  for (let i = 0; i < limit; i++) {
    const line = lines[i]!;
    const next = lines[i + 1] ?? '';
    // A quoted header block: a trace header, or three header lines in a row (two can be a summary).
    const block = MESSAGE_HEADER.test(line) && MESSAGE_HEADER.test(next) && MESSAGE_HEADER.test(lines[i + 2] ?? '');
    // Markers are short lines: test the start only (the pattern backtracks on a long run of dashes).
    if (COPY_MARKER.test(line.slice(0, 200)) || TRACE_HEADER.test(line) || block) {
      return { head: lines.slice(0, i).join('\n'), copy: lines.slice(i).join('\n') };
    }
  }
  return { head: lines.slice(0, limit).join('\n'), copy: lines.slice(limit).join('\n') };
}

export const findStatus = statusOf;

interface Mention {
  address: string;
  line: number;
  strong: boolean;
  excluded: boolean;
}

const bareLine = (line: string, address: string): string =>
  line
    .split(address)
    .join('')
    .replace(/mailto:/gi, '')
    .replace(/\bon\s+\w{3},?\s.*$/i, '') // Exchange: "addr on Thu, 29 Apr 2010 ..."
    .replace(/[\s<>()[\]"'`:;,.>*-]+/g, '');

function mentions(lines: string[], excluded: Set<string>): Mention[] {
  const out: Mention[] = [];
  lines.forEach((line, i) => {
    if (out.length >= MAX_MENTIONS) return;
    for (const m of line.matchAll(ADDRESS)) {
      const address = m[0].replace(/^[.'`]+|[.'`]+$/g, '').toLowerCase();
      const prefix = line.slice(0, m.index).toLowerCase();
      const after = line.slice(m.index + m[0].length);
      if (OTHER_INTRO.test(prefix) && !/rcpt to|deliver|recipient|failed/i.test(prefix)) continue;
      if (/message-?id\s*[:=]?\s*<?$/i.test(prefix)) continue;
      // "  To: addr" in a quoted header block names the original's addressees, not the failed one.
      const quotedHeader = /^\s*(?:to|cc|from|subject|sent|date|reply-to|message-id)\s*:/i.test(prefix);
      const alone = !quotedHeader && bareLine(line.toLowerCase(), m[0].toLowerCase()) === '';
      const intro = !quotedHeader && INTRODUCED.test(prefix);
      // "addr: reason", "<addr>... reason", and Sendmail's per-recipient "554 <addr>... reason".
      const leading =
        /^\s*(?:[45]\d\d[ -])?[<"']?$/.test(prefix) && /^[>"']?\s*(?:[:.]|\.\.\.|$|\s+\(|\s+[<(]?\w+@)/.test(after);
      out.push({ address, line: i, strong: alone || intro || leading, excluded: excluded.has(address) });
    }
  });
  return out;
}

// Layout lines that end a recipient's block: separators and section titles.
const SEPARATOR = /^\s*[-=*_#|]{3,}|-{5,}|-{3,}\s*$/;

function blockAfter(lines: string[], start: number, stopAt: Set<number>): string[] {
  const out: string[] = [];
  for (let i = start + 1; i < lines.length && i <= start + 8; i++) {
    const line = lines[i]!.trim();
    if (stopAt.has(i) || SEPARATOR.test(line)) break;
    if (!line) {
      if (out.some((l) => !l.endsWith(':'))) break;
      continue;
    }
    out.push(line);
  }
  return out;
}

/** A line with a reply code plus its multi-line continuation (`550-5.7.26 ...` / `550 5.7.26 ...`). */
function replyAt(lines: string[], i: number): string {
  const code = /^\s*([245]\d\d)-/.exec(lines[i]!)?.[1];
  if (!code) return lines[i]!.trim();
  const out = [lines[i]!.trim()];
  for (let j = i + 1; j < lines.length && j < i + 24; j++) {
    if (!lines[j]!.trim()) continue;
    if (!lines[j]!.trimStart().startsWith(code)) break;
    out.push(lines[j]!.trim().replace(new RegExp(`^${code}[ -]`), ''));
  }
  return out.join(' ');
}

const isDiagnosticLine = (line: string) => REPLY_CODE.test(line) || FAILURE_STATUS.test(line);
const BOILERPLATE =
  /^(?:hi|hello|dear|this is|this message was created|i'm sorry|i'm afraid|the original message|[-=*#_ ]+)\b/i;

export interface FreeTextOptions {
  /** Addresses that are not the failed recipient: the report's sender and addressees (our own address). */
  excluded: Set<string>;
  /** Known recipients (X-Failed-Recipients); otherwise found in the text. */
  known?: string[];
  /** Subject, for delayed/failed wording. */
  subject?: string;
}

/** The recipients of a free-text bounce, or none when no address is introduced as one. */
export function freeTextRecipients(head: string, opts: FreeTextOptions): DeliveryReportRecipient[] {
  const lines = head.split('\n');
  const excluded = opts.excluded;
  const all = mentions(lines, excluded);
  // Our own address (the report's addressee) is not the failed recipient, unless nothing else is named
  // (anonymised samples and forwards can make both the same).
  const strongAll = all.filter((m) => m.strong);
  const strong = strongAll.some((m) => !m.excluded) ? strongAll.filter((m) => !m.excluded) : strongAll;
  const found = strong.length ? all.filter((m) => !m.excluded || strong.includes(m)) : all.filter((m) => !m.excluded);
  const known = opts.known?.map((a) => a.toLowerCase());
  const addresses = known?.length ? known : [...new Set((strong.length ? strong : found).map((m) => m.address))];
  const recipientMentions = known?.length ? found : strong;
  const recipientLines = new Set(recipientMentions.map((m) => m.line));
  const action = actionOf(`${opts.subject ?? ''}\n${head}`);
  return addresses.slice(0, MAX_RECIPIENTS).map((address) => {
    // Where the address is introduced as a recipient first, mere mentions after.
    const own = found.filter((m) => m.address === address).sort((a, b) => Number(b.strong) - Number(a.strong));
    // 1. a line that names the address and carries a reply code or status (Sendmail transcript, Exim).
    const named = own.find((m) => isDiagnosticLine(lines[m.line]!.replace(address, '')));
    let diagnostic = named ? replyAt(lines, named.line) : null;
    // 2. the block that follows the address (qmail, Exchange, Domino, Postfix).
    const blocks = own.map((m) => {
      const line = lines[m.line]!;
      const at = line.toLowerCase().indexOf(address);
      // "addr: reason" keeps the reason; a sentence that names the address is kept whole.
      const alone = bareLine(line.toLowerCase(), address) === '';
      const tail = alone
        ? ''
        : /^[\s<"'>*-]*$/.test(line.slice(0, at))
          ? line
              .slice(at + address.length)
              .replace(/^[>"'\s]*(?::|\.\.\.)?\s*/, '')
              .replace(/^on\s+\w{3},?\s.*$/i, '') // Exchange: "addr on Thu, 29 Apr 2010 ..."
              .trim()
          : line.trim();
      // The block ends where another recipient starts (the same one may be repeated inside it).
      const others = new Set(recipientMentions.filter((o) => o.address !== address).map((o) => o.line));
      const block = blockAfter(lines, m.line, others);
      return [tail.length > 3 && !/^<?mailto:/i.test(tail) ? tail : '', ...block].filter(Boolean);
    });
    // From the first line with a reply code or status on: the server's own words.
    const codedBlock = blocks.find((b) => b.some(isDiagnosticLine));
    const coded = codedBlock ? codedBlock.slice(codedBlock.findIndex(isDiagnosticLine)).join(' ') : undefined;
    // 3. the single reply line of a report with one recipient.
    const anyIndex = addresses.length === 1 ? lines.findIndex((l) => isDiagnosticLine(l)) : -1;
    diagnostic ??= coded ?? (anyIndex >= 0 ? replyAt(lines, anyIndex) : null);
    diagnostic ??= blocks.find((b) => b.length)?.join(' ') ?? null;
    diagnostic ??= headedBlock(lines, recipientLines);
    // Last resort: the first sentence that is neither boilerplate nor a greeting to us.
    diagnostic ??=
      lines
        .map((l) => l.trim())
        .find((l, i) => l.length > 8 && !BOILERPLATE.test(l) && !recipientLines.has(i) && !mentionsAny(l, excluded)) ??
      null;
    const statusText = [diagnostic, ...blocks.map((b) => b.join(' '))].join('\n');
    // Decided: a status only where the text states an RFC 3463 code (qmail's "(#5.1.1)" included); a bare
    // SMTP reply code (550) is not mapped to one (5.0.0 would claim more than the server said).
    const status = findStatus(statusText) ?? qmailStatus(statusText);
    return {
      address,
      action: status?.startsWith('4') && action === 'failed' && /delay|retry|warning/i.test(head) ? 'delayed' : action,
      status,
      diagnostic: cleanDiagnostic(diagnostic),
      remoteMta: remoteMtaOf(statusText),
    };
  });
}

/** The block under a heading like "The following address(es) failed:" (Exim when no address is printed). */
function headedBlock(lines: string[], recipientLines: Set<number>): string | null {
  const i = lines.findIndex((l) => /(?:fail|error|recipient|address)[^:]{0,40}:\s*$/i.test(l));
  if (i < 0) return null;
  const names = new Set([...recipientLines].map((l) => lines[l]!.trim()));
  const block = blockAfter(lines, i, new Set()).filter((l) => !names.has(l));
  return block.length ? block.join(' ') : null;
}

const mentionsAny = (line: string, addresses: Set<string>) => {
  const lower = line.toLowerCase();
  return [...addresses].some((a) => lower.includes(a));
};

// qmail writes the status after a hash: "(#5.1.1)".
function qmailStatus(text: string): string | null {
  const m = /#([245]\.\d{1,3}\.\d{1,3})\b/.exec(text);
  return m ? m[1]! : null;
}

function remoteMtaOf(text: string): string | null {
  const host = /(?:remote host|remote server|host:?|server)\s+\[?((?:[a-z0-9-]+\.)+[a-z]{2,}|\d{1,3}(?:\.\d{1,3}){3})/i;
  const m = host.exec(text);
  return m ? m[1]!.toLowerCase() : null;
}

const DELAYED = new RegExp(
  String.raw`\b(?:has been delayed|delivery (?:is |has been )?delayed|delayed mail|will (?:be )?retr(?:y|ied)` +
    String.raw`|warning message only|still trying|will keep trying|not yet been delivered` +
    String.raw`|delivery status notification \(delay\))`,
  'i',
);
const PERMANENT =
  /\b(?:permanent(?:ly)?|fatal|given up|giving up|will not be retried|no further (?:delivery )?attempts)\b/i;

export function actionOf(text: string): DeliveryReportAction {
  return DELAYED.test(text) && !PERMANENT.test(text) ? 'delayed' : 'failed';
}
