import { createHash } from 'node:crypto';
import type { BrowserContext, Page } from 'playwright-core';
import { CaseEntity } from '@kefu/shared';
import { expectEventually, factories } from '@kefu/shared/testing';
import { formatPromise } from '../../apps/intake/src/hotline/read-back';
import { startConsoleStack, type ConsoleStack } from './stack';

/** Leading zero bits of sha256(challenge + nonce): what the server checks of pow.js's work. */
function zeroBits(challenge: string, nonce: string): number {
  const d = createHash('sha256')
    .update(challenge + nonce)
    .digest();
  let n = 0;
  for (const byte of d) {
    if (byte === 0) {
      n += 8;
      continue;
    }
    return n + Math.clz32(byte) - 24;
  }
  return n;
}

describe('public web form (/complaint) in a real browser, JavaScript on', () => {
  let stack: ConsoleStack;
  let projectId: string;
  let unitId: string;
  let context: BrowserContext;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    stack = await startConsoleStack();
    const project = await factories.createProject(stack.db.dataSource, { code: 'BHYT01', name: '碧海云天' });
    projectId = project.id;
    await factories.createProject(stack.db.dataSource, { name: '翠湖山庄' });
    const building = await factories.createBuilding(stack.db.dataSource, { projectId, name: '3栋' });
    unitId = (await factories.createUnit(stack.db.dataSource, { buildingId: building.id, entrance: '2', room: '1502' }))
      .id;
    context = await stack.browser.newContext({
      baseURL: stack.baseUrl,
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
      viewport: { width: 900, height: 900 },
    });
    page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    // Script errors only: the browser also logs the form's own 400 answers as console errors.
    page.on('response', (r) => r.status() === 404 && errors.push(`404 ${r.url()}`));
  });
  afterAll(async () => {
    await context?.close();
    await stack?.close();
  });

  const nonce = () => page.locator('input[name=nonce]').inputValue();
  const challenge = () => page.locator('input[name=challenge]').inputValue();
  const errorOf = (field: string) => page.locator(`#f-${field}-error`).textContent();
  const invalid = (field: string) => page.locator(`#f-${field}`).getAttribute('aria-invalid');

  it("stops an empty form, then shows the server's message for each field in Chinese", async () => {
    await page.goto('/complaint');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('业主投诉与报修');
    // pow.js (the page's own script) does the proof-of-work in the browser and fills in the nonce.
    const c = await challenge();
    await expectEventually(async () => expect(await nonce()).not.toBe(''), { timeoutMs: 30_000 });
    expect(zeroBits(c, await nonce())).toBeGreaterThanOrEqual(stack.config.WEB_FORM_POW_BITS);

    // Empty: the browser's own checks (required) keep it on the page; nothing is sent.
    let posted = 0;
    page.on('request', (r) => r.method() === 'POST' && posted++);
    await page.getByRole('button', { name: '提交' }).click();
    await expect(page.locator('#complaint-form :invalid').count()).resolves.toBeGreaterThanOrEqual(6);
    expect(posted).toBe(0);
    await expect(page.locator('#f-name:invalid').count()).resolves.toBe(1);

    // A browser without those checks sends it empty: the server answers field by field.
    await page.evaluate("document.getElementById('complaint-form').noValidate = true");
    await Promise.all([
      page.waitForURL(/\/complaint$/),
      page.waitForResponse((r) => r.request().method() === 'POST' && r.status() === 400),
      page.getByRole('button', { name: '提交' }).click(),
    ]);
    const summary = page.getByRole('alert').filter({ hasText: '提交未成功' });
    await expect(summary.locator('h2').textContent()).resolves.toBe('提交未成功，请修改以下6处：');
    await expect(summary.locator('li').allTextContents()).resolves.toEqual([
      '姓名：请填写姓名',
      '手机号：请填写手机号',
      '小区：请选择您所在的小区',
      '楼栋单元房号：请填写楼栋单元房号，例如 3栋2单元1502',
      '问题类型：请选择问题类型：投诉、报修、咨询或建议',
      '问题描述：请描述您遇到的问题',
    ]);
    await expect(errorOf('name')).resolves.toBe('请填写姓名');
    await expect(errorOf('projectId')).resolves.toBe('请选择您所在的小区');
    await expect(errorOf('description')).resolves.toBe('请描述您遇到的问题');
    await expect(invalid('mobile')).resolves.toBe('true');
    await expect(page.locator('#f-mobile').getAttribute('aria-describedby')).resolves.toContain('f-mobile-error');
    // The summary's links lead to the fields.
    await summary.getByRole('link', { name: /手机号/ }).click();
    await expect(page.evaluate('document.activeElement && document.activeElement.id')).resolves.toBe('f-mobile');
  });

  it('keeps what was typed and names the two fields that are still wrong', async () => {
    await page.getByLabel('姓名').fill('王先生');
    await page.getByLabel('手机号').fill('12345');
    await page.getByLabel('小区').selectOption({ label: '碧海云天' });
    await page.getByLabel('楼栋单元房号').fill('3栋2单元1502');
    await page.getByLabel('报修').check();
    await page.getByLabel('问题描述').fill('漏水');
    await page.evaluate("document.getElementById('complaint-form').noValidate = false");
    await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.status() === 400),
      page.getByRole('button', { name: '提交' }).click(),
    ]);
    await expect(
      page.getByRole('alert').filter({ hasText: '提交未成功' }).locator('li').allTextContents(),
    ).resolves.toEqual([
      '手机号：请填写正确的中国大陆手机号（11位），例如 138 1234 5678',
      '问题描述：问题描述至少5个字，请写清楚发生了什么',
    ]);
    await expect(errorOf('mobile')).resolves.toBe('请填写正确的中国大陆手机号（11位），例如 138 1234 5678');
    await expect(invalid('name')).resolves.toBeNull();
    await expect(page.getByLabel('姓名').inputValue()).resolves.toBe('王先生');
    await expect(page.getByLabel('小区').inputValue()).resolves.toBe(projectId);
    await expect(page.getByLabel('报修').isChecked()).resolves.toBe(true);
    await stack.screenshot(page, 'web-form-errors');
  });

  it('accepts the corrected form: the receipt shows the case number and promised reply date, and the case is in Postgres', async () => {
    await expectEventually(async () => expect(await nonce()).not.toBe(''), { timeoutMs: 30_000 });
    await page.getByLabel('手机号').fill('138 1234 5678');
    await page.getByLabel('问题描述').fill('卫生间天花板漏水，已经一周了');
    await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.status() === 200),
      page.getByRole('button', { name: '提交' }).click(),
    ]);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('提交成功');
    const receipt = page.getByRole('status');
    const number = (await receipt.locator('.receipt strong').first().textContent()) ?? '';
    expect(number).toMatch(/^BHYT01-/);

    const c = await stack.db.dataSource.getRepository(CaseEntity).findOneByOrFail({ number });
    expect(c).toMatchObject({
      channel: 'web',
      type: 'repair',
      projectId,
      unitId,
      reporterName: '王先生',
      reporterPhone: '13812345678',
      description: '卫生间天花板漏水，已经一周了',
      status: 'new',
    });
    expect(c.promisedReplyAt).not.toBeNull();
    await expect(receipt.textContent()).resolves.toContain(
      `我们会在${formatPromise(c.promisedReplyAt!, 'Asia/Shanghai')}前答复您。`,
    );
    await stack.screenshot(page, 'web-form-success');
    expect(errors).toEqual([]);
  });
});
