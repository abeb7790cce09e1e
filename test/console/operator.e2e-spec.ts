import type { Page } from 'playwright-core';
import { CallEntity, CaseEntity } from '@kefu/shared';
import { expectEventually, factories } from '@kefu/shared/testing';
import { startConsoleStack, type ConsoleStack } from './stack';

/** What the page has focused (id), for keyboard-only steps. */
const focused = (page: Page): Promise<string> =>
  page.evaluate('document.activeElement ? document.activeElement.id : ""');
/** Bounded wait until `fn` gives `want`. */
const poll = <T>(fn: () => Promise<T>, want: T) =>
  expectEventually(async () => expect(await fn()).toEqual(want), { timeoutMs: 5000 });
const beijing = (d: Date) =>
  new Intl.DateTimeFormat('zh-CN', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(d);

describe('operator console: hotline and case queue in a real browser', () => {
  let stack: ConsoleStack;
  let unitId: string;
  let openCase: CaseEntity;
  let overdueCase: CaseEntity;

  beforeAll(async () => {
    stack = await startConsoleStack();
    const ds = stack.db.dataSource;
    const project = await factories.createProject(ds, { code: 'OPE2E', name: '碧海云天' });
    const building = await factories.createBuilding(ds, { projectId: project.id, name: '3栋' });
    const unit = await factories.createUnit(ds, { buildingId: building.id, entrance: '2', room: '1502' });
    unitId = unit.id;
    const owner = await factories.createOwner(ds, { name: '王先生', mobiles: ['13800138000'] });
    await factories.linkOwner(ds, owner.id, unit.id);
    openCase = await factories.createCase(ds, {
      projectCode: 'OPE2E',
      projectId: project.id,
      unitId,
      ownerId: owner.id,
      reporterPhone: '13800138000',
      type: 'repair',
      description: '厨房下水道堵塞',
      promisedReplyAt: new Date(Date.now() + 3 * 86_400_000),
    });
    overdueCase = await factories.createCase(ds, {
      projectCode: 'OPE2E',
      projectId: project.id,
      channel: 'email',
      description: '外墙渗水一直没人答复',
      severity: 'major',
      category: 'engineering_quality',
      receivedAt: new Date(Date.now() - 5 * 86_400_000),
      promisedReplyAt: new Date(Date.now() - 2 * 86_400_000),
    });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('looks the caller up, logs the call by keyboard alone, reads it back, and finds it in the queue', async () => {
    const operator = await stack.staff('operator', { name: '王接线' });
    const { page, context } = await stack.loggedIn(operator);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.waitForURL(/#\/hotline$/);

    // The number box has the focus: paste the number as the phone shows it.
    await poll(() => focused(page), 'hl-callerNumber');
    await page.keyboard.type('+86 138-0013-8000');
    const caller = page.locator('#hl-caller');
    await caller.getByText('此来电人已有 1 件未结案件').waitFor();
    const typedAt = Date.now();
    await expect(caller.textContent()).resolves.toContain('王先生');
    await expect(caller.textContent()).resolves.toContain('碧海云天 3栋2单元1502');
    await expect(caller.getByRole('link', { name: openCase.number }).getAttribute('href')).resolves.toBe(
      `#/cases/${openCase.id}`,
    );
    await expect(page.locator('#hl-unitId').inputValue()).resolves.toBe(unitId);
    await stack.screenshot(page, 'hotline');

    // Keyboard only: Enter → type (two down: 报修), Tab → category, Tab → severity (right: 轻微), then save without a summary.
    await page.keyboard.press('Enter');
    await poll(() => focused(page), 'hl-type');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await expect(page.locator('#hl-type').inputValue()).resolves.toBe('repair');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('ArrowRight');
    await expect(page.locator('input[name=severity]:checked').inputValue()).resolves.toBe('minor');
    await page.keyboard.press('Control+Enter');

    // The 400: the message next to the summary, marked invalid, and a summary of what to fix.
    const summaryError = page.locator('#hl-summary-error');
    await summaryError.waitFor();
    await expect(summaryError.textContent()).resolves.toContain('请填写来电内容');
    await expect(page.locator('#hl-summary').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.locator('#hl-summary').getAttribute('aria-describedby')).resolves.toContain('hl-summary-error');
    await expect(page.locator('#hl-errors').getByRole('alert').textContent()).resolves.toContain('来电内容');
    await poll(() => focused(page), 'hl-errors');
    // From the error summary straight to the field.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await poll(() => focused(page), 'hl-summary');
    await page.keyboard.type('卫生间漏水，楼下天花板也渗水了');
    await page.keyboard.press('Control+Enter');

    // The read-back, focused, with the case number stored in Postgres and the promised reply date.
    const readback = page.locator('#hl-readback');
    await readback.waitFor();
    await poll(() => focused(page), 'hl-readback');
    const stored = await stack.db.dataSource
      .getRepository(CaseEntity)
      .findOneByOrFail({ description: '卫生间漏水，楼下天花板也渗水了' });
    expect(stored).toMatchObject({
      channel: 'hotline',
      type: 'repair',
      severity: 'minor',
      unitId,
      reporterPhone: '13800138000',
    });
    expect(stored.promisedReplyAt).not.toBeNull();
    await expect(page.locator('#hl-case-number').textContent()).resolves.toBe(stored.number);
    // The call started when its number was typed (not when the page opened), and lasted until the save.
    const call = await stack.db.dataSource.getRepository(CallEntity).findOneByOrFail({ caseId: stored.id });
    expect(call).toMatchObject({
      callerNumber: '+86 138-0013-8000',
      callerDigits: '13800138000',
      direction: 'in',
      voicemail: false,
    });
    expect(call.startedAt.getTime()).toBeGreaterThan(typedAt - 10_000);
    expect(call.startedAt.getTime()).toBeLessThanOrEqual(typedAt);
    expect(call.durationSeconds).toBeLessThan(60);
    const sentence = await readback.locator('p').textContent();
    expect(sentence).toContain(`编号 ${stored.number}`);
    expect(sentence).toMatch(/我们会在\d+月\d+日（星期.）\d\d:\d\d前给您答复/);
    await expect(page.locator('#hl-promised').textContent()).resolves.toBe(beijing(stored.promisedReplyAt!));
    await stack.screenshot(page, 'hotline-readback');

    // Next call: a fresh form, focus back on the number.
    await page.getByRole('button', { name: '下一个来电' }).focus();
    await page.keyboard.press('Enter');
    await poll(() => focused(page), 'hl-callerNumber');
    await expect(page.locator('#hl-callerNumber').inputValue()).resolves.toBe('');

    // The queue: channel hotline and the number as free text.
    await page.getByRole('link', { name: '案件队列' }).click();
    await page.waitForURL(/#\/cases$/);
    // Operators may not read the staff list: no assignee filter (and no 403 asked for).
    await expect(page.locator('#q-assigneeId').count()).resolves.toBe(0);
    await page.getByLabel('渠道').selectOption('hotline');
    await page.getByLabel('编号、内容或来电人').fill(stored.number);
    await page.getByRole('button', { name: '查询' }).click();
    await page.waitForURL(/#\/cases\?channel=hotline&q=/);
    const rows = page.locator('table.q-table tbody tr');
    await rows.first().waitFor();
    await expect(rows.count()).resolves.toBe(1);
    await expect(rows.first().getByRole('link', { name: stored.number }).getAttribute('href')).resolves.toBe(
      `#/cases/${stored.id}`,
    );
    const badge = rows.first().locator('.due');
    await expect(badge.getAttribute('class')).resolves.toMatch(/due-(soon|ok)/);
    await expect(badge.textContent()).resolves.toMatch(/^还剩 /);
    await stack.screenshot(page, 'queue');

    // The overdue case: overdue badge in the full list, and alone with the overdue filter.
    await page.getByRole('link', { name: '清除' }).click();
    await page.waitForURL(/#\/cases$/);
    const overdueRow = page.locator('tr', { has: page.getByRole('link', { name: overdueCase.number }) });
    await expect(overdueRow.locator('.due').getAttribute('class')).resolves.toContain('due-overdue');
    await expect(overdueRow.locator('.due').textContent()).resolves.toMatch(/^逾期 /);
    await page.getByLabel('只看逾期未答复').check();
    await page.getByRole('button', { name: '查询' }).click();
    await page.waitForURL(/#\/cases\?overdue=true$/);
    await poll(() => rows.locator('td.q-num a').allTextContents(), [overdueCase.number]);
    // Back returns to the unfiltered list, filters and all.
    await page.goBack();
    await page.waitForURL(/#\/cases$/);
    await poll(() => rows.count(), 3);
    await expect(page.getByLabel('只看逾期未答复').isChecked()).resolves.toBe(false);

    expect(errors).toEqual([]);
    await context.close();
  });

  it('renders the hotline and the queue in English; a manager gets the assignee filter', async () => {
    const manager = await stack.staff('dept_manager', { name: '赵经理' });
    const { page, context } = await stack.loggedIn(manager, { lang: 'en' });
    await page.goto('/console#/hotline');
    await page.getByLabel('Caller number').waitFor();
    await page.goto('/console#/cases?status=new');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Case queue');
    await expect(page.getByLabel('Assignee').locator('option').allTextContents()).resolves.toContain(
      '赵经理（Department manager）',
    );
    await context.close();
  });
});
