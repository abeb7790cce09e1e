import type { INestApplication } from '@nestjs/common';
import type { AppConfig } from '../config';
import { createApp, type AppDefinition } from '../http/bootstrap';

/** Starts an app in-process against the harness's real Postgres and Redis; `close()` when done. */
export async function startTestApp(def: AppDefinition, config: AppConfig): Promise<INestApplication> {
  const app = await createApp(def, config);
  await app.init();
  return app;
}
