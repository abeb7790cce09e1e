import type { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { json, text, urlencoded, type NextFunction, type Request, type Response } from 'express';
import { Logger } from 'nestjs-pino';
import { bodyParserError } from '../errors/http-exception.filter';
import { appPort, ConfigError, loadConfig, startupWarnings, type AppConfig, type AppName } from '../config';
import { setupOpenApi } from './openapi';

export interface AppDefinition {
  name: AppName;
  title: string;
  description: string;
  module: (config: AppConfig) => DynamicModule;
  /** Express middleware the app mounts before the body parsers (intake passes the console's calls for the other apps through untouched). */
  beforeBodyParsers?: (app: NestExpressApplication, config: AppConfig) => void;
}

/** Keeps the bytes of text bodies as `req.rawBody` (Nest's RawBodyRequest): a CSV from Excel may be GBK, not the UTF-8 the parser assumed. */
function keepRawBody(req: Request, _res: Response, buf: Buffer): void {
  (req as Request & { rawBody?: Buffer }).rawBody = buf;
}

function bodyParserErrors(err: unknown, _req: Request, res: Response, next: NextFunction): void {
  const appErr = bodyParserError(err);
  if (!appErr) return next(err);
  res.status(appErr.status).json({ error: { code: appErr.code, message: appErr.message } });
}

/** A fully configured app, not yet listening (tests drive it with supertest). */
export async function createApp(def: AppDefinition, config: AppConfig): Promise<INestApplication> {
  // Our own body parsers, so a malformed or oversized body gets our error shape (Nest's drop the reason).
  const app = await NestFactory.create<NestExpressApplication>(def.module(config), {
    bufferLogs: true,
    abortOnError: false,
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  // Behind nginx every visitor would otherwise share the proxy's address (and the web form's per-IP limit).
  app.set('trust proxy', config.TRUST_PROXY);
  def.beforeBodyParsers?.(app, config);
  app.use(
    json({ limit: '1mb' }),
    urlencoded({ extended: false, limit: '1mb' }),
    text({ type: ['text/csv', 'text/plain'], limit: '20mb', verify: keepRawBody }),
    bodyParserErrors,
  );
  app.enableShutdownHooks();
  setupOpenApi(app, def.title, def.description);
  return app;
}

/** main.ts of each app: validate config (listing every problem, no stack), start, listen. */
export async function bootstrap(def: AppDefinition): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`kefu-${def.name}: ${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  try {
    const app = await createApp(def, config);
    const port = appPort(config, def.name);
    await app.listen(port, config.HTTP_HOST);
    for (const warning of startupWarnings(config)) app.get(Logger).warn(warning);
    app.get(Logger).log(`kefu-${def.name} listening on http://${config.HTTP_HOST}:${port} (docs at /api/docs)`);
  } catch (err) {
    process.stderr.write(`kefu-${def.name} failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
