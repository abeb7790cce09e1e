import type { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { appPort, ConfigError, loadConfig, startupWarnings, type AppConfig, type AppName } from '../config';
import { setupOpenApi } from './openapi';

export interface AppDefinition {
  name: AppName;
  title: string;
  description: string;
  module: (config: AppConfig) => DynamicModule;
  /** Express middleware the app mounts before its routes (intake passes the other apps' calls through untouched). */
  middleware?: (app: NestExpressApplication, config: AppConfig) => void;
}

/** A fully configured app, not yet listening (tests drive it with supertest). */
export async function createApp(def: AppDefinition, config: AppConfig): Promise<INestApplication> {
  // Bodies are read by BodyParsingInterceptor (CoreModule), after the route's guard, not by middleware for every
  // request: Nest's parsers are off.
  const app = await NestFactory.create<NestExpressApplication>(def.module(config), {
    bufferLogs: true,
    abortOnError: false,
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  // Behind nginx every visitor would otherwise share the proxy's address (and the web form's per-IP limit).
  app.set('trust proxy', config.TRUST_PROXY);
  def.middleware?.(app, config);
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
