import { factories } from '@kefu/shared/testing';
import { startConsoleStack, type ConsoleStack } from './stack';

/** This month in Beijing (YYYY-MM) and a day of it, as the recurring-problems page opens on it. */
const thisMonth = () =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).format(new Date());

/** Issue 18: the case library (案例库) and recurring problems (重复问题) in a real browser. */
describe('case library and recurring problems in a real browser', () => {
  let stack: ConsoleStack;
  let manager: { id: string; login: string; password: string; name: string };
  let leakCaseId: string;
  let unitId: string;

  beforeAll(async () => {
    stack = await startConsoleStack();
    const ds = stack.db.dataSource;
    const estate = await factories.createProject(ds, { code: 'BHYT01', name: '碧海云天' });
    const eng = await factories.createDepartment(ds, { code: 'ENG', name: '工程部' });
    await stack.staff('cs_rep', { name: '工程部 王工', departmentId: eng.id });
    manager = await stack.staff('dept_manager', { name: '客服部 周经理' });
    const building = await factories.createBuilding(ds, { projectId: estate.id, name: '3栋' });
    const unit = await factories.createUnit(ds, { buildingId: building.id, entrance: '2', room: '1201' });
    unitId = unit.id;
    // Three leaks on one unit: two and one month ago and now (three months: a recurring problem this month).
    const now = Date.now();
    for (const [i, daysAgo] of [62, 31, 0].entries()) {
      const c = await factories.createCase(ds, {
        projectId: estate.id,
        projectCode: 'BHYT01',
        unitId: unit.id,
        validity: 'valid',
        category: 'engineering_quality',
        receivedAt: new Date(now - daysAgo * 86_400_000 - 60_000),
        description: ['卫生间渗水，楼下天花板潮湿', '卫生间又渗水了', '卫生间渗水第三次，要求彻底解决'][i]!,
      });
      leakCaseId = c.id;
    }
    await factories.createCase(ds, { projectId: estate.id, description: '电梯经常停运' });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('searches case texts in Chinese, writes a case up as typical, shares it with a department and exports it', async () => {
    const { page, context } = await stack.loggedIn(manager);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.getByRole('link', { name: '案例库' }).click();
    await page.getByRole('heading', { name: '案例库' }).waitFor();
    await page.getByLabel('搜索词（案例写作与全部案件文字）').fill('卫生间渗水');
    await page.getByRole('button', { name: '搜索' }).click();
    await page.locator('#cl-words', { hasText: '分词：卫生间 / 渗水，共 3 件' }).waitFor();
    await expect(page.locator('#cl-hits tbody tr').count()).resolves.toBe(3);
    await stack.screenshot(page, 'case-library-search');

    // From the case page: 写成典型案例.
    await page.goto(`/console#/cases/${leakCaseId}`);
    await page.getByRole('link', { name: '写成典型案例' }).click();
    await page.getByLabel('标题').fill('卫生间渗水反复维修');
    await page.getByLabel('问题').fill('同一户卫生间三个月内渗水三次');
    await page.getByLabel('原因').fill('防水层施工时被破坏');
    await page.getByLabel('处理').fill('重做防水层并闭水试验48小时');
    await page.getByRole('button', { name: '保存' }).click();
    await page.locator('#cl-write-error').getByText('经验教训').first().waitFor();
    await page.getByLabel('经验教训').fill('维修后必须做闭水试验再交付');
    await page.getByLabel('标签（以逗号或空格分隔）').fill('渗水，防水');
    await page.getByRole('button', { name: '保存' }).click();
    await page.getByRole('heading', { name: '卫生间渗水反复维修' }).waitFor();

    await page.getByLabel('工程部').check();
    await page.getByRole('button', { name: '分享并通知' }).click();
    await page.getByText('已分享：工程部').waitFor();
    await stack.screenshot(page, 'case-library-writeup');
    const sent = await stack.db.dataSource.query<Array<{ kind: string }>>(
      `SELECT kind FROM notifications WHERE kind = 'case_writeup_shared'`,
    );
    expect(sent).toHaveLength(1);

    // Typical only: the write-up, badge and title; the export downloads a workbook.
    await page.getByRole('link', { name: '返回案例库' }).click();
    await page.getByLabel('搜索词（案例写作与全部案件文字）').fill('闭水试验');
    await page.getByLabel('只看典型案例').check();
    await page.getByRole('button', { name: '搜索' }).click();
    await page.locator('#cl-hits', { hasText: '卫生间渗水反复维修' }).waitFor();
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: '导出 Excel' }).click();
    expect((await download).suggestedFilename()).toMatch(/^case-library-\d{4}-\d{2}-\d{2}\.xlsx$/);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('lists the recurring problem of the month and takes a corrective action that is followed up', async () => {
    const { page, context } = await stack.loggedIn(manager);
    await page.getByRole('link', { name: '重复问题' }).click();
    const row = page.locator(`#rp-table tr[data-key="unit:${unitId}"]`);
    await row.waitFor();
    await expect(row.innerText()).resolves.toContain('碧海云天3栋2单元1201');
    await expect(row.locator('td').nth(2).innerText()).resolves.toBe('3（1）');
    await expect(page.locator('#rp-summary').innerText()).resolves.toContain(thisMonth());
    await row.getByRole('button', { name: '制定整改' }).click();
    await page.getByLabel('整改措施').fill('全面排查3栋卫生间防水');
    await page.getByLabel('责任部门').selectOption({ label: '工程部' });
    await page.getByLabel('完成期限').fill('2099-01-31');
    await page.getByRole('button', { name: '保存整改措施' }).click();
    await row.getByText('待整改').waitFor();
    await stack.screenshot(page, 'recurring-problems');
    await page.getByLabel('碧海云天3栋2单元1201 的状态').selectOption({ label: '整改中' });
    await page.locator('#rp-actions', { hasText: '整改中' }).waitFor();
    await context.close();
  });
});
