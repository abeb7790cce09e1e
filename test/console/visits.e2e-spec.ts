import { factories } from '@kefu/shared/testing';
import { startConsoleStack, type ConsoleStack } from './stack';

/** YYYY-MM-DDTHH:mm in Beijing time, n days from now (a datetime-local value). */
const shanghaiLocal = (n = 0) => new Date(Date.now() + n * 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 16);

describe('owner visits in a real browser: due visits, a record, the completion figure', () => {
  let stack: ConsoleStack;
  let rep: { id: string; login: string; password: string; name: string };
  let manager: { id: string; login: string; password: string; name: string };
  let projectId: string;
  beforeAll(async () => {
    stack = await startConsoleStack();
    rep = await stack.staff('cs_rep', { name: '客服 陈敏' });
    manager = await stack.staff('dept_manager', { name: '客服部经理 林静' });
    const ds = stack.db.dataSource;
    projectId = (await factories.createProject(ds, { code: 'E2EV1', name: '碧海云天' })).id;
    const buildingId = (await factories.createBuilding(ds, { projectId, name: '3栋' })).id;
    for (const room of ['101', '102', '103']) {
      const u = await factories.createUnit(ds, {
        buildingId,
        entrance: '1',
        room,
        handoverDate: '2022-06-30',
        finish: 'fitted',
      });
      const o = await factories.createOwner(ds, { name: `业主${room}` });
      await factories.linkOwner(ds, o.id, u.id);
    }
    // The manager names the estate's visiting staff through the API (intake passes it to the scheduler): the plan is made.
    const login = await fetch(`${stack.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ login: manager.login, password: manager.password }),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const res = await fetch(`${stack.baseUrl}/api/v1/visit-plans/${projectId}/staff`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${accessToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ staffIds: [rep.id] }),
    });
    expect(res.status).toBe(200);
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('a rep sees their due visits, records one with a follow-up case, and the completion figure moves', async () => {
    const { page, context } = await stack.loggedIn(rep);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.getByRole('link', { name: '业主拜访' }).click();
    const rows = page.locator('#visit-list tr[data-row]');
    await rows.first().waitFor();
    const due = await rows.count();
    expect(due).toBeGreaterThan(0);
    await expect(rows.first().textContent()).resolves.toContain('例行拜访');
    const completion = page.locator('td[data-completion="estate"]');
    await expect(completion.textContent()).resolves.toBe('0.0%');
    await stack.screenshot(page, 'visits');

    const first = rows.first();
    const unit = (await first.locator('td').nth(2).textContent())!;
    await first.getByRole('button', { name: /登记拜访/ }).click();
    const form = page.locator('#visit-form');
    await form.waitFor();
    // A visit in the future is refused, and the page says so at the field.
    await form.getByLabel('拜访时间').fill(shanghaiLocal(2));
    await form.getByRole('button', { name: '保存记录' }).click();
    await form.locator('.field-error').first().waitFor();
    await expect(form.locator('.field-error').first().textContent()).resolves.toBe('拜访时间不能晚于现在');
    await expect(form.getByLabel('拜访时间').getAttribute('aria-invalid')).resolves.toBe('true');

    await form.getByLabel('拜访时间').fill(shanghaiLocal(0));
    await form.getByLabel('方式').selectOption('home');
    await form.getByLabel('话题（用逗号分隔）').fill('停车，绿化');
    await form.getByLabel('结果').selectOption('issues');
    await form.getByLabel('业主反映的问题（填写后将生成投诉/报修案件）').fill('地库入口积水，业主希望尽快处理');
    await form.getByLabel('问题类别').selectOption('property_management');
    await stack.screenshot(page, 'visits-record');
    await form.getByRole('button', { name: '保存记录' }).click();
    await page.getByText(/并生成案件 E2EV1-\d{4}-\d{5}/).waitFor();
    await expect(page.locator('#visit-list tr[data-row]', { hasText: unit }).count()).resolves.toBe(0);
    const moved = (await completion.textContent())!;
    expect(moved).not.toBe('0.0%');
    expect(moved).toBe(`${((1 / due) * 100).toFixed(1)}%`);
    await stack.screenshot(page, 'visits-recorded');

    const [record] = await stack.db.dataSource.query<Array<{ topics: string[]; method: string; number: string }>>(
      `SELECT r.topics, r.method, c.number FROM visit_records r JOIN cases c ON c.id = r.case_id`,
    );
    expect(record).toMatchObject({ topics: ['停车', '绿化'], method: 'home' });
    expect(errors).toEqual([]);
    await context.close();
  });

  it("a manager names a second rep for the estate in the console and the plan's households are split", async () => {
    const second = await stack.staff('cs_rep', { name: '客服 王芳' });
    const { page, context } = await stack.loggedIn(manager);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto('/console#/visits?state=all&scope=all');
    await page.locator('#visit-plans').waitFor();
    await page.getByText('指定拜访人员').click();
    const form = page.locator('form.visit-staff-form');
    await form.getByLabel('客服 王芳').check();
    await expect(form.getByLabel('客服 陈敏').isChecked()).resolves.toBe(true);
    await form.getByRole('button', { name: '保存并更新计划' }).click();
    await page.getByText(/拜访人员已保存/).waitFor();
    await expect(page.locator('#visit-plans').textContent()).resolves.toContain('客服 陈敏、客服 王芳');
    // Three households: two stay with the first rep (one of them visited), one moves to the second.
    const households = async (name: string) =>
      (await page.locator('#visit-figures tr', { hasText: name }).locator('td').nth(1).textContent())?.trim();
    await expect(households('客服 陈敏')).resolves.toBe('2');
    await expect(households('客服 王芳')).resolves.toBe('1');
    const [moved] = await stack.db.dataSource.query<Array<{ n: number }>>(
      `SELECT count(DISTINCT unit_id)::int AS n FROM owner_visits WHERE staff_id = $1 AND status = 'planned'`,
      [second.id],
    );
    expect(moved!.n).toBe(1);
    await stack.screenshot(page, 'visits-manager');
    // Filtered to the estate: the link keeps it, the figures are the estate's.
    await page.getByLabel('楼盘', { exact: true }).selectOption({ label: '碧海云天' });
    await page.getByRole('button', { name: '查看' }).click();
    await page.waitForURL(new RegExp(`projectId=${projectId}`));
    await page.locator('#visit-figures td[data-completion="estate"]').waitFor();
    // The figures table is drawn again for the estate after the navigation: wait for that drawing, not the last one.
    await page
      .waitForFunction(`document.querySelectorAll('#visit-figures tbody tr').length === 3`, undefined, {
        timeout: 10_000,
      })
      .catch(() => undefined);
    await expect(page.locator('#visit-figures tbody tr').count()).resolves.toBe(3);
    expect(errors).toEqual([]);
    await context.close();
  });
});
