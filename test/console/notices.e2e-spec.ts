import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  freePort,
  startLocalOutboxServer,
  startLocalSms,
  type LocalOutboxServer,
  type LocalSms,
  type OwnerEntity,
} from '@kefu/shared';
import { factories, useFakeClock } from '@kefu/shared/testing';
import { startConsoleStack, type ConsoleStack } from './stack';

/** 23:00 tomorrow in Shanghai: inside the SMS quiet hours (21:00-08:00) that a typhoon alert ignores. */
function tomorrowAt2300(): string {
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(Date.now() + 86_400_000));
  return `${day}T23:00:00+08:00`;
}

/**
 * The end-to-end case in a real browser: at 23:00 a rep writes a typhoon alert for the estate, sees who is
 * left out and why, sends it, watches the progress reach 已完成, and finds every owner's SMS in the local outbox
 * (the gateway npm start runs in place of Twilio).
 */
describe('Notices in a real browser: a typhoon alert at 23:00 reaches every owner at once', () => {
  let stack: ConsoleStack;
  let sms: LocalSms;
  let outbox: LocalOutboxServer;
  let dir: string;
  let rep: { id: string; login: string; password: string; name: string };
  const owners: OwnerEntity[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kefu-notices-'));
    sms = await startLocalSms({ dir, callbackDelayMs: 20 });
    outbox = await startLocalOutboxServer({ sms });
    const notifierPort = await freePort();
    stack = await startConsoleStack(
      {
        TWILIO_ACCOUNT_SID: sms.accountSid,
        TWILIO_AUTH_TOKEN: sms.authToken,
        TWILIO_FROM: sms.from,
        TWILIO_API_BASE_URL: sms.apiBaseUrl,
        TWILIO_STATUS_CALLBACK_URL: `http://127.0.0.1:${notifierPort}/webhooks/twilio/status`,
        LOCAL_PROVIDERS_URL: outbox.url,
        SMS_QUIET_HOURS: '21:00-08:00',
      },
      { notifierPort },
    );
    const at = tomorrowAt2300();
    for (const app of [stack.intake, stack.notifier, stack.scheduler]) useFakeClock(app, at);
    rep = await stack.staff('cs_rep', { name: '客服 陈敏' });
    const ds = stack.db.dataSource;
    const estate = await factories.createProject(ds, { name: '碧海云天' });
    const building = await factories.createBuilding(ds, { projectId: estate.id, name: '3栋' });
    for (let i = 1; i <= 6; i++) {
      const unit = await factories.createUnit(ds, { buildingId: building.id, entrance: '2', room: `150${i}` });
      const owner = await factories.createOwner(ds, { name: `业主${i}` });
      await factories.linkOwner(ds, owner.id, unit.id);
      owners.push(owner);
    }
    const unit = await factories.createUnit(ds, { buildingId: building.id, entrance: '2', room: '1601' });
    const lost = await factories.createOwner(ds, { name: '无联系人', mobiles: [], email: null, postalAddress: null });
    await factories.linkOwner(ds, lost.id, unit.id);
  });
  afterAll(async () => {
    await stack?.close();
    await outbox?.stop();
    await sms?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a rep writes the alert, previews who is left out, sends it and sees it done; every owner’s SMS is in the local outbox', async () => {
    const { page, context } = await stack.loggedIn(rep);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.getByRole('link', { name: '通知公告' }).click();
    await page.getByRole('heading', { level: 1, name: '通知公告' }).waitFor();
    await page.getByLabel('类型').selectOption('safety_alert');
    // A title left empty is named at its field.
    await page.getByRole('button', { name: '创建草稿并预览收件人' }).click();
    await page.locator('#n-title[aria-invalid="true"]').waitFor();
    await page.getByLabel('标题').fill('台风“海燕”红色预警');
    await page.getByLabel('内容').fill('台风今夜登陆，请关好门窗、收起阳台物品，非必要不外出。');
    await stack.screenshot(page, 'notices-new');
    await page.getByRole('button', { name: '创建草稿并预览收件人' }).click();
    await page.getByRole('heading', { level: 1, name: '台风“海燕”红色预警' }).waitFor();
    await expect(page.locator('#notice-audience').textContent()).resolves.toContain('收件人 6 位，未发送 1 位');
    await expect(page.locator('#notice-excluded').textContent()).resolves.toContain('无联系方式');
    await stack.screenshot(page, 'notices-draft');
    await page.getByRole('button', { name: '发送', exact: true }).click();
    await expect(page.locator('#notice-confirm-text').textContent()).resolves.toBe(
      '确定向 6 位业主发送「台风“海燕”红色预警」吗？',
    );
    await page.getByRole('button', { name: '确认' }).click();
    // Live progress: the page asks again while sending, until the notice is done.
    await page.locator('#notice-status .notice-done').waitFor({ timeout: 30_000 });
    await expect(page.locator('#notice-delivered').textContent()).resolves.toBe('6');
    await stack.screenshot(page, 'notices-done');
    // Every owner's phone, at 23:00: the local gateway got one SMS each, delivered.
    const got = sms.list().filter((m) => m.body.includes('台风今夜登陆'));
    expect(got.map((m) => m.to).sort()).toEqual(owners.map((o) => `+86${o.mobiles[0]}`).sort());
    expect(got.every((m) => m.status === 'delivered')).toBe(true);
    await page.getByRole('link', { name: '本地收件箱' }).click();
    await page.getByRole('heading', { level: 1, name: '本地收件箱' }).waitFor();
    for (const m of got) await page.locator(`tr[data-sid="${m.sid}"]`).waitFor();
    await stack.screenshot(page, 'notices-local-outbox');
    expect(errors).toEqual([]);
    await context.close();
  });
});
