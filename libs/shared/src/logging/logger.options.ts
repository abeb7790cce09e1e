import type { Params } from 'nestjs-pino';
import pino from 'pino';
import type { AppConfig, AppName } from '../config';
import { maskText, maskValue } from './mask';

/** pino options shared by the HTTP logger and standalone loggers (CLI, workers). */
export function pinoOptions(config: Pick<AppConfig, 'LOG_LEVEL' | 'LOG_FORMAT'>, app: AppName | 'cli') {
  return {
    level: config.LOG_LEVEL,
    base: { app },
    formatters: { log: (obj: Record<string, unknown>) => maskValue(obj) as Record<string, unknown> },
    hooks: {
      // Masks the message string itself; objects go through formatters.log.
      logMethod(this: unknown, args: unknown[], method: (...a: unknown[]) => void) {
        method.apply(
          this,
          args.map((a) => (typeof a === 'string' ? maskText(a) : a)),
        );
      },
    },
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
      censor: '[redacted]',
    },
    transport:
      config.LOG_FORMAT === 'pretty'
        ? {
            target: 'pino-pretty',
            options: { singleLine: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' },
          }
        : undefined,
  };
}

/**
 * The signed links' paths (`/ack/<token>` in staff reminders, `/visit/<token>` in return visits): their tokens are
 * credentials — whoever reads the access log could acknowledge a reminder or answer for an owner.
 */
const linkToken = /^(\/(?:ack|visit)\/)[^/]+/;

/** A request's path as the access log keeps it: no query, personal data masked, link tokens cut. */
export function loggedPath(url: string): string {
  return maskText((url.split('?')[0] ?? '').replace(linkToken, '$1[token]'));
}

export function loggerModuleParams(config: AppConfig, app: AppName): Params {
  return {
    pinoHttp: {
      ...pinoOptions(config, app),
      // Query strings may hold phone numbers (caller lookup); log the path only, masked. Our serializers
      // read the raw request: pino-http's wrapping would first build its standard request object (headers
      // copied, addresses read) on every request, only for ours to keep three fields of it.
      wrapSerializers: false,
      serializers: {
        req: (req: { id?: unknown; method?: string; url?: string; originalUrl?: string }) => ({
          id: req.id,
          method: req.method,
          url: loggedPath(req.originalUrl ?? req.url ?? ''),
        }),
        res: pino.stdSerializers.res,
        err: pino.stdSerializers.err,
      },
      autoLogging: { ignore: (req) => req.url === '/healthz' },
    },
  };
}
