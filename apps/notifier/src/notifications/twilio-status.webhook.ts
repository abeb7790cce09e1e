import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { urlencoded, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import twilio from 'twilio';
import { AppException, bodyParserError, JSON_BODY_LIMIT_BYTES, type AppConfig } from '@kefu/shared';
import { DeliveryReceiptsService, type TwilioStatusCallback } from './delivery-receipts.service';
import { TwilioSmsSender } from './twilio-sms.sender';

export const TWILIO_STATUS_PATH = '/webhooks/twilio/status';

/**
 * Twilio's status callbacks (`POST /webhooks/twilio/status?n=<notification>&a=<attempt>`), public but only with a
 * valid X-Twilio-Signature (else 403, nothing changes). Served ahead of Nest's router: a notice to 100,000 owners
 * brings 200,000 of them, and each needs only its form read, its signature checked and one write (grouped with the
 * others arriving at the same time: DeliveryReceiptsService). Errors answer as the API's do, `{ error: { code,
 * message } }`, and are logged; a callback taken is a receipt in Postgres, not an access-log line.
 */
export function twilioStatusWebhook(app: NestExpressApplication, config: AppConfig): RequestHandler {
  const receipts = app.get(DeliveryReceiptsService);
  const logger = new Logger('TwilioStatusWebhook');
  // Twilio signs the URL it was given (our configured callback URL plus the query string we added), not the Host we
  // see behind a proxy.
  const base = new TwilioSmsSender(config).callbackBase();
  const form = urlencoded({ extended: false, limit: JSON_BODY_LIMIT_BYTES });
  const answer = (res: Response, e: AppException) =>
    res.status(e.status).json({ error: { code: e.code, message: e.message } });
  const refuse = (res: Response, e: AppException) => {
    logger.warn({ code: e.code, status: e.status }, `Twilio status callback refused: ${e.message}`);
    answer(res, e);
  };
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'POST') return next();
    form(req, res, (err?: unknown) => {
      if (err) return refuse(res, bodyParserError(err) ?? new AppException('bad_request', 'Unreadable form body.'));
      const token = config.TWILIO_AUTH_TOKEN;
      const signature = req.headers['x-twilio-signature'];
      const q = req.originalUrl.indexOf('?');
      const url = base + (q >= 0 ? req.originalUrl.slice(q) : '');
      const params = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, string>;
      if (!token || typeof signature !== 'string' || !twilio.validateRequest(token, signature, url, params))
        return refuse(res, new AppException('forbidden', 'Invalid or missing X-Twilio-Signature.'));
      const n = typeof req.query.n === 'string' ? req.query.n : null;
      const a = typeof req.query.a === 'string' && /^\d+$/.test(req.query.a) ? Number(req.query.a) : null;
      receipts.twilioStatus(n, params as TwilioStatusCallback, a).then(
        () => res.status(204).end(),
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
