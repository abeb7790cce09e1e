import iconv from 'iconv-lite';

/**
 * A small MIME walker for delivery reports. mailparser folds message/delivery-status into the text body
 * and drops headers-only parts; a report needs exactly those, so the leaves are walked by hand here.
 * Works on latin1 strings of the raw bytes (one char per byte) until a leaf is decoded to text.
 */

export interface Header {
  name: string; // lower case
  value: string; // unfolded, raw (latin1)
}

export interface MimePart {
  /** Lower-case media type, e.g. 'message/delivery-status'. */
  type: string;
  headers: Header[];
  /** Decoded text (transfer encoding and charset); message/rfc822 parts are kept whole, undecoded inside. */
  text: string;
  /** True when this part sits inside an attached message (a returned copy), not in the report itself. */
  inAttachedMessage: boolean;
}

const MAX_DEPTH = 8;
const MAX_PARTS = 200;

/** Splits a header block off a latin1 string: the headers and the body. */
export function splitHeaders(raw: string): { headers: Header[]; body: string } {
  const end = /\r?\n\r?\n/.exec(raw);
  return {
    headers: headerLines(end ? raw.slice(0, end.index) : raw),
    body: end ? raw.slice(end.index + end[0].length) : '',
  };
}

/** Unfolded header lines; lines that are not headers are skipped. */
export function headerLines(block: string): Header[] {
  const out: Header[] = [];
  for (const line of block.split(/\r?\n/)) {
    const last = out[out.length - 1];
    if (/^[ \t]/.test(line)) {
      if (last) last.value += ` ${line.trim()}`;
      continue;
    }
    const i = line.indexOf(':');
    if (i > 0 && /^[!-9;-~]+$/.test(line.slice(0, i).trimEnd())) {
      out.push({ name: line.slice(0, i).trim().toLowerCase(), value: line.slice(i + 1).trim() });
    } else if (last && /^[a-z-]+\s*=/i.test(line)) {
      last.value += ` ${line.trim()}`; // a parameter folded without indentation (seen in the wild)
    }
  }
  return out;
}

export const headerValue = (headers: Header[], name: string): string | null =>
  headers.find((h) => h.name === name)?.value ?? null;

export function param(value: string, name: string): string | null {
  const m = new RegExp(`(?:^|;)\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i').exec(value);
  return m ? (m[1] ?? m[2] ?? '').trim() : null;
}

/** ISO-2022-JP by hand (iconv-lite has no stateful 7-bit encodings): JIS X 0208 pairs become EUC-JP. */
function decodeIso2022Jp(bytes: Buffer): string {
  const out: number[] = [];
  let twoByte = false;
  let kana = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x1b && i + 2 < bytes.length) {
      const seq = bytes.toString('latin1', i + 1, i + 3);
      if (seq === '$B' || seq === '$@') [twoByte, kana] = [true, false];
      else if (seq === '(B' || seq === '(J') [twoByte, kana] = [false, false];
      else if (seq === '(I') [twoByte, kana] = [false, true];
      i += 2;
      continue;
    }
    if (b === 0x0a || b === 0x0d) [twoByte, kana] = [false, false];
    if (twoByte && b > 0x20 && b < 0x7f && i + 1 < bytes.length) {
      out.push(b | 0x80, bytes[i + 1]! | 0x80);
      i++;
    } else if (kana && b > 0x20 && b < 0x60) out.push(0x8e, b | 0x80);
    else out.push(b);
  }
  return iconv.decode(Buffer.from(out), 'euc-jp');
}

// Labels that undersell the text: GB2312/GBK mail routinely carries GB18030-only characters.
const CHARSET_ALIASES: Record<string, string> = {
  gb2312: 'gb18030',
  gbk: 'gb18030',
  'x-gbk': 'gb18030',
  ks_c_5601: 'cp949',
};

/** Bytes (as a latin1 string) in a charset to text; unknown or absent charsets: UTF-8 when valid, else latin1. */
export function decodeCharset(latin1: string, charset: string | null): string {
  const bytes = Buffer.from(latin1, 'latin1');
  let cs = (charset ?? '')
    .trim()
    .toLowerCase()
    .replace(/^["']|["']$/g, '');
  if (cs.startsWith('ks_c_5601')) cs = 'ks_c_5601';
  cs = CHARSET_ALIASES[cs] ?? cs;
  const eightBit = /[\x80-\xff]/.test(latin1);
  if (!eightBit) return latin1.includes('\x1b$') ? decodeIso2022Jp(bytes) : latin1;
  // 8-bit bytes under a 7-bit label (us-ascii, iso-2022-jp) or none: UTF-8 when valid, else latin1.
  const sevenBit = !cs || cs === 'us-ascii' || cs.startsWith('iso-2022');
  if (!sevenBit && cs !== 'utf-8' && cs !== 'utf8' && iconv.encodingExists(cs)) return iconv.decode(bytes, cs);
  const utf8 = bytes.toString('utf8');
  if (!utf8.includes('\ufffd') || !sevenBit) return utf8;
  // Japanese mail labelled ISO-2022-JP yet sent as 8-bit is EUC-JP in practice.
  return cs.startsWith('iso-2022-jp') ? decodeIso2022Jp(bytes) : latin1;
}

function decodeQuotedPrintable(body: string): string {
  return body
    .replace(/[ \t]+(\r?\n)/g, '$1')
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** Undoes Content-Transfer-Encoding; returns bytes as a latin1 string. */
export function decodeTransfer(body: string, encoding: string | null): string {
  const enc = (encoding ?? '').trim().toLowerCase();
  if (enc === 'base64') return Buffer.from(body.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64').toString('latin1');
  if (enc === 'quoted-printable') return decodeQuotedPrintable(body);
  return body;
}

/** RFC 2047 encoded words (=?charset?B|Q?...?=) in a header value. */
export function decodeWords(value: string): string {
  return value
    .replace(/(=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=)\s+(?==\?)/g, '$1')
    .replace(/=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g, (_, cs: string, enc: string, text: string) => {
      const bytes =
        enc.toUpperCase() === 'B'
          ? Buffer.from(text, 'base64').toString('latin1')
          : text
              .replace(/_/g, ' ')
              .replace(/=([0-9A-Fa-f]{2})/g, (__, h: string) => String.fromCharCode(parseInt(h, 16)));
      return decodeCharset(bytes, cs.replace(/\*.*$/, ''));
    });
}

/**
 * The leaf parts of a message, in order. Nested multiparts are followed; a message/rfc822 (or
 * message/global) part is kept whole as one leaf, and its own parts follow marked inAttachedMessage.
 */
export function mimeParts(raw: string): MimePart[] {
  const out: MimePart[] = [];
  walk(raw, 0, false, out, 'text/plain');
  return out;
}

function walk(raw: string, depth: number, attached: boolean, out: MimePart[], defaultType: string): void {
  if (out.length >= MAX_PARTS) return;
  const { headers, body } = splitHeaders(raw);
  const contentType = headerValue(headers, 'content-type') ?? defaultType;
  const type = (contentType.split(';')[0] ?? '').trim().toLowerCase() || 'text/plain';
  const boundary = param(contentType, 'boundary');
  if (type.startsWith('multipart/') && boundary && depth < MAX_DEPTH) {
    const b = boundary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const chunks = body.split(new RegExp(`^--${b}(?:--)?[ \\t]*\\r?$`, 'm'));
    // Without a closing boundary the last chunk is still a part (truncated reports are common).
    const closed = new RegExp(`^--${b}--`, 'm').test(body);
    const parts = closed ? chunks.slice(1, -1) : chunks.slice(1);
    // A boundary that never occurs: read the body as text rather than lose it.
    if (!parts.length) {
      out.push({ type: 'text/plain', headers, text: decodeCharset(body, null), inAttachedMessage: attached });
      return;
    }
    const child = type === 'multipart/digest' ? 'message/rfc822' : 'text/plain';
    for (const c of parts) {
      const part = c.replace(/^\r?\n/, '');
      if (part.trim()) walk(part, depth + 1, attached, out, child);
    }
    return;
  }
  const decoded = decodeTransfer(body, headerValue(headers, 'content-transfer-encoding'));
  const isMessage = type === 'message/rfc822' || type === 'message/global';
  const charset = param(contentType, 'charset') ?? (type.startsWith('message/global') ? 'utf-8' : null);
  out.push({ type, headers, text: isMessage ? decoded : decodeCharset(decoded, charset), inAttachedMessage: attached });
  if (isMessage && depth < MAX_DEPTH) walk(decoded.replace(/^\s+/, ''), depth + 1, true, out, 'text/plain');
}
