import iconv from 'iconv-lite';

export type CsvEncoding = 'utf-8' | 'gb18030';

/**
 * Text of an uploaded CSV. Excel on Chinese Windows saves "CSV" as GBK, other tools as UTF-8 with or
 * without a BOM: a BOM means UTF-8; otherwise bytes that are valid UTF-8 are read as UTF-8, anything
 * else as GB18030 (a superset of GBK and GB2312). The BOM is never part of the text.
 */
export function decodeCsv(bytes: Uint8Array): { text: string; encoding: CsvEncoding } {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { text: Buffer.from(bytes.subarray(3)).toString('utf8'), encoding: 'utf-8' };
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    return { text: iconv.decode(Buffer.from(bytes), 'gb18030'), encoding: 'gb18030' };
  }
}
