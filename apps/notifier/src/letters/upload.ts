import type { Request } from 'express';
import { AppException, CSV_UPLOAD_MAX_BYTES as MAX_UPLOAD_BYTES, decodeCsv } from '@kefu/shared';

/**
 * The request body as text: `application/octet-stream` (or any type no parser took) is read raw and
 * decoded by `decodeCsv`; `text/csv` was already decoded by the body parser with the charset it names
 * (UTF-8 when it names none — send a GBK file as octet-stream or with `charset=gbk`).
 */
export async function readCsvUpload(req: Request): Promise<string> {
  const body: unknown = req.body;
  if (typeof body === 'string') return body.replace(/^\uFEFF/, '');
  if (Buffer.isBuffer(body)) return decodeCsv(body).text;
  if (req.readableEnded || req.complete) {
    throw new AppException(
      'bad_request',
      'Send the CSV file as the request body (Content-Type: text/csv or application/octet-stream).',
    );
  }
  // A declared length over the limit is refused before a byte is read.
  if (Number(req.headers['content-length'] ?? 0) > MAX_UPLOAD_BYTES)
    throw new AppException('payload_too_large', `The file is larger than ${MAX_UPLOAD_BYTES} bytes.`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_UPLOAD_BYTES)
      throw new AppException('payload_too_large', `The file is larger than ${MAX_UPLOAD_BYTES} bytes.`);
    chunks.push(chunk);
  }
  if (size === 0) throw new AppException('bad_request', 'The request body is empty: send the CSV file as the body.');
  return decodeCsv(Buffer.concat(chunks)).text;
}
