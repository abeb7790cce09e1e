import { mayHaveArrived, type SendOutcome } from '../channels/channel-sender';

/**
 * The one place Twilio errors are classified (API errors on create and ErrorCode on status callbacks):
 * invalid number (21211, 21614) → failed, no retry; opted out (21610) → failed and the owner's SMS
 * opt-out recorded; carrier failures (30003–30008) → undelivered; 429, 5xx and a connection that never opened →
 * retry with backoff; no answer at all (a timeout, a reset) → unconfirmed, as Twilio may have the message (it takes no
 * idempotency key, so only a lookup can tell); any other 4xx → failed.
 */
export function classifyTwilioError(e: {
  code?: number | string | null;
  status?: number | null;
  message?: string;
  networkCode?: string | null;
  retryAfterMs?: number;
}): Exclude<SendOutcome, { kind: 'sent' }> {
  const code = e.code === undefined || e.code === null || e.code === '' ? null : Number(e.code);
  const message = e.message ?? 'Twilio error';
  const label = code !== null ? String(code) : (e.networkCode ?? (e.status ? `http_${e.status}` : 'unknown'));
  if (code === 21211 || code === 21614) return { kind: 'failed', code: label, message: `invalid number: ${message}` };
  if (code === 21610)
    return { kind: 'failed', code: label, message: `recipient opted out (STOP): ${message}`, optOut: true };
  if (code !== null && code >= 30003 && code <= 30008)
    return { kind: 'failed', code: label, message: `carrier: ${message}`, undelivered: true };
  if (!e.status && mayHaveArrived(e.networkCode ?? 'network_error'))
    return { kind: 'unconfirmed', code: label, message: `no answer from Twilio: ${message}` };
  if (e.networkCode || !e.status || e.status === 429 || e.status >= 500)
    return { kind: 'retry', code: label, message, ...(e.retryAfterMs ? { retryAfterMs: e.retryAfterMs } : {}) };
  return { kind: 'failed', code: label, message };
}
