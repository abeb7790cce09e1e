import type { Page } from 'playwright-core';
import { expectEventually, factories } from '@kefu/shared/testing';
import { JobRouter } from '@kefu/shared';
import { RETENTION_PURGE_TASK } from '../../apps/scheduler/src/retention/retention-purge.service';
import { startConsoleStack, type ConsoleStack } from './stack';

describe('manager dashboard in a real browser', () => {
  let stack: ConsoleStack;
  let project: { id: string; code: string; name: string };
  beforeAll(async () => {
    stack = await startConsoleStack();
    project = await factories.createProject(stack.db.dataSource, { code: 'YG', name: '阳光花园' });
    const now = new Date();
    // This month so far: one valid complaint closed, one accepted and open (promise passed: overdue).
    await factories.createCase(stack.db.dataSource, {
      projectId: project.id,
      projectCode: project.code,
      category: 'engineering_quality',
      validity: 'valid',
      status: 'closed',
      receivedAt: now,
      closedAt: now,
    });
    await factories.createCase(stack.db.dataSource, {
      projectId: project.id,
      projectCode: project.code,
      category: 'property_management',
      validity: 'valid',
      status: 'accepted',
      receivedAt: now,
      promisedReplyAt: new Date(now.getTime() - 3_600_000),
    });
  });
  afterAll(async () => {
    await stack?.close();
  });

  /** The API as the console's users would call it, with a token from the login endpoint. */
  const apiAs = async (who: { login: string; password: string }) => {
    const login = await fetch(`${stack.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(who),
    });
    expect(login.status).toBe(200);
    const { accessToken } = (await login.json()) as { accessToken: string };
    return async <T = Record<string, unknown>>(path: string, body: unknown, status = 200): Promise<T> => {
      const res = await fetch(`${stack.baseUrl}/api/v1/${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${accessToken}` },
        body: JSON.stringify(body),
      });
      const json = (await res.json()) as T;
      expect([res.status, json]).toEqual([status, expect.anything()]);
      return json;
    };
  };
  const figure = (page: Page, name: string) => page.locator(`[data-figure=${name}]`).textContent();
  const figures = async (page: Page): Promise<Record<string, string | null>> => {
    await page.locator('[data-figure=validComplaints]').waitFor();
    return Object.fromEntries<string | null>(
      await Promise.all(
        [
          'validComplaints',
          'closureRate',
          'onTimeReplyRate',
          'returnVisitRate',
          'satisfactionRate',
          'open',
          'overdue',
        ].map(async (n) => [n, await figure(page, n)] as const),
      ),
    );
  };

  it("shows a GM this month's figures, and they follow a case accepted as valid and then closed", async () => {
    const gm = await stack.staff('gm', { name: '总经理 周' });
    const operator = await stack.staff('operator', { name: '王接线' });
    const { page, context } = await stack.loggedIn(gm);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));

    await page.waitForURL(/#\/dashboard$/);
    expect(await figures(page)).toEqual({
      validComplaints: '2',
      closureRate: '50.0%',
      onTimeReplyRate: '—',
      returnVisitRate: '100.0%',
      satisfactionRate: '—',
      open: '1',
      overdue: '1',
    });
    await expect(page.locator('#nav a[aria-current=page]').textContent()).resolves.toBe('经理看板');
    // Tables by category and estate, the chart with its accessible name, and its figures as a table.
    const openByEstate = page.getByRole('table', { name: '按项目统计的未结与逾期案件' });
    await expect(openByEstate.getByRole('row', { name: /阳光花园/ }).textContent()).resolves.toMatch(
      /阳光花园 \(YG\)\s*1\s*1/,
    );
    await expect(
      page
        .getByRole('table', { name: '按类别统计的未结与逾期案件' })
        .getByRole('row', { name: /物业管理/ })
        .isVisible(),
    ).resolves.toBe(true);
    const chart = page.getByRole('img', { name: /有效投诉数（柱）/ });
    await expect(chart.isVisible()).resolves.toBe(true);
    const bars = chart.locator('rect.chart-bar');
    await expect(Promise.all((await bars.all()).map((b) => b.getAttribute('data-value')))).resolves.toEqual([
      '0',
      '0',
      '0',
      '0',
      '0',
      '2',
    ]);
    const trend = page.getByRole('table', { name: '近 6 个月的数据' });
    await expect(trend.locator('tbody tr').count()).resolves.toBe(6);
    await expect(trend.locator('tbody tr').last().textContent()).resolves.toMatch(/\s2\s*50\.0%/);
    await stack.screenshot(page, 'dashboard');

    // An operator logs a complaint; the GM accepts it as valid: one more valid complaint, one more open case.
    const asOperator = await apiAs(operator);
    const asGm = await apiAs(gm);
    const { case: created } = await asOperator<{ case: { id: string } }>(
      'hotline/calls',
      {
        callerNumber: '13800138000',
        startedAt: new Date().toISOString(),
        durationSeconds: 90,
        summary: '地下车库墙面渗水，要求尽快维修',
        type: 'complaint',
        category: 'engineering_quality',
        projectId: project.id,
      },
      201,
    );
    await asGm(`cases/${created.id}/accept`, {});
    await page.reload();
    await expectEventually(async () =>
      expect(await figures(page)).toMatchObject({ validComplaints: '3', closureRate: '33.3%', open: '2' }),
    );

    // Worked through to the end (reply, result, return visit, close): the closure rate rises, the case is no longer open.
    await asGm(`cases/${created.id}/assign`, { assigneeId: gm.id });
    await asGm(`cases/${created.id}/reply`, { via: 'phone', content: '已安排工程部明日上门查看' });
    await asGm(`cases/${created.id}/result`, { result: '已做防水处理' });
    await asGm(`cases/${created.id}/return-visit`, { satisfied: true, rating: 5 });
    await asGm(`cases/${created.id}/close`, {});
    await page.reload();
    await expectEventually(async () =>
      expect(await figures(page)).toEqual({
        validComplaints: '3',
        closureRate: '66.7%',
        onTimeReplyRate: '100.0%',
        returnVisitRate: '100.0%',
        satisfactionRate: '100.0%',
        open: '1',
        overdue: '1',
      }),
    );

    // Another month through the picker: nothing there, rates shown as "—", not 0 %.
    await page.getByLabel('月份').fill('2025-01');
    await page.getByRole('button', { name: '查看' }).click();
    await page.waitForURL(/#\/dashboard\?month=2025-01$/);
    await expectEventually(async () =>
      expect(await figures(page)).toMatchObject({ validComplaints: '0', closureRate: '—', open: '1' }),
    );
    await expect(page.getByRole('heading', { level: 2, name: '2025年1月客服月报' }).isVisible()).resolves.toBe(true);

    // In English: the same figures, labelled in English, the chart named for screen readers. The page
    // re-renders after the click: wait for each (isVisible() would read the page before it has).
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { level: 2, name: 'Monthly report, Jan 2025' }).waitFor();
    await page.getByRole('heading', { name: 'Valid complaints' }).waitFor();
    await page
      .getByRole('img', { name: /valid complaints \(bars\), closure and on-time reply rates \(lines\)/ })
      .waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('lists the last records-retention purges with what each removed', async () => {
    await stack.db.dataSource.query(
      `INSERT INTO web_ip_usage (ip_hash, hits, updated_at) VALUES ('e2e-old', '{}', now() - interval '40 days')`,
    );
    await stack.scheduler.get(JobRouter).runTask(RETENTION_PURGE_TASK);
    const gm = await stack.staff('gm', { name: '总经理 吴' });
    const { page, context } = await stack.loggedIn(gm);
    await page.waitForURL(/#\/dashboard$/);
    const section = page.locator('[data-section=retention]');
    await section.getByRole('heading', { name: '记录保存：最近的清理' }).waitFor();
    await expect(section.locator('tbody tr').first().textContent()).resolves.toMatch(/done.*web_ip_usage 1/);
    await context.close();
  });

  it("gives an operator no dashboard entry, and shows the API's refusal if they open it anyway", async () => {
    const operator = await stack.staff('operator');
    const { page, context } = await stack.loggedIn(operator);
    await page.waitForURL(/#\/hotline$/);
    await expect(page.locator('#nav a').allTextContents()).resolves.not.toContain('经理看板');
    await page.goto('/console#/dashboard');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    await expect(alert.textContent()).resolves.toContain('您的角色不能查看这一页');
    await expect(page.locator('[data-figure]').count()).resolves.toBe(0);
    await context.close();
  });
});
