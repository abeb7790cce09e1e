import type { IncomingMessage, ServerResponse } from 'node:http';
import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import twilio from 'twilio';
import { AppException, JSON_BODY_LIMIT_BYTES, type AppConfig } from '@kefu/shared';
import { DeliveryReceiptsService, type TwilioStatusCallback } from './delivery-receipts.service';
import { TwilioSmsSender } from './twilio-sms.sender';

export const TWILIO_STATUS_PATH = '/webhooks/twilio/status';

/**
 * Twilio's status callbacks (`POST /webhooks/twilio/status?n=<notification>&a=<attempt>`), public but only with a
 * valid X-Twilio-Signature (else 403, nothing changes). Served by the HTTP server ahead of Express: a notice to
 * 100,000 owners brings 200,000 of them, and each needs only its form read, its signature checked and one write
 * (grouped with the others arriving at the same time: DeliveryReceiptsService). Express's router, body parser and
 * query parser cost a callback more than the rest of its handling (bench:notices' profile: about 0.3 ms of the
 * notifier's 4 ms per message). Every other request goes to Express as before. Errors answer as the API's do,
 * `{ error: { code, message } }`, and are logged; a callback taken is a receipt in Postgres, not an access-log line.
 */
export function serveTwilioStatus(app: NestExpressApplication, config: AppConfig): void {
  const handle = twilioStatusHandler(app, config);
  const server = app.getHttpServer();
  const others = server.listeners('request') as Array<(req: IncomingMessage, res: ServerResponse) => void>;
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '';
    if (
      req.method === 'POST' &&
      url.startsWith(TWILIO_STATUS_PATH) &&
      (url.length === TWILIO_STATUS_PATH.length || url[TWILIO_STATUS_PATH.length] === '?')
    )
      return handle(req, res);
    for (const listener of others) listener.call(server, req, res);
  });
}

function twilioStatusHandler(
  app: NestExpressApplication,
  config: AppConfig,
): (req: IncomingMessage, res: ServerResponse) => void {
  const receipts = app.get(DeliveryReceiptsService);
  const logger = new Logger('TwilioStatusWebhook');
  // Twilio signs the URL it was given (our configured callback URL plus the query string we added), not the Host we
  // see behind a proxy.
  const base = new TwilioSmsSender(config).callbackBase();
  const answer = (res: ServerResponse, e: AppException) => {
    if (res.headersSent) return;
    res
      .writeHead(e.status, { 'content-type': 'application/json; charset=utf-8' })
      .end(JSON.stringify({ error: { code: e.code, message: e.message } }));
  };
  const refuse = (res: ServerResponse, e: AppException) => {
    logger.warn({ code: e.code, status: e.status }, `Twilio status callback refused: ${e.message}`);
    answer(res, e);
  };
  const tooLarge = () => new AppException('payload_too_large', 'The request body is too large.');
  return (req, res) => {
    if (Number(req.headers['content-length'] ?? 0) > JSON_BODY_LIMIT_BYTES) {
      req.resume();
      return refuse(res, tooLarge());
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= JSON_BODY_LIMIT_BYTES) chunks.push(chunk);
    });
    req.on('error', () => refuse(res, new AppException('bad_request', 'Unreadable form body.')));
    req.on('end', () => {
      if (size > JSON_BODY_LIMIT_BYTES) return refuse(res, tooLarge());
      const form = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      const params: Record<string, string> =
        form === 'application/x-www-form-urlencoded'
          ? Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')))
          : {};
      const token = config.TWILIO_AUTH_TOKEN;
      const signature = req.headers['x-twilio-signature'];
      const url = req.url!;
      const q = url.indexOf('?');
      const query = new URLSearchParams(q >= 0 ? url.slice(q + 1) : '');
      if (
        !token ||
        typeof signature !== 'string' ||
        !twilio.validateRequest(token, signature, base + (q >= 0 ? url.slice(q) : ''), params)
      )
        return refuse(res, new AppException('forbidden', 'Invalid or missing X-Twilio-Signature.'));
      const a = query.get('a');
      receipts
        .twilioStatus(
          query.get('n'),
          params as unknown as TwilioStatusCallback,
          a && /^\d+$/.test(a) ? Number(a) : null,
        )
        .then(
          () => res.writeHead(204).end(),
          (e: unknown) => {
            logger.error(
              { err: e instanceof Error ? e.message : String(e) },
              'could not record a Twilio status callback',
            );
            answer(res, new AppException('internal_error', 'The callback could not be recorded.'));
          },
        );
    });
  };
}
