import { createHash } from 'node:crypto';
import { headerLines, param } from './mime-parts';

/**
 * Cheap looks at raw MIME before (or instead of) a full parse: the header block, the Message-ID and the
 * content hash the duplicate guard uses, and the structural and charset problems that quarantine a mail.
 * Works on bytes as latin1 strings, so nothing here depends on a charset being right.
 */

/** Headers beyond this are not looked at (a header block this long is itself a sign of abuse). */
const HEADER_SCAN_LIMIT = 1024 * 1024;

export interface HeaderBlock {
  /** Unfolded header lines as `name` (lower case) and raw value (latin1). */
  headers: Array<{ name: string; value: string }>;
  /** Byte offset where the body starts (after the blank line), or the length when there is none. */
  bodyStart: number;
  /** True when a blank line separating headers from the body was found. */
  terminated: boolean;
}

/** Splits the top-level header block off a raw message. */
export function headerBlock(raw: Buffer): HeaderBlock {
  const text = raw.subarray(0, Math.min(raw.length, HEADER_SCAN_LIMIT)).toString('latin1');
  const m = /\r?\n\r?\n/.exec(text);
  const end = m ? m.index : text.length;
  const bodyStart = m ? m.index + m[0].length : raw.length;
  return { headers: headerLines(text.slice(0, end)), bodyStart, terminated: !!m };
}

export function header(block: HeaderBlock, name: string): string | null {
  return block.headers.find((h) => h.name === name)?.value ?? null;
}

/** Message-ID without angle brackets (as mailparser and sent_messages store it), or null. */
export function messageIdOf(block: HeaderBlock): string | null {
  const v = header(block, 'message-id');
  if (!v) return null;
  const id = (/<([^<>\s]+)>/.exec(v)?.[1] ?? v.split(/\s+/)[0] ?? '').trim();
  return id ? id.slice(0, 500) : null;
}

/**
 * What "the same message" means for the duplicate guard: the body and the author's headers (From, To,
 * Subject, Date), not the trace headers each delivery adds (Received, Delivered-To, Return-Path).
 */
export function contentHashOf(raw: Buffer, block: HeaderBlock): string {
  const h = createHash('sha256');
  for (const name of ['from', 'to', 'subject', 'date'])
    h.update(`${name}:${(header(block, name) ?? '').replace(/\s+/g, ' ')}\n`);
  h.update('\n');
  h.update(raw.subarray(block.bodyStart));
  return h.digest('hex');
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

interface MimeLeaf {
  contentType: string;
  charset: string | null;
  attachment: boolean;
}

const MAX_DEPTH = 20;

/**
 * Walks the multipart tree (not into attached messages) and reports the leaves, or the first structural
 * problem: a multipart without a boundary, or whose boundary never occurs. mailparser accepts both and
 * returns an empty or garbled message; a quarantined original is better evidence than a wrong case.
 */
function walk(
  headers: Array<{ name: string; value: string }>,
  body: string,
  depth: number,
  leaves: MimeLeaf[],
): string | null {
  const ct = headers.find((h) => h.name === 'content-type')?.value ?? 'text/plain';
  const disposition = headers.find((h) => h.name === 'content-disposition')?.value ?? '';
  if (!/^multipart\//i.test(ct)) {
    leaves.push({
      contentType: ct.split(';')[0]!.trim().toLowerCase(),
      charset: param(ct, 'charset'),
      attachment: /^\s*attachment/i.test(disposition) || /^message\//i.test(ct),
    });
    return null;
  }
  const boundary = param(ct, 'boundary');
  if (!boundary) return `malformed MIME: "${ct.slice(0, 80)}" has no boundary`;
  const delimiter = `--${boundary}`.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const chunks = body.split(new RegExp(`(?:^|\\r?\\n)${delimiter}(?:--)?[ \\t]*(?=\\r?\\n|$)`));
  if (chunks.length < 2) return `malformed MIME: boundary "${boundary.slice(0, 70)}" never occurs`;
  if (depth >= MAX_DEPTH) return `malformed MIME: multiparts nested deeper than ${MAX_DEPTH}`;
  // After a closing delimiter comes the epilogue; without one (a truncated mail) the last chunk is a part.
  const closed = new RegExp(`(?:^|\\r?\\n)${delimiter}--`).test(body);
  for (const chunk of chunks.slice(1, closed ? -1 : undefined)) {
    const part = chunk.replace(/^\r?\n/, '');
    const m = /\r?\n\r?\n/.exec(part);
    const problem = walk(
      headerLines(m ? part.slice(0, m.index) : part),
      m ? part.slice(m.index + m[0].length) : '',
      depth + 1,
      leaves,
    );
    if (problem) return problem;
  }
  return null;
}

/** The MIME leaves of a message, or why its structure is broken (empty, no header block, bad multipart). */
export function inspectStructure(raw: Buffer, block: HeaderBlock): { problem: string | null; leaves: MimeLeaf[] } {
  if (raw.length === 0) return { problem: 'empty message: no bytes at all', leaves: [] };
  // An mbox "From sender date" line before the headers (mail saved from a Unix mailbox) is tolerated.
  const firstLine = /^[^\r\n]*/.exec(raw.subarray(0, 1000).toString('latin1'))![0];
  const leadingJunk = !/^[!-9;-~]+:/.test(firstLine) && !/^From \S+ /.test(firstLine);
  if (block.headers.length === 0 || leadingJunk)
    return { problem: 'unparseable: the message does not start with a header block', leaves: [] };
  if (!header(block, 'from') && !header(block, 'date') && !header(block, 'message-id'))
    return { problem: 'unparseable: none of From, Date, Message-ID is present', leaves: [] };
  const text = raw.toString('latin1');
  const leaves: MimeLeaf[] = [];
  const problem = walk(block.headers, text.slice(block.bodyStart), 0, leaves);
  return { problem, leaves };
}

// Names mail software uses that the WHATWG encoding list (what TextDecoder knows) spells differently.
const CHARSET_ALIASES: Record<string, string> = {
  cp936: 'gbk',
  ms936: 'gbk',
  'windows-936': 'gbk',
  'euc-cn': 'gbk',
  'x-euc-cn': 'gbk',
  'x-gbk': 'gbk',
  gb_2312: 'gbk',
  'gb2312-80': 'gbk',
  cp950: 'big5',
  ms950: 'big5',
  'windows-950': 'big5',
  'x-big5': 'big5',
  cp932: 'shift_jis',
  'windows-932': 'shift_jis',
  cp949: 'euc-kr',
  'windows-949': 'euc-kr',
  utf8: 'utf-8',
  'unicode-1-1-utf-8': 'utf-8',
  ascii: 'us-ascii',
  'iso646-us': 'us-ascii',
  '7bit': 'us-ascii',
  '8bit': 'utf-8',
  cp1252: 'windows-1252',
  latin1: 'iso-8859-1',
  'iso8859-1': 'iso-8859-1',
};

/** Whether our MIME stack can decode text in this charset. UTF-7 is refused on purpose (markup smuggling). */
export function isKnownCharset(name: string): boolean {
  const n = name.trim().toLowerCase().replace(/^"|"$/g, '');
  if (!n) return true;
  if (/^(utf-?7|unicode-1-1-utf-7|csunicode11utf7)$/.test(n)) return false;
  const label =
    CHARSET_ALIASES[n] ??
    n.replace(/^iso[-_]?8859[-_]?(\d+)$/, 'iso-8859-$1').replace(/^win(?:dows)?[-_]?(12\d\d)$/, 'windows-$1');
  try {
    new TextDecoder(label);
    return true;
  } catch {
    return false;
  }
}

/**
 * The first charset, in the top-level headers (encoded words) or on a text part of the body, that we cannot
 * decode. mailparser would silently fall back to UTF-8 and store mojibake; we quarantine instead.
 */
export function unknownCharset(block: HeaderBlock, leaves: MimeLeaf[]): string | null {
  for (const h of block.headers) {
    for (const m of h.value.matchAll(/=\?([^?*\s]+)(?:\*[^?]*)?\?[bq]\?/gi)) if (!isKnownCharset(m[1]!)) return m[1]!;
  }
  for (const leaf of leaves)
    if (leaf.contentType.startsWith('text/') && !leaf.attachment && leaf.charset && !isKnownCharset(leaf.charset))
      return leaf.charset;
  return null;
}
