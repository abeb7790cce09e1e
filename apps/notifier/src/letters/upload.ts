import type { Request } from 'express';
import iconv from 'iconv-lite';
import { AppException } from '@kefu/shared';

const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;

/**
 * Text of an uploaded CSV. Excel on Chinese Windows saves CSV as GBK, the carrier's export may be
 * UTF-8 with or without a BOM: bytes that are valid UTF-8 are read as UTF-8, anything else as GB18030
 * (a superset of GBK and GB2312).
 */
export function decodeCsv(bytes: Buffer): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3).toString('utf8');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return iconv.decode(bytes, 'gb18030');
  }
}

/**
 * The request body as text: `application/octet-stream` (or any type no parser took) is read raw and
 * decoded by `decodeCsv`; `text/csv` was already decoded by the body parser with the charset it names
 * (UTF-8 when it names none — send a GBK file as octet-stream or with `charset=gbk`).
 */
export async function readCsvUpload(req: Request): Promise<string> {
  const body: unknown = req.body;
  if (typeof body === 'string') return body.replace(/^\uFEFF/, '');
  if (Buffer.isBuffer(body)) return decodeCsv(body);
  if (req.readableEnded || req.complete) {
    throw new AppException('bad_request', 'Send the CSV file as the request body (Content-Type: text/csv or application/octet-stream).');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_UPLOAD_BYTES) throw new AppException('payload_too_large', `The file is larger than ${MAX_UPLOAD_BYTES} bytes.`);
    chunks.push(chunk);
  }
  if (size === 0) throw new AppException('bad_request', 'The request body is empty: send the CSV file as the body.');
  return decodeCsv(Buffer.concat(chunks));
}
