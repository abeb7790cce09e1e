import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { AppException, type ErrorCode } from './app.exception';

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: Record<string, unknown> };
}

const pgUnavailable = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', '57P01', '57P03', '53300']);

/** True for errors that mean "the database is not reachable right now", not "the query is wrong". */
export function isDatabaseUnavailable(err: unknown): boolean {
  // Duck-typed, not `instanceof Error`: socket errors may come from another realm (vm contexts, workers).
  if (typeof err !== 'object' || err === null) return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && pgUnavailable.has(code)) return true;
  return (
    typeof message === 'string' &&
    /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED/i.test(message)
  );
}

const codeOfStatus: Record<number, ErrorCode> = {
  400: 'bad_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'payload_too_large',
  429: 'rate_limited',
  503: 'service_unavailable',
};

/** body-parser's own errors (bad JSON, too large) carry a `type`. */
export function bodyParserError(err: unknown): AppException | undefined {
  const type = typeof err === 'object' && err ? (err as { type?: unknown }).type : undefined;
  if (type === 'entity.parse.failed') return new AppException('bad_request', 'The request body is not valid JSON.');
  if (type === 'entity.too.large') return new AppException('payload_too_large', 'The request body is too large.');
  return undefined;
}

function fromHttpException(err: HttpException): AppException {
  const status = err.getStatus();
  const code = codeOfStatus[status] ?? (status >= 500 ? 'internal_error' : 'bad_request');
  const body = err.getResponse();
  const message =
    typeof body === 'string'
      ? body
      : typeof body === 'object' && body && 'message' in body
        ? String(body.message)
        : err.message;
  // Terminus reports each indicator under `details`: keep it, orchestrators and people read it.
  const details =
    typeof body === 'object' && body && 'details' in body
      ? (body as { details: Record<string, unknown> }).details
      : undefined;
  return new AppException(code, status === 503 && details ? 'A dependency is down; see details.' : message, details);
}

/** Maps every error to `{ error: { code, message, details? } }`; unknown errors become a 500 without a stack. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  catch(err: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    let appErr: AppException;
    const parseErr = bodyParserError(err);
    if (err instanceof AppException) appErr = err;
    else if (parseErr) appErr = parseErr;
    else if (err instanceof HttpException) appErr = fromHttpException(err);
    else if (isDatabaseUnavailable(err)) {
      appErr = new AppException(
        'service_unavailable',
        'The database is not reachable; nothing was changed. Please retry shortly.',
        { retryAfterSeconds: 30 },
      );
    } else {
      this.logger.error({ err }, 'Unhandled error');
      appErr = new AppException('internal_error', 'An internal error occurred; it has been logged.');
    }
    const { retryAfterSeconds, ...details } = appErr.details ?? {};
    if (retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(retryAfterSeconds));
    const body: ErrorBody = { error: { code: appErr.code, message: appErr.message } };
    if (Object.keys(details).length > 0) body.error.details = details;
    res.status(appErr.status).json(body);
  }
}
