import { readFileSync } from 'node:fs';
import { factories, pdfText, readXlsx } from '@kefu/shared/testing';
import { startConsoleStack, type ConsoleStack } from './stack';

describe('filed reports page in a real browser', () => {
  let stack: ConsoleStack;
  beforeAll(async () => {
    stack = await startConsoleStack();
    const project = await factories.createProject(stack.db.dataSource, { code: 'YG', name: '阳光花园' });
    const now = new Date();
    for (const [category, status] of [
      ['engineering_quality', 'closed'],
      ['property_management', 'accepted'],
    ] as const)
      await factories.createCase(stack.db.dataSource, {
        projectId: project.id,
        projectCode: project.code,
        category,
        validity: 'valid',
        status,
        receivedAt: now,
        closedAt: status === 'closed' ? now : null,
      });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it("lets a GM generate this month's 客服月报 and download it as Excel and PDF", async () => {
    const gm = await stack.staff('gm', { name: '总经理 周' });
    const { page, context } = await stack.loggedIn(gm);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.getByRole('link', { name: '报告' }).click();
    await page.waitForURL(/#\/reports$/);
    await page.getByText('还没有报告。').waitFor();

    await page.getByRole('button', { name: '立即生成本月月报' }).click();
    const row = page.locator('[data-report^="monthly:"]');
    await row.waitFor();
    const month = (await row.getAttribute('data-report'))!.slice('monthly:'.length);
    expect(await row.textContent()).toContain('临时（报告期未结束）');
    expect(await page.locator('[data-latest]').textContent()).toBe('最新月报：有效投诉 2，结案率 50.0%，按时答复率 —');
    await stack.screenshot(page, 'reports');

    const [xlsx] = await Promise.all([
      page.waitForEvent('download'),
      row.getByRole('button', { name: /^Excel/ }).click(),
    ]);
    expect(xlsx.suggestedFilename()).toBe(`客服月报-${month}.xlsx`);
    const sheets = await readXlsx(readFileSync(await xlsx.path()));
    expect(sheets[0]!.rows[1]!.slice(0, 2)).toEqual(['有效投诉', '2']);

    const [pdf] = await Promise.all([page.waitForEvent('download'), row.getByRole('button', { name: /^PDF/ }).click()]);
    expect(pdf.suggestedFilename()).toBe(`客服月报-${month}.pdf`);
    const { text } = pdfText(readFileSync(await pdf.path()));
    expect(text).toContain('客服月报');
    expect(text).toContain(`报告期：${Number(month.slice(0, 4))}年${Number(month.slice(5))}月`);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('is not in the nav of an operator, and the API refuses them', async () => {
    const operator = await stack.staff('operator', { name: '王接线' });
    const { page, context } = await stack.loggedIn(operator);
    await page.waitForURL(/#\/hotline$/);
    expect(await page.getByRole('link', { name: '报告', exact: true }).count()).toBe(0);
    await page.goto(`${stack.baseUrl}/console#/reports`);
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('您的角色不能查看这一页');
    await context.close();
  });
});
