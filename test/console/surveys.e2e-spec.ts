import type { Page } from 'playwright-core';
import { addMonths, JobRouter, zonedParts } from '@kefu/shared';
import { factories } from '@kefu/shared/testing';
import { SURVEY_SCAN_TASK } from '../../apps/scheduler/src/surveys/survey-scan.service';
import { startConsoleStack, type ConsoleStack } from './stack';

/**
 * A survey round end to end: the scheduler's scan invites owners who moved in 3 months ago, staff see the round,
 * owners answer on their phones through the link in their SMS (no JavaScript needed), the figures and the
 * dashboard's owner satisfaction follow, and a low score becomes a case.
 */
describe('owner satisfaction surveys in a real browser', () => {
  let stack: ConsoleStack;
  const links: Record<string, string> = {};
  beforeAll(async () => {
    stack = await startConsoleStack();
    const ds = stack.db.dataSource;
    const project = await factories.createProject(ds, { code: 'BHYT', name: '碧海云天' });
    const building = await factories.createBuilding(ds, { projectId: project.id, name: '2栋' });
    // Handed over three months ago today (Beijing time): the 3-month survey is due today.
    const today = zonedParts(new Date(), 'Asia/Shanghai').day;
    for (const [room, name] of [
      ['801', '林女士'],
      ['802', '赵先生'],
    ] as const) {
      const unit = await factories.createUnit(ds, {
        buildingId: building.id,
        entrance: '1',
        room,
        handoverDate: addMonths(today, -3),
      });
      const owner = await factories.createOwner(ds, { name });
      await factories.linkOwner(ds, owner.id, unit.id, { since: addMonths(today, -24) });
    }
    expect(await stack.scheduler.get(JobRouter).runTask(SURVEY_SCAN_TASK)).toMatchObject({ invitations: 2 });
    // The link each owner's SMS carries (the notifier's local outbox shows the same text).
    const rows = await ds.query<Array<{ name: string; url: string }>>(
      `SELECT o.name, n.variables->>'surveyUrl' AS url FROM notifications n JOIN owners o ON o.id = n.owner_id
        WHERE n.kind = 'survey_invitation'`,
    );
    for (const r of rows) links[r.name] = `${stack.baseUrl}${new URL(r.url).pathname}`;
  });
  afterAll(async () => {
    await stack?.close();
  });

  /** An owner on a phone: a small screen, JavaScript off (the page must work without it). */
  async function answer(link: string, choices: Record<string, number>, comments: string, shot: string) {
    const context = await stack.browser.newContext({
      viewport: { width: 390, height: 844 },
      javaScriptEnabled: false,
      locale: 'zh-CN',
    });
    const page = await context.newPage();
    await page.goto(link);
    await page.getByRole('heading', { name: '业主满意度调查' }).waitFor();
    for (const [question, score] of Object.entries(choices))
      await page.locator(`input[name=${question}][value="${score}"]`).check();
    await page.locator('textarea[name=comments]').fill(comments);
    await stack.screenshot(page, `${shot}-form`);
    await page.getByRole('button', { name: '提交问卷' }).click();
    await page.getByRole('heading', { name: '感谢您的参与' }).waitFor();
    await stack.screenshot(page, `${shot}-thanks`);
    // The link works once.
    await page.goto(link);
    await page.getByRole('heading', { name: '已经提交过' }).waitFor();
    await context.close();
  }
  const all = (score: number, key: [number, number, number]) => ({
    overall: key[0],
    buy_again: key[1],
    recommend: key[2],
    house_quality: score,
    design: score,
    sales_service: score,
    handover_service: score,
    repair_service: score,
    property_service: score,
    amenities: score,
  });
  const cell = (page: Page, table: string, row: number, col: number) =>
    page.locator(`#${table} tbody tr`).nth(row).locator('td').nth(col).textContent();

  it('shows staff the round, takes the owners’ answers through the page, and the satisfaction reaches the dashboard', async () => {
    const manager = await stack.staff('dept_manager', { name: '客服经理 何' });
    const { page, context } = await stack.loggedIn(manager);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));

    await page.goto(`${stack.baseUrl}/console#/surveys`);
    await page.locator('#survey-rounds').waitFor();
    expect(await cell(page, 'survey-rounds', 0, 0)).toBe('碧海云天');
    expect(await cell(page, 'survey-rounds', 0, 2)).toBe('2');
    expect(await cell(page, 'survey-rounds', 0, 3)).toBe('0');
    await stack.screenshot(page, 'surveys-round-invited');

    await answer(links['林女士']!, all(5, [5, 5, 4]), '物业服务很好', 'survey-owner-satisfied');
    await answer(links['赵先生']!, all(3, [2, 3, 2]), '地下室渗水一直没修好', 'survey-owner-unhappy');

    await page.reload();
    await page.locator('#survey-answers').waitFor();
    expect(await cell(page, 'survey-rounds', 0, 3)).toBe('2');
    expect(await cell(page, 'survey-rounds', 0, 4)).toContain('100.0%'); // response rate: 2 of 2
    expect(await cell(page, 'survey-rounds', 0, 5)).toBe('50.0%'); // satisfaction: one 5, one 2
    expect(await cell(page, 'survey-rounds', 0, 6)).toBe('50.0%'); // loyalty: 5/5/4 yes, 2/3/2 no
    expect(await page.locator('#survey-figures tfoot').textContent()).toContain('50.0%');
    await stack.screenshot(page, 'surveys-answered');

    // The low score becomes a case, routed like any other; the answer links to it.
    await page.locator('#survey-answers tr.survey-low button[data-open-case]').click();
    await page.waitForURL(/#\/cases\/[0-9a-f-]{36}$/);
    await page.getByText('地下室渗水一直没修好').first().waitFor();
    await stack.screenshot(page, 'surveys-case-from-low-score');
    await page.goto(`${stack.baseUrl}/console#/surveys`);
    await page.locator('#survey-answers tr.survey-low a').waitFor();
    expect(await page.locator('#survey-answers tr.survey-low a').textContent()).toMatch(/^BHYT-\d{4}-\d{5}$/);

    await page.goto(`${stack.baseUrl}/console#/dashboard`);
    await page.locator('[data-figure=ownerSatisfaction]').waitFor();
    expect(await page.locator('[data-figure=ownerSatisfaction]').textContent()).toBe('50.0%');
    await stack.screenshot(page, 'surveys-dashboard');
    expect(errors).toEqual([]);
    await context.close();
  });
});
