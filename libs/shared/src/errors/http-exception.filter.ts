import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { AppException, errorStatus, type ErrorCode } from './app.exception';

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: Record<string, unknown> };
}

const pgUnavailable = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', '57P01', '57P03', '53300']);

/** True for errors that mean "the database is not reachable right now", not "the query is wrong". */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && pgUnavailable.has(code)) return true;
  return /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED/i.test(err.message);
}

function fromHttpException(err: HttpException): AppException {
  const status = err.getStatus();
  const code = (Object.entries(errorStatus).find(([, s]) => s === status)?.[0] ?? (status >= 500 ? 'internal_error' : 'bad_request')) as ErrorCode;
  const body = err.getResponse();
  const message = typeof body === 'string' ? body : typeof body === 'object' && body && 'message' in body ? String((body as { message: unknown }).message) : err.message;
  // Terminus reports each indicator under `details`: keep it, orchestrators and people read it.
  const details = typeof body === 'object' && body && 'details' in body ? (body as { details: Record<string, unknown> }).details : undefined;
  return new AppException(code, status === 503 && details ? 'A dependency is down; see details.' : message, details);
}

/** Maps every error to `{ error: { code, message, details? } }`; unknown errors become a 500 without a stack. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  catch(err: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    let appErr: AppException;
    if (err instanceof AppException) appErr = err;
    else if (err instanceof HttpException) appErr = fromHttpException(err);
    else if (isDatabaseUnavailable(err)) {
      appErr = new AppException('service_unavailable', 'The database is not reachable; nothing was changed. Please retry shortly.', { retryAfterSeconds: 30 });
    } else if (err instanceof SyntaxError && 'body' in err) {
      appErr = new AppException('bad_request', 'The request body is not valid JSON.');
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
