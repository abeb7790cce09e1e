import { startConsoleStack, type ConsoleStack } from './stack';

/**
 * Issue 16 (8): an admin manages staff accounts in the console (#/staff): deactivates someone (whose open console
 * is signed out at its next call), changes a role, resets a password and sees the generated one once; the last admin
 * is protected; anyone changes their own password from the header.
 */
describe('staff accounts page in a real browser', () => {
  let stack: ConsoleStack;

  beforeAll(async () => {
    stack = await startConsoleStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  const apiLogin = (login: string, password: string) =>
    fetch(`${stack.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login, password }),
    }).then((r) => r.status);

  it('an admin deactivates a rep, changes a role and resets a password; the last admin cannot step down', async () => {
    const admin = await stack.staff('admin', { login: 'boss', name: '系统管理员' });
    const rep = await stack.staff('cs_rep', { login: 'rep-li', name: '李客服' });
    const op = await stack.staff('operator', { login: 'op-wang', name: '王接线' });

    // The rep has the console open; a rep's nav has no 员工账号.
    const repSession = await stack.loggedIn(rep);
    await expect(repSession.page.getByRole('link', { name: '员工账号' }).count()).resolves.toBe(0);

    const { page, context } = await stack.loggedIn(admin);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.getByRole('link', { name: '员工账号' }).click();
    await page.getByRole('heading', { name: '员工账号' }).waitFor();
    const row = (login: string) => page.locator('#st-rows tr', { has: page.locator('th', { hasText: login }) });
    await expect(row('rep-li').locator('td').nth(2).innerText()).resolves.toBe('在职');
    await expect(row('rep-li').locator('td').nth(3).innerText()).resolves.toMatch(/^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}$/);
    await expect(row('op-wang').locator('td').nth(3).innerText()).resolves.toBe('—'); // never logged in

    // Deactivate the rep: asked once, then done; the rep's open console is signed out at its next call.
    await page.getByRole('button', { name: '停用 rep-li' }).click();
    await expect(page.locator('#st-dialog-text').innerText()).resolves.toContain('停用 李客服（rep-li）？');
    await page.locator('dialog').getByRole('button', { name: '停用' }).click();
    await page.locator('.st-result .success', { hasText: '已停用 rep-li。' }).waitFor();
    await expect(row('rep-li').locator('td').nth(2).innerText()).resolves.toBe('已停用');
    await expect(page.getByRole('button', { name: '启用 rep-li' }).isVisible()).resolves.toBe(true);
    await stack.screenshot(page, 'staff-deactivated');
    const [stored] = await stack.db.dataSource.query(`SELECT active FROM staff WHERE id = $1`, [rep.id]);
    expect(stored.active).toBe(false);
    await repSession.page.reload(); // the case list asks the API again
    await repSession.page.getByRole('button', { name: '登录' }).waitFor();
    await expect(apiLogin('rep-li', rep.password)).resolves.toBe(401);
    await repSession.context.close();

    // Change the operator's role.
    await page.getByLabel('op-wang 的角色', { exact: true }).selectOption({ label: '客服专员' });
    await page.getByRole('button', { name: '更改 op-wang 的角色' }).click();
    await page.locator('dialog').getByRole('button', { name: '更改角色' }).click();
    await page.locator('.st-result .success', { hasText: 'op-wang 的角色已改为「客服专员」。' }).waitFor();
    const [changed] = await stack.db.dataSource.query(`SELECT role, token_version FROM staff WHERE id = $1`, [op.id]);
    expect(changed).toEqual({ role: 'cs_rep', token_version: 1 });

    // Reset the operator's password: the generated one is shown once, and works.
    await page.getByRole('button', { name: '重置 op-wang 的密码' }).click();
    await page.locator('dialog').getByRole('button', { name: '生成新密码' }).click();
    const shown = page.locator('#st-generated');
    await shown.waitFor();
    const generated = await shown.innerText();
    expect(generated).toMatch(/^[A-Za-z0-9]{16}$/);
    await stack.screenshot(page, 'staff-password-reset');
    await page.getByRole('button', { name: '关闭' }).click();
    await page.locator('.st-result .success', { hasText: '已为 op-wang 生成新密码。' }).waitFor();
    await expect(page.locator('#st-generated').count()).resolves.toBe(0);
    await expect(page.content()).resolves.not.toContain(generated);
    await expect(apiLogin('op-wang', op.password)).resolves.toBe(401);
    await expect(apiLogin('op-wang', generated)).resolves.toBe(200);

    // The only admin cannot deactivate themselves: the refusal is shown in the dialog.
    await page.getByRole('button', { name: '停用 boss' }).click();
    await page.locator('dialog').getByRole('button', { name: '停用' }).click();
    await expect(page.locator('dialog .alert').innerText()).resolves.toBe(
      'boss 是最后一位在职的管理员：请先把另一位员工设为管理员。',
    );
    await stack.screenshot(page, 'staff-last-admin');
    await page.locator('dialog').getByRole('button', { name: '取消' }).click();

    // Reactivate the rep; in English the page reads as well.
    await page.getByRole('button', { name: '启用 rep-li' }).click();
    await page.locator('.st-result .success', { hasText: '已启用 rep-li。' }).waitFor();
    await expect(apiLogin('rep-li', rep.password)).resolves.toBe(200);
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Staff accounts' }).waitFor();
    await expect(page.getByRole('button', { name: 'Deactivate rep-li' }).isVisible()).resolves.toBe(true);
    await stack.screenshot(page, 'staff-en');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('anyone changes their own password from the header; a wrong current password is said so', async () => {
    const rep = await stack.staff('cs_rep', { login: 'rep-zhao', name: '赵客服' });
    const { page, context } = await stack.loggedIn(rep);
    await page.getByRole('button', { name: '修改密码' }).click();
    const dialog = page.locator('#pw-dialog');
    await dialog.getByLabel('当前密码').fill('not-my-password');
    await dialog.getByLabel('新密码（至少 10 个字符）').fill('my-new-password-1');
    await dialog.getByLabel('再次输入新密码').fill('my-new-password-2');
    await dialog.getByRole('button', { name: '修改密码' }).click();
    await expect(dialog.locator('.alert').innerText()).resolves.toBe('两次输入的新密码不一致');
    await dialog.getByLabel('再次输入新密码').fill('my-new-password-1');
    await dialog.getByRole('button', { name: '修改密码' }).click();
    await dialog.locator('.alert', { hasText: '当前密码不正确' }).waitFor();
    await stack.screenshot(page, 'staff-own-password-wrong');
    await dialog.getByLabel('当前密码').fill(rep.password);
    await dialog.getByRole('button', { name: '修改密码' }).click();
    await page.locator('#flash', { hasText: '密码已修改。' }).waitFor();
    await expect(dialog.isVisible()).resolves.toBe(false);
    // This session goes on with its new token.
    await page.getByRole('link', { name: '案件' }).first().click();
    await page.locator('#top').waitFor({ state: 'visible' });
    await expect(page.getByRole('button', { name: '登录' }).count()).resolves.toBe(0);
    await expect(apiLogin('rep-zhao', rep.password)).resolves.toBe(401);
    await expect(apiLogin('rep-zhao', 'my-new-password-1')).resolves.toBe(200);
    await context.close();
  });
});
