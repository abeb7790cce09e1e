import { startConsoleStack, type ConsoleStack } from './stack';

describe('console shell in a real browser', () => {
  let stack: ConsoleStack;
  beforeAll(async () => {
    stack = await startConsoleStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('logs an operator in, shows the nav for their role, switches to English and logs out', async () => {
    const operator = await stack.staff('operator', { name: '王接线' });
    const { page, context } = await stack.loggedIn(operator);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));

    await page.waitForURL(/#\/hotline$/);
    await expect(page.locator('#who').textContent()).resolves.toContain('王接线 · 话务员');
    const nav = await page.locator('#nav a').allTextContents();
    expect(nav).toContain('热线登记');
    expect(nav).toContain('案件队列');
    expect(nav).not.toContain('经理看板');
    await stack.screenshot(page, 'shell-operator');

    await page.getByRole('button', { name: 'English' }).click();
    await expect(page.locator('#nav a').allTextContents()).resolves.toContain('Hotline');
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('en');
    await page.reload();
    await expect(page.locator('#logout').textContent()).resolves.toBe('Log out');

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(/#\/login/);
    await expect(page.locator('#top').isHidden()).resolves.toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('refuses a wrong password with a message and keeps the login page', async () => {
    const context = await stack.browser.newContext({ baseURL: stack.baseUrl });
    const page = await context.newPage();
    await page.goto('/console#/cases');
    await page.waitForURL(/#\/login\?next=%2Fcases/);
    await stack.screenshot(page, 'login');
    await page.getByLabel('用户名').fill('nobody');
    await page.getByLabel('密码').fill('wrong-password');
    await page.getByRole('button', { name: '登录' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('用户名或密码错误');
    await context.close();
  });

  it('sends a manager who logs in to where the link pointed, and to the dashboard otherwise', async () => {
    const gm = await stack.staff('gm');
    const context = await stack.browser.newContext({ baseURL: stack.baseUrl });
    const page = await context.newPage();
    await page.goto('/console#/reminders');
    await page.getByLabel('用户名').fill(gm.login);
    await page.getByLabel('密码').fill(gm.password);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL(/#\/reminders$/);
    await page.goto('/console#/');
    await page.waitForURL(/#\/dashboard$/);
    await context.close();
  });
});
