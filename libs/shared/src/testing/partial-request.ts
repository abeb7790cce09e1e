import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';

export interface EarlyAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** Milliseconds from sending the headers to the end of the answer. */
  ms: number;
}

/**
 * A request that declares a body (`Content-Length: declaredBytes`) but sends only `firstChunk` of it and waits:
 * resolves with the server's answer if it comes before the rest of the body (refused early, or not read at all),
 * rejects after `waitMs` if the server is waiting for the body. The connection is closed either way, so the
 * server never gets the rest.
 */
export function partialRequest(opts: {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  declaredBytes: number;
  firstChunk?: Buffer | string;
  waitMs?: number;
}): Promise<EarlyAnswer> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(opts.url, {
      method: opts.method ?? 'POST',
      headers: { ...opts.headers, 'Content-Length': String(opts.declaredBytes) },
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no answer within ${opts.waitMs ?? 5000} ms: the server is reading the declared body`));
    }, opts.waitMs ?? 5000);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, ms: Date.now() - started });
        req.destroy();
      });
    });
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.flushHeaders();
    if (opts.firstChunk !== undefined) req.write(opts.firstChunk);
  });
}
