import { factories } from '@kefu/shared/testing';
import { startConsoleStack, type ConsoleStack } from './stack';

/** A real 4×3 PNG. */
const png = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAQAAAADCAIAAAA7ljmRAAAAEElEQVR4nGM4EaABRww4OQAsNg8BoqhHXQAAAABJRU5ErkJggg==',
  'base64',
);

/** Beijing wall clock for a datetime-local input, `hours` from now. */
const localIn = (hours: number) => new Date(Date.now() + (8 + hours) * 3600_000).toISOString().slice(0, 16);

/**
 * Issue 15: the records that finish a deadline without changing the case's status — the department's handling
 * plan (004 篇2 §4.D), the survey time agreed with the owner and the site survey (003 §11.2.2) — each a dialog on
 * the case page, on the timeline afterwards.
 */
describe('case records in a real browser: handling plan, survey time, site survey', () => {
  let stack: ConsoleStack;
  beforeAll(async () => {
    stack = await startConsoleStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('records a repair’s agreed survey time, its survey and the department’s plan from their dialogs', async () => {
    const rep = await stack.staff('cs_rep', { name: '客服 周洁' });
    const c = await factories.createCase(stack.db.dataSource, {
      type: 'repair',
      status: 'accepted',
      description: '厨房下水道堵塞，报修',
      receivedAt: new Date(Date.now() - 3600_000),
    });
    const { page, context } = await stack.loggedIn(rep);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`/console#/cases/${c.id}`);
    await page.getByRole('heading', { name: `案件 ${c.number}` }).waitFor();
    const buttons = page.locator('.case-transitions');
    const dialog = page.getByRole('dialog');
    const event = (kind: string) => page.locator('.case-tl-event', { hasText: kind });

    await buttons.getByRole('button', { name: '约定查勘时间' }).click();
    await dialog.getByLabel('与业主约定的查勘时间').fill(localIn(26));
    await dialog.getByLabel('备注').fill('业主明天下午在家');
    await dialog.getByRole('button', { name: '约定查勘时间' }).click();
    await event('约定查勘时间').filter({ hasText: '业主明天下午在家' }).waitFor();

    await buttons.getByRole('button', { name: '登记现场查勘' }).click();
    await dialog.getByLabel('查勘情况').fill('主管道有油污堵塞');
    await dialog.getByRole('button', { name: '登记现场查勘' }).click();
    await event('现场查勘').filter({ hasText: '主管道有油污堵塞' }).waitFor();

    await buttons.getByRole('button', { name: '填写处理方案' }).click();
    await dialog.getByRole('button', { name: '填写处理方案' }).click(); // empty: the browser's check stops it
    await expect(dialog.isVisible()).resolves.toBe(true);
    await dialog.getByLabel('原因分析').fill('住户倾倒油脂');
    await dialog.getByLabel('处理方案', { exact: true }).fill('疏通主管道，张贴告示');
    await dialog.getByRole('button', { name: '填写处理方案' }).click();
    const plan = event('处理方案').filter({ hasText: '疏通主管道' });
    await plan.waitFor();
    await expect(plan.innerText()).resolves.toContain('客服 周洁');
    await stack.screenshot(page, 'case-records');

    const events = await stack.db.dataSource.query<Array<{ kind: string; details: Record<string, string> }>>(
      `SELECT kind, details FROM case_events WHERE case_id = $1 AND kind <> 'created' ORDER BY id`,
      [c.id],
    );
    expect(events.map((e) => e.kind)).toEqual(['survey_appointment', 'site_survey', 'handling_plan']);
    expect(events[0]!.details.agreedAt).toMatch(/Z$/);
    // Each asks the scheduler to plan the case again.
    const [row] = await stack.db.dataSource.query(
      `SELECT count(*)::int AS n FROM outbox WHERE job_name = 'case-changed' AND payload->>'caseId' = $1`,
      [c.id],
    );
    expect(row.n).toBe(3);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a department logs a complaint it received itself (003 §9.2.4): handed over, or handled and filed', async () => {
    const eng = await factories.createDepartment(stack.db.dataSource, { code: 'ENG2', name: '工程二部' });
    const head = await stack.staff('dept_manager', { name: '工程二部 赵经理', departmentId: eng.id });
    const { page, context } = await stack.loggedIn(head);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto('/console#/handover');
    await page.getByRole('heading', { name: '部门受理登记' }).waitFor();
    const form = page.locator('#ho-form');
    await form.getByLabel('客户投诉时间').fill(localIn(-20));
    await form.getByLabel('客户姓名').fill('孙先生');
    await form.getByLabel('联系电话').fill('13700001111');
    await form.getByLabel('投诉内容').fill('来工程部投诉售楼处承诺的车位没有兑现');
    await form.getByLabel('类别').selectOption({ label: '销售管理' });
    await stack.screenshot(page, 'handover-form');
    await form.getByRole('button', { name: '登记并移交' }).click();
    await page.getByRole('heading', { name: /^案件 / }).waitFor();
    const handed = page.locator('.case-tl-event', { hasText: '部门受理移交' });
    await expect(handed.innerText()).resolves.toContain('否（移交客户服务部）');

    // Its own, handled: a completion time before the complaint is refused at that field; then filed and resolved.
    await page.goto('/console#/handover');
    await form.getByLabel('客户投诉时间').fill(localIn(-5));
    await form.getByLabel('投诉内容').fill('维修工人未清理施工垃圾');
    await form.getByLabel('属于本部门责任', { exact: true }).check();
    await form.getByLabel('本部门已处理完毕').check();
    await form.getByLabel('处理完成时间').fill(localIn(-6));
    await form.getByLabel('处理结果').fill('已清理并向业主致歉');
    await form.getByRole('button', { name: '登记并移交' }).click();
    await form.locator('#ho-handled-at-error').waitFor();
    await expect(page.evaluate<string | undefined>('document.activeElement?.id')).resolves.toBe('ho-handledAt');
    await form.getByLabel('处理完成时间').fill(localIn(-1));
    await form.getByRole('button', { name: '登记并移交' }).click();
    await page.locator('[data-fact="status"]', { hasText: '已处理' }).waitFor();
    await expect(page.locator('.case-tl-event', { hasText: '部门受理移交' }).innerText()).resolves.toContain(
      '是（本部门处理）',
    );
    expect(errors).toEqual([]);
    await context.close();
  });

  it('uploads evidence and the owner’s signed evaluation from the case page (003 SM03-07)', async () => {
    const rep = await stack.staff('cs_rep', { name: '客服 钱敏' });
    const c = await factories.createCase(stack.db.dataSource, { type: 'complaint', description: '楼道灯不亮' });
    const { page, context } = await stack.loggedIn(rep);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`/console#/cases/${c.id}`);
    await page.getByRole('heading', { name: `案件 ${c.number}` }).waitFor();
    const dialog = page.getByRole('dialog');
    const records = page.locator('.case-records');

    await records.getByRole('button', { name: '添加证据' }).click();
    await dialog.getByLabel('说明').fill('现场照片：灯具损坏');
    await dialog.getByLabel('文件').setInputFiles({ name: '现场.png', mimeType: 'image/png', buffer: png });
    await dialog.getByRole('button', { name: '添加证据' }).click();
    await page.locator('.case-tl-event', { hasText: '现场照片：灯具损坏' }).waitFor();

    // A file that is not what it claims: the API names the field in the dialog.
    await records.getByRole('button', { name: '上传客户签字表单' }).click();
    await dialog.getByLabel('表单', { exact: true }).selectOption({ label: '客户评价签字' });
    await dialog.getByLabel('满意', { exact: true }).check();
    await dialog.getByLabel('签字表单照片').setInputFiles({
      name: 'form.png',
      mimeType: 'image/png',
      buffer: Buffer.from('<html>not an image</html>'),
    });
    await dialog.getByRole('button', { name: '上传客户签字表单' }).click();
    await dialog.getByRole('alert').waitFor();
    await dialog.getByLabel('签字表单照片').setInputFiles({ name: 'form.png', mimeType: 'image/png', buffer: png });
    await dialog.getByRole('button', { name: '上传客户签字表单' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await stack.screenshot(page, 'case-evidence-dialogs');

    const rows = await stack.db.dataSource.query<Array<{ kind: string; details: Record<string, unknown> }>>(
      `SELECT kind, details FROM case_events WHERE case_id = $1 AND kind IN ('evidence_added', 'signed_form') ORDER BY id`,
      [c.id],
    );
    expect(rows.map((r) => r.kind)).toEqual(['evidence_added', 'signed_form']);
    expect(rows[1]!.details).toMatchObject({ formKind: 'evaluation', satisfied: true });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('hands a complaint several departments must resolve together to the GM (002 §7.3.5), after a confirmation', async () => {
    const rep = await stack.staff('cs_rep', { name: '客服 孙悦' });
    for (const [code, name] of [
      ['PM3', '物业三部'],
      ['SAL3', '销售三部'],
    ])
      await factories.createDepartment(stack.db.dataSource, { code, name });
    const c = await factories.createCase(stack.db.dataSource, {
      type: 'complaint',
      status: 'accepted',
      description: '车位被占且物业不处理，销售承诺的车位也没兑现',
    });
    const { page, context } = await stack.loggedIn(rep);
    await page.goto(`/console#/cases/${c.id}`);
    await page.getByRole('heading', { name: `案件 ${c.number}` }).waitFor();
    const dialog = page.getByRole('dialog');
    await page.locator('.case-transitions').getByRole('button', { name: '多部门协调' }).click();
    await dialog.getByLabel('物业三部').check();
    await dialog.getByRole('button', { name: '下一步' }).click();
    await dialog.getByRole('button', { name: '确定多部门协调' }).click();
    await dialog.getByRole('alert').filter({ hasText: '两个部门' }).waitFor(); // one is not several
    await dialog.getByLabel('销售三部').check();
    await dialog.getByRole('button', { name: '下一步' }).click();
    await dialog.getByRole('button', { name: '确定多部门协调' }).click();
    await page.locator('[data-fact="escalation"]', { hasText: '总经理' }).waitFor();
    const event = page.locator('.case-tl-event', { hasText: '需物业三部、销售三部协调处理' });
    await event.waitFor();
    await stack.screenshot(page, 'case-coordinate');
    await context.close();
  });
});
