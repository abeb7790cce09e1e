import type { DepartmentEntity, ProjectEntity } from '@kefu/shared';
import { factories } from '@kefu/shared/testing';
import type { Page } from 'playwright-core';
import { solve } from '../../apps/intake/src/web-form/testing/fixtures';
import { startConsoleStack, type ConsoleStack } from './stack';

/** Today in Beijing, as the routing's duty day counts it (YYYY-MM-DD). */
const todayInBeijing = () =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' })
    .format(new Date())
    .slice(0, 10);

/** Issue 15: a manager edits responsibilities and the duty roster in the console; the next web complaint follows them. */
describe('routing and duty-roster settings in a real browser', () => {
  let stack: ConsoleStack;
  let estate: ProjectEntity, other: ProjectEntity;
  let eng: DepartmentEntity, pm: DepartmentEntity;
  let manager: { id: string; login: string; password: string; name: string };
  let pmDuty: { id: string; name: string };

  beforeAll(async () => {
    stack = await startConsoleStack();
    const ds = stack.db.dataSource;
    estate = await factories.createProject(ds, { code: 'BHYT01', name: '碧海云天' });
    other = await factories.createProject(ds, { code: 'CHSZ01', name: '翠湖山庄' });
    await factories.createDepartment(ds, { code: 'CS', name: '客户服务部', customerService: true });
    eng = await factories.createDepartment(ds, { code: 'ENG', name: '工程部' });
    pm = await factories.createDepartment(ds, { code: 'PM', name: '物业公司' });
    await stack.staff('dept_manager', { name: '工程部 王经理', departmentId: eng.id });
    await stack.staff('dept_manager', { name: '物业 李经理', departmentId: pm.id });
    pmDuty = await stack.staff('cs_rep', { name: '物业 张值班', departmentId: pm.id });
    manager = await stack.staff('dept_manager', { name: '客服部 周经理' });
    const left = await stack.staff('cs_rep', { name: '工程部 老赵', departmentId: eng.id });
    await ds.query(`INSERT INTO duty_roster (department_id, staff_id, weekday, position) VALUES ($1, $2, 3, 0)`, [
      eng.id,
      left.id,
    ]);
    await ds.query(`UPDATE staff SET active = false WHERE id = $1`, [left.id]);
    // Today's setting: property management in any estate goes to engineering.
    await ds.query(
      `INSERT INTO department_responsibilities (category, project_id, department_id) VALUES ('property_management', NULL, $1)`,
      [eng.id],
    );
  });
  afterAll(async () => {
    await stack?.close();
  });

  /** The department and person a new web complaint about a street lamp in `projectId` was routed to. */
  const webComplaint = async (projectId: string) => {
    const base = stack.baseUrl;
    const { challenge } = (await (await fetch(`${base}/api/v1/web-complaints/challenge`)).json()) as {
      challenge: string;
    };
    const res = await fetch(`${base}/api/v1/web-complaints`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        name: '王先生',
        mobile: '13912345678',
        projectId,
        unitText: '3栋2单元1502',
        type: 'complaint',
        description: '小区路灯坏了，晚上很黑，请尽快修理',
        challenge,
        nonce: solve(challenge, stack.config.WEB_FORM_POW_BITS),
      }),
    });
    expect(res.status).toBe(201);
    const { case: c } = (await res.json()) as { case: { number: string } };
    const [row] = await stack.db.dataSource.query<
      Array<{ id: string; category: string; department_id: string | null; assignee_id: string | null }>
    >(`SELECT id, category, department_id, assignee_id FROM cases WHERE number = $1`, [c.number]);
    return { ...row!, number: c.number };
  };
  const dutyRow = (page: Page, department: string) => page.locator(`.rt-duty tr[data-department="${department}"]`);

  it('a changed responsibility and roster route the next web complaint to the new department and person', async () => {
    // Before: the lamp goes to engineering's manager.
    const before = await webComplaint(estate.id);
    expect(before.category).toBe('property_management');
    expect(before.department_id).toBe(eng.id);

    const { page, context } = await stack.loggedIn(manager);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.getByRole('link', { name: '分派与值班' }).click();
    await page.getByRole('heading', { name: '分派与值班' }).waitFor();
    await expect(dutyRow(page, '物业公司').locator('[data-handler]').innerText()).resolves.toBe(
      '物业 李经理 （无人值班，交部门经理）',
    );
    await expect(page.getByLabel('第 1 条规则的类别').locator('option:checked').innerText()).resolves.toBe('物业管理');
    await expect(page.getByLabel('第 1 条规则的负责部门').locator('option:checked').innerText()).resolves.toBe(
      '工程部',
    );
    await expect(page.getByLabel('客户服务部', { exact: true }).locator('option:checked').innerText()).resolves.toBe(
      '客户服务部',
    );

    // A second rule for the same category and estate: the API's refusal at that row.
    await page.getByRole('button', { name: '添加规则' }).click();
    await expect(page.evaluate<string | undefined>('document.activeElement?.name')).resolves.toBe('rules.1.category');
    await page.getByLabel('第 2 条规则的类别').selectOption({ label: '物业管理' });
    await page.getByLabel('第 2 条规则的负责部门').selectOption({ label: '物业公司' });
    await page.getByRole('button', { name: '保存部门职责' }).click();
    const rowError = page.locator('#rt-rules-rules-1-error');
    await rowError.waitFor();
    await expect(rowError.innerText()).resolves.toBe('同一类别与楼盘只能有一条规则（与第 1 条重复）');
    await expect(page.getByLabel('第 2 条规则的类别').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.evaluate<string | undefined>('document.activeElement?.name')).resolves.toBe('rules.1.category');
    await stack.screenshot(page, 'routing-rule-error');

    // The estate's own rule: 碧海云天's property management goes to the property company.
    await page.getByLabel('第 2 条规则的楼盘').selectOption({ label: '碧海云天' });
    await page.getByRole('button', { name: '保存部门职责' }).click();
    await page.locator('#rt-rules .success', { hasText: '部门职责已保存（2 条规则）。' }).waitFor();
    await expect(page.locator('#rt-rules-rules-1-error').count()).resolves.toBe(0);
    await expect(page.getByLabel('第 2 条规则的楼盘').locator('option:checked').innerText()).resolves.toBe('碧海云天');

    // The property company's roster: Mondays, and today by date.
    await page.getByLabel('部门', { exact: true }).selectOption({ label: '物业公司' });
    await page.getByRole('table', { name: '物业公司值班表' }).waitFor();
    await page.getByText('没有值班安排：新案件交部门经理。').waitFor();
    await page.getByRole('button', { name: '添加值班' }).click();
    await page.getByLabel('第 1 条值班的星期').selectOption({ label: '周一' });
    await page.getByLabel('第 1 条值班的人员').selectOption({ label: '物业 张值班' });
    await page.getByRole('button', { name: '添加值班' }).click();
    await page.getByLabel('第 2 条值班的方式').selectOption({ label: '指定日期' });
    await expect(page.getByLabel('第 2 条值班的星期').isVisible()).resolves.toBe(false);
    await page.getByLabel('第 2 条值班的日期').fill(todayInBeijing());
    await page.getByLabel('第 2 条值班的人员').selectOption({ label: '物业 张值班' });
    await page.getByRole('button', { name: '保存值班表' }).click();
    await page.locator('#rt-roster .success', { hasText: '物业公司值班表已保存（2 条）。' }).waitFor();
    await expect(dutyRow(page, '物业公司').locator('[data-handler]').innerText()).resolves.toBe('物业 张值班 （值班）');
    await expect(page.getByLabel('第 2 条值班的日期').inputValue()).resolves.toBe(todayInBeijing());
    await stack.screenshot(page, 'routing');
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Routing & duty' }).waitFor();
    await expect(dutyRow(page, '物业公司').locator('[data-handler]').innerText()).resolves.toBe(
      '物业 张值班 (on duty)',
    );
    await expect(page.getByLabel('Rule 2: category').locator('option:checked').innerText()).resolves.toBe(
      'Property management',
    );
    await page.getByRole('button', { name: '中文' }).click();
    await page.getByRole('heading', { name: '分派与值班' }).waitFor();

    // Engineering's roster still names someone who has left: shown as such, and refused at that row until replaced.
    await page.getByLabel('部门', { exact: true }).selectOption({ label: '工程部' });
    await page.getByRole('table', { name: '工程部值班表' }).waitFor();
    await expect(page.getByLabel('第 1 条值班的人员').locator('option:checked').innerText()).resolves.toBe(
      '工程部 老赵（已停用）',
    );
    await page.getByRole('button', { name: '保存值班表' }).click();
    const staffError = page.locator('#rt-roster-entries-0-staffId-error');
    await staffError.waitFor();
    await expect(staffError.innerText()).resolves.toBe('请选择在职员工');
    await expect(page.getByLabel('第 1 条值班的人员').getAttribute('aria-invalid')).resolves.toBe('true');
    await page.getByLabel('第 1 条值班的人员').selectOption({ label: '工程部 王经理' });
    await page.getByRole('button', { name: '保存值班表' }).click();
    await page.locator('#rt-roster .success', { hasText: '工程部值班表已保存（1 条）。' }).waitFor();

    // What the API now holds.
    const roster = await stack.db.dataSource.query<Array<{ staff_id: string; weekday: number | null; day: string }>>(
      `SELECT staff_id, weekday, to_char(day, 'YYYY-MM-DD') AS day FROM duty_roster WHERE department_id = $1 ORDER BY weekday NULLS LAST`,
      [pm.id],
    );
    expect(roster).toEqual([
      { staff_id: pmDuty.id, weekday: 1, day: null },
      { staff_id: pmDuty.id, weekday: null, day: todayInBeijing() },
    ]);

    // The next lamp in 碧海云天 goes to the property company's duty person; in another estate, still engineering.
    const after = await webComplaint(estate.id);
    expect({ department: after.department_id, assignee: after.assignee_id }).toEqual({
      department: pm.id,
      assignee: pmDuty.id,
    });
    expect((await webComplaint(other.id)).department_id).toBe(eng.id);

    await page.goto(`/console#/cases/${after.id}`);
    await page.getByRole('heading', { name: `案件 ${after.number}` }).waitFor();
    await expect(page.locator('[data-fact="assignee"]').innerText()).resolves.toBe('物业公司 · 物业 张值班');
    const routed = await page.locator('.case-tl-event', { hasText: '自动分派' }).innerText();
    expect(routed).toContain('职责规则（本楼盘）');
    expect(routed).toContain(`${todayInBeijing()} 值班表`);
    await stack.screenshot(page, 'routing-case');
    expect(errors).toEqual([]);
    await context.close();

    // A rep has no such page in the nav.
    const rep = await stack.staff('cs_rep');
    const r = await stack.loggedIn(rep);
    await r.page.getByRole('link', { name: '案件队列' }).waitFor();
    await expect(r.page.getByRole('link', { name: '分派与值班' }).count()).resolves.toBe(0);
    await r.context.close();
  });
});
