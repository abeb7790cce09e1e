/**
 * Error codes every app may raise. Later features add their own string-literal unions and
 * register their HTTP status in `errorStatus` below.
 */
export const errorStatus = {
  validation_failed: 400,
  bad_request: 400,
  unauthenticated: 401,
  token_expired: 401,
  invalid_credentials: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  illegal_transition: 409,
  payload_too_large: 413,
  rate_limited: 429,
  too_many_attempts: 429,
  internal_error: 500,
  service_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export interface FieldProblem {
  /** Dotted path of the offending field, e.g. `units.0.room`. */
  field: string;
  message: string;
}

/** A failure with a stable code and a message fit to show a user. Never carries a stack to the client. */
export class AppException extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: { fields?: FieldProblem[]; retryAfterSeconds?: number; [key: string]: unknown },
  ) {
    super(message);
    this.name = 'AppException';
  }

  get status(): number {
    return errorStatus[this.code];
  }
}
