import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { NextFunction, Request, Response } from 'express';
import type { AppConfig } from '@kefu/shared';

/**
 * Intake is the one public address. The console is served by intake, but reminders, certificate batches and warranty notices live in the
 * scheduler's API, notifications and letters in the notifier's. Intake passes those calls through
 * untouched (method, path, query, body, the staff member's bearer token), so every role check stays in
 * the app that owns the data and the browser talks to one origin.
 */
export const proxiedPrefixes = {
  scheduler: [
    '/api/v1/reminders',
    '/api/v1/certificate-batches',
    '/api/v1/warranty',
    '/api/v1/retention',
    '/api/v1/calendar',
    '/api/v1/escalation-chain',
    '/api/v1/visit-plans',
    '/api/v1/survey-scan',
    // The signed acknowledgement links in staff reminders: one public address (PUBLIC_BASE_URL) serves them.
    '/ack',
  ],
  notifier: [
    '/api/v1/notifications',
    '/api/v1/notification-templates',
    '/api/v1/letters',
    // Providers' delivery callbacks (Twilio's status callback defaults to PUBLIC_BASE_URL + /webhooks/twilio/status).
    '/webhooks',
  ],
} as const;

// Hop-by-hop headers (RFC 9110 §7.6.1) are not forwarded; host is the upstream's.
const hopByHop = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
]);

function forwardable(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) if (!hopByHop.has(k) && v !== undefined) out[k] = v;
  return out;
}

function fail(res: Response, app: string, reason: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res
    .status(502)
    .set('Retry-After', '5')
    .json({
      error: {
        code: 'upstream_unavailable',
        message: `The ${app} cannot be reached just now (${reason}); try again in a moment.`,
      },
    });
}

export function apiProxy(
  config: Pick<AppConfig, 'SCHEDULER_INTERNAL_URL' | 'NOTIFIER_INTERNAL_URL'>,
  timeoutMs = 30_000,
) {
  const upstreams = [
    ...proxiedPrefixes.scheduler.map((prefix) => ({
      prefix,
      app: 'scheduler',
      base: new URL(config.SCHEDULER_INTERNAL_URL),
    })),
    ...proxiedPrefixes.notifier.map((prefix) => ({
      prefix,
      app: 'notifier',
      base: new URL(config.NOTIFIER_INTERNAL_URL),
    })),
  ];
  return (req: Request, res: Response, next: NextFunction): void => {
    const url = req.originalUrl;
    const target = upstreams.find(
      (u) => url === u.prefix || url.startsWith(`${u.prefix}/`) || url.startsWith(`${u.prefix}?`),
    );
    if (!target) return next();
    const send = target.base.protocol === 'https:' ? httpsRequest : httpRequest;
    const headers = forwardable(req.headers);
    headers['x-forwarded-for'] = [req.headers['x-forwarded-for'], req.socket.remoteAddress].filter(Boolean).join(', ');
    const upstream = send(
      {
        protocol: target.base.protocol,
        hostname: target.base.hostname,
        port: target.base.port,
        path: url,
        method: req.method,
        headers,
        timeout: timeoutMs,
      },
      (up) => {
        res.status(up.statusCode ?? 502);
        for (const [k, v] of Object.entries(forwardable(up.headers))) if (v !== undefined) res.setHeader(k, v);
        up.pipe(res);
        up.on('error', () => res.destroy());
      },
    );
    upstream.on('timeout', () => upstream.destroy(new Error('timed out')));
    upstream.on('error', (err) => fail(res, target.app, (err as NodeJS.ErrnoException).code ?? err.message));
    req.on('aborted', () => upstream.destroy());
    req.pipe(upstream);
  };
}
