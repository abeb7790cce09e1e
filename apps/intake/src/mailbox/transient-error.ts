/**
 * The one place that decides whether a failure is worth retrying as it is (Postgres or the IMAP server
 * unreachable, a deadlock, a timeout) or is a fault of this particular mail or of our code, which a
 * retry would only repeat: those quarantine the mail with the reason, so the poller keeps going.
 */
const TRANSIENT_SQLSTATE = /^(08|40|53|57|58)/; // connection, rollback (deadlock/serialization), resources, operator intervention, system
const TRANSIENT_NODE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'NoConnection',
  'CONNECT_TIMEOUT',
  'ETIMEOUT',
]);
const TRANSIENT_TEXT =
  /connection terminated|connection refused|timeout exceeded when trying to connect|terminating connection|the database system is (starting up|shutting down)|does not allow connections|not currently accepting connections|too many clients|socket hang up|Connection not available|Client has encountered a connection error/i;

export function isTransient(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    if (typeof e !== 'object') break;
    const o = e as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown };
    if (typeof o.code === 'string' && (TRANSIENT_SQLSTATE.test(o.code) || TRANSIENT_NODE.has(o.code))) return true;
    if (typeof o.message === 'string' && TRANSIENT_TEXT.test(o.message)) return true;
    e = o.driverError ?? o.cause;
  }
  return false;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
