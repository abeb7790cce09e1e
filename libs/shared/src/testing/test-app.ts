import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuthService } from '../auth/auth.service';
import type { AppConfig } from '../config';
import type { StaffRole } from '../database/entities';
import { factories } from './factories';
import { createApp, type AppDefinition } from '../http/bootstrap';
import { CLOCK, FakeClock, type AppClock } from '../util/clock';

/** Starts an app in-process against the harness's real Postgres and Redis; `close()` when done. */
export async function startTestApp(def: AppDefinition, config: AppConfig): Promise<INestApplication> {
  const app = await createApp(def, config);
  await app.init();
  return app;
}

/** A bearer token for a staff member of that role (created in the app's database), without the scrypt cost of logging in. */
export async function tokenFor(app: INestApplication, role: StaffRole, name = `测试${role}`): Promise<string> {
  const ds = app.get(DataSource);
  const staff = await factories.createStaff(ds, { role, name });
  return (await app.get(AuthService).issue({ id: staff.id, role, name })).accessToken;
}

/** Puts the app on a fake clock (scheduler ticks, quiet hours read `CLOCK`); move it with `set` / `advance`. */
export function useFakeClock(app: INestApplication, at: Date | string): FakeClock {
  const clock = new FakeClock(at);
  app.get<AppClock>(CLOCK).use(clock);
  return clock;
}
