import { existsSync, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createTestDatabase, factories, startTestApp, testConfig, type TestDatabase } from '@kefu/shared/testing';
import type { AppConfig, StaffRole } from '@kefu/shared';
import { intakeApp } from '../../apps/intake/src/intake.app';
import { notifierApp } from '../../apps/notifier/src/notifier.app';
import { schedulerApp } from '../../apps/scheduler/src/scheduler.app';

/** Debian's chromium (installed by .ci/run); CHROMIUM_PATH points elsewhere. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const screenshotDir = join(__dirname, '../../test-artifacts/console');

export interface ConsoleStack {
  config: AppConfig;
  db: TestDatabase;
  intake: INestApplication;
  scheduler: INestApplication;
  notifier: INestApplication;
  /** http://127.0.0.1:<port> of intake, which serves /console and passes scheduler/notifier calls through. */
  baseUrl: string;
  browser: Browser;
  /** A staff member who can log in with `password`. */
  staff: (
    role: StaffRole,
    o?: { login?: string; name?: string; password?: string; departmentId?: string | null },
  ) => Promise<{ id: string; login: string; password: string; name: string }>;
  /** A fresh browser context (own localStorage) on the console's login page, logged in as that staff member through the form. */
  loggedIn: (
    who: { login: string; password: string },
    o?: { lang?: 'zh' | 'en' },
  ) => Promise<{ page: Page; context: BrowserContext }>;
  /** Saves a full-page screenshot as test-artifacts/console/<name>.png. */
  screenshot: (page: Page, name: string) => Promise<void>;
  close: () => Promise<void>;
}

async function listen(app: INestApplication, port = 0): Promise<string> {
  await app.listen(port, '127.0.0.1');
  const address = (app.getHttpServer() as Server).address() as AddressInfo;
  return `http://127.0.0.1:${address.port}`;
}

/**
 * The real stack for end-to-end tests: the three apps in this process on free ports, sharing the
 * harness's Postgres (a fresh database) and Redis (one queue prefix), and a headless chromium.
 */
export async function startConsoleStack(
  overrides: Partial<Record<keyof AppConfig, string>> = {},
  /** A port chosen beforehand for the notifier (when a provider must be told its callback URL). */
  opts: { notifierPort?: number } = {},
): Promise<ConsoleStack> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `The console's browser tests need Debian's chromium at ${chromiumPath}: apt-get install chromium (as .ci/run does), or set CHROMIUM_PATH.`,
    );
  }
  const db = await createTestDatabase();
  const base = testConfig({ DATABASE_URL: db.url, ...overrides });
  const [scheduler, notifier] = await Promise.all([startTestApp(schedulerApp, base), startTestApp(notifierApp, base)]);
  const [schedulerUrl, notifierUrl] = await Promise.all([listen(scheduler), listen(notifier, opts.notifierPort)]);
  const config: AppConfig = { ...base, SCHEDULER_INTERNAL_URL: schedulerUrl, NOTIFIER_INTERNAL_URL: notifierUrl };
  const intake = await startTestApp(intakeApp, config);
  const baseUrl = await listen(intake);
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
  mkdirSync(screenshotDir, { recursive: true });
  let n = 0;

  const stack: ConsoleStack = {
    config,
    db,
    intake,
    scheduler,
    notifier,
    baseUrl,
    browser,
    staff: async (role, o = {}) => {
      const login = o.login ?? `${role.replace('_', '')}${++n}${Date.now().toString(36)}`;
      const password = o.password ?? `pass-${login}-123`;
      const name = o.name ?? `测试${role}${n}`;
      const row = await factories.createStaff(db.dataSource, {
        role,
        login,
        name,
        password,
        departmentId: o.departmentId ?? null,
      });
      return { id: row.id, login, password, name };
    },
    loggedIn: async (who, o = {}) => {
      const context = await browser.newContext({
        baseURL: baseUrl,
        locale: 'zh-CN',
        timezoneId: 'Asia/Shanghai',
        viewport: { width: 1280, height: 900 },
      });
      const page = await context.newPage();
      if (o.lang === 'en') await page.addInitScript("localStorage.setItem('kefu.lang', 'en')");
      await page.goto('/console#/login');
      await page.getByLabel(o.lang === 'en' ? 'Login' : '用户名').fill(who.login);
      await page.getByLabel(o.lang === 'en' ? 'Password' : '密码').fill(who.password);
      await page.getByRole('button', { name: o.lang === 'en' ? 'Log in' : '登录' }).click();
      await page.locator('#top').waitFor({ state: 'visible' });
      return { page, context };
    },
    screenshot: async (page, name) => {
      await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });
    },
    close: async () => {
      await browser.close().catch(() => undefined);
      await Promise.all([intake.close(), scheduler.close(), notifier.close()]);
      await db.drop();
    },
  };
  return stack;
}
