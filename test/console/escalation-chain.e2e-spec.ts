import type { DepartmentEntity } from '@kefu/shared';
import { factories } from '@kefu/shared/testing';
import type { Page } from 'playwright-core';
import { startConsoleStack, type ConsoleStack } from './stack';

/**
 * 002 §7.3.2: the GM edits the escalation chain in the console (GET/PUT /api/v1/escalation-chain, the scheduler's,
 * through intake): levels added, removed, moved and named, the API's field errors at their rows, a level nobody
 * can fill saved with its warning, and the chain as saved after a reload.
 */
describe('escalation chain editor in a real browser', () => {
  let stack: ConsoleStack;
  let marketing: DepartmentEntity;

  beforeAll(async () => {
    stack = await startConsoleStack();
    const ds = stack.db.dataSource;
    await factories.createDepartment(ds, { code: 'CS', name: '客户服务部', customerService: true });
    marketing = await factories.createDepartment(ds, { code: 'MKT', name: '市场部' });
    const eng = await factories.createDepartment(ds, { code: 'ENG', name: '工程部' });
    await stack.staff('dept_manager', { name: '工程部 王经理', departmentId: eng.id });
    await stack.staff('vice_gm', { name: '刘副总' });
  });
  afterAll(async () => {
    await stack?.close();
  });

  /** Each level's name as the form shows it. */
  const names = async (page: Page) =>
    Promise.all((await page.locator('#ec-rows input[name$=".name"]').all()).map((l) => l.inputValue()));

  it('a GM builds 部门经理 → 市场部经理 → 总经理: an empty name refused at its row, the unfillable level warned, kept', async () => {
    const gm = await stack.staff('gm', { name: '陈总' });
    const { page, context } = await stack.loggedIn(gm);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.getByRole('link', { name: '分派与值班' }).click();
    await page.getByRole('link', { name: '查看和修改升级链' }).click();
    await page.getByRole('heading', { name: '升级链' }).waitFor();
    await expect(names(page)).resolves.toEqual(['部门经理', '主管副总', '总经理']);
    await expect(page.getByLabel('第 1 级由谁担任').locator('option:checked').innerText()).resolves.toBe('按角色');
    await expect(page.getByLabel('第 1 级只找案件负责部门的人').isChecked()).resolves.toBe(true);
    await expect(page.locator('.ec-warning').count()).resolves.toBe(0);

    // 主管副总 out; a new level at the bottom, found as 市场部's manager, moved up above 总经理.
    await page.getByRole('button', { name: '删除第 2 级' }).click();
    await page.getByRole('button', { name: '添加一级' }).click();
    await expect(page.evaluate<string | undefined>('document.activeElement?.name')).resolves.toBe('levels.2.name');
    await page.getByLabel('第 3 级由谁担任').selectOption({ label: '某部门的经理' });
    await expect(page.getByLabel('第 3 级的角色').isVisible()).resolves.toBe(false);
    await page.getByLabel('第 3 级的部门').selectOption({ label: '市场部' });
    await page.getByRole('button', { name: '第 3 级上移' }).click();
    await expect(names(page)).resolves.toEqual(['部门经理', '', '总经理']);
    await expect(page.getByLabel('第 2 级的部门').locator('option:checked').innerText()).resolves.toBe('市场部');

    // Saved without a name: the API's refusal next to that field, nothing stored.
    await page.getByRole('button', { name: '保存升级链' }).click();
    const nameError = page.locator('#ec-levels-1-name-error');
    await nameError.waitFor();
    await expect(nameError.innerText()).resolves.toBe('请填写名称');
    await expect(page.locator('.ec-result .alert li').allInnerTexts()).resolves.toEqual(['第 2 级的名称：请填写名称']);
    await expect(page.getByLabel('第 2 级的名称').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.evaluate<string | undefined>('document.activeElement?.name')).resolves.toBe('levels.1.name');
    await expect(page.getByLabel('第 2 级的部门').locator('option:checked').innerText()).resolves.toBe('市场部');
    await stack.screenshot(page, 'escalation-chain-error');
    const stored = () =>
      stack.db.dataSource.query<Array<Record<string, unknown>>>(
        `SELECT level, name, resolver, role, within_case_department AS within, department_id AS "departmentId"
           FROM escalation_levels ORDER BY level`,
      );
    await expect(stored()).resolves.toHaveLength(3);
    expect((await stored())[1]).toMatchObject({ name: '主管副总' });

    // Named: saved, and 市场部 has no manager, so the level is warned about at its row and above the table.
    await page.getByLabel('第 2 级的名称').fill('市场部经理');
    await page.getByRole('button', { name: '保存升级链' }).click();
    await page.locator('.ec-result .success', { hasText: '升级链已保存（3 级）。' }).waitFor();
    await expect(page.locator('#ec-levels-1-name-error').count()).resolves.toBe(0);
    const warning = '第 2 级「市场部经理」：市场部没有在职的部门经理';
    await expect(page.locator('#ec-warning-1').innerText()).resolves.toBe(warning);
    await expect(page.locator('.ec-warnings li').allInnerTexts()).resolves.toEqual([warning]);
    await stack.screenshot(page, 'escalation-chain');
    await expect(stored()).resolves.toEqual([
      { level: 1, name: '部门经理', resolver: 'role', role: 'dept_manager', within: true, departmentId: null },
      {
        level: 2,
        name: '市场部经理',
        resolver: 'department_manager',
        role: null,
        within: false,
        departmentId: marketing.id,
      },
      { level: 3, name: '总经理', resolver: 'role', role: 'gm', within: false, departmentId: null },
    ]);

    // After a reload: the chain as saved, the warning still there; and in English.
    await page.reload();
    await page.getByRole('heading', { name: '升级链' }).waitFor();
    await expect(names(page)).resolves.toEqual(['部门经理', '市场部经理', '总经理']);
    await expect(page.getByLabel('第 2 级由谁担任').locator('option:checked').innerText()).resolves.toBe(
      '某部门的经理',
    );
    await expect(page.getByLabel('第 2 级的部门').locator('option:checked').innerText()).resolves.toBe('市场部');
    await expect(page.locator('#ec-warning-1').innerText()).resolves.toBe(warning);
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Escalation chain' }).waitFor();
    await expect(page.locator('#ec-warning-1').innerText()).resolves.toBe(
      'Level 2 “市场部经理”: 市场部 has no active manager',
    );
    await expect(page.getByLabel('Level 3: role').locator('option:checked').innerText()).resolves.toBe(
      'General manager',
    );
    expect(errors).toEqual([]);
    await context.close();

    // A department manager's routing page has no link to it.
    const head = await stack.staff('dept_manager', { name: '客服部 周经理' });
    const m = await stack.loggedIn(head);
    await m.page.goto('/console#/routing');
    await m.page.getByRole('heading', { name: '分派与值班' }).waitFor();
    await expect(m.page.getByRole('link', { name: '查看和修改升级链' }).count()).resolves.toBe(0);
    await m.context.close();
  });
});
