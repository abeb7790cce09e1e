import { createConnection } from 'node:net';
import { ImapFlow } from 'imapflow';

/** Resolves once the server greets on the port (the master opens the socket before imap-login is ready). */
export function waitForImapGreeting(port: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (signal?.aborted) return reject(new Error('no longer waited for'));
      const sock = createConnection({ port, host: '127.0.0.1' });
      let seen = '';
      let settled = false;
      const retry = (why: string) => {
        if (settled) return;
        settled = true;
        sock.destroy();
        if (Date.now() > deadline)
          reject(new Error(`dovecot did not greet on ${port} within ${timeoutMs} ms (${why})`));
        else setTimeout(attempt, 50);
      };
      sock.setTimeout(2000, () => retry('timeout'));
      sock.on('data', (b: Buffer) => {
        seen += b.toString('latin1');
        if (/\* OK .*ready/.test(seen)) {
          settled = true;
          sock.end();
          resolve();
        }
      });
      sock.once('error', (e) => retry(e.message));
      // The master accepts and hangs up while imap-login cannot start (throttled): retry, then a bounded failure.
      sock.once('close', () => retry(`connection closed${seen ? ` after ${JSON.stringify(seen.slice(0, 80))}` : ''}`));
    };
    attempt();
  });
}

/** A plain-text ImapFlow client for a local Dovecot (timeouts set, errors listened to, no auto-IDLE). */
export function localImapClient(port: number, user: string, password: string): ImapFlow {
  const c = new ImapFlow({
    host: '127.0.0.1',
    port,
    secure: false,
    doSTARTTLS: false,
    auth: { user, pass: password },
    logger: false,
    disableAutoIdle: true,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 120_000,
  });
  c.on('error', () => undefined);
  return c;
}

/** Runs `fn` on a fresh logged-in connection and always logs out. */
export async function withLocalImap<T>(
  port: number,
  user: string,
  password: string,
  fn: (c: ImapFlow) => Promise<T>,
): Promise<T> {
  const c = localImapClient(port, user, password);
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.logout().catch(() => undefined);
  }
}
