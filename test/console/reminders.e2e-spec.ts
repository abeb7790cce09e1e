import { factories } from '@kefu/shared/testing';
import { ReminderService } from '../../apps/scheduler/src/reminders/reminder.service';
import { startConsoleStack, type ConsoleStack } from './stack';

/** YYYY-MM-DD in Beijing time, n days from now. */
const shanghaiDay = (n = 0) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(Date.now() + n * 86_400_000));

describe('scheduler pages in a real browser: reminders, certificate batches, warranty notices', () => {
  let stack: ConsoleStack;
  let rep: { id: string; login: string; password: string; name: string };
  beforeAll(async () => {
    stack = await startConsoleStack();
    rep = await stack.staff('cs_rep', { name: '客服 陈敏' });
  });
  afterAll(async () => {
    await stack?.close();
  });

  /** A JSON call through intake's pass-through, as the given staff member. */
  const apiAs = async (who: { login: string; password: string }, path: string, body?: unknown) => {
    const login = await fetch(`${stack.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ login: who.login, password: who.password }),
    });
    const { accessToken: token } = (await login.json()) as { accessToken: string };
    const res = await fetch(`${stack.baseUrl}/api/v1/${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(res.status).toBeLessThan(300);
    return res.json() as Promise<Record<string, unknown>>;
  };

  it('a staff member sees an overdue reminder and acknowledges it with one click', async () => {
    const ds = stack.db.dataSource;
    // A case assigned to the rep three weeks ago: every short deadline has passed; the scan plans and sends (late).
    const c = await factories.createCase(ds, {
      type: 'complaint',
      severity: 'minor',
      status: 'assigned',
      assigneeId: rep.id,
      receivedAt: new Date(Date.now() - 21 * 86_400_000),
    });
    const sent = async () =>
      (
        await ds.query<unknown[]>(
          `SELECT 1 FROM reminders WHERE case_id = $1 AND recipient_staff_id = $2 AND sent_at IS NOT NULL`,
          [c.id, rep.id],
        )
      ).length;
    // The scheduler's own minute tick may hold the rows (SKIP LOCKED) while ours runs: scan again, a bounded number of times.
    for (let i = 0; i < 10 && (await sent()) === 0; i++) await stack.scheduler.get(ReminderService).scan();
    expect(await sent()).toBeGreaterThan(0);

    const { page, context } = await stack.loggedIn(rep);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto('/console#/reminders?state=overdue');
    const rows = page.locator('tr[data-row]', { hasText: c.number });
    await rows.first().waitFor();
    const heading = page.getByRole('heading', { level: 1 });
    const before = await page.locator('tr[data-row]').count();
    await expect(heading.textContent()).resolves.toContain(`已逾期 ${before} 条`);
    expect(await page.locator('tr[data-row]', { hasText: c.number }).first().locator('.due-overdue').count()).toBe(1);
    // The most overdue first.
    const dues = await Promise.all(
      (await page.locator('tr[data-row]').all()).map(async (tr) =>
        Date.parse((await tr.getAttribute('data-due')) ?? ''),
      ),
    );
    expect(dues.length).toBeGreaterThan(1);
    expect(dues).toEqual([...dues].sort((a, b) => a - b));
    await stack.screenshot(page, 'reminders');

    const row = rows.first();
    const id = (await row.getAttribute('data-row'))!;
    await row.getByRole('button', { name: /确认提醒/ }).click();
    await row.getByText(/已确认 \d{4}/).waitFor();
    await expect(row.getByRole('button').count()).resolves.toBe(0);
    await expect(page.locator('#flash').textContent()).resolves.toContain(c.number);
    await expect(heading.textContent()).resolves.toContain(`已逾期 ${before - 1} 条`);
    // Focus went on to the next waiting row, or stayed in this row.
    await expect(page.locator('tr[data-row]:focus-within').count()).resolves.toBe(1);
    const [stored] = await stack.db.dataSource.query<Array<{ acknowledgedAt: Date | null; by: string | null }>>(
      `SELECT acknowledged_at AS "acknowledgedAt", acknowledged_by_id AS by FROM reminders WHERE id = $1`,
      [id],
    );
    expect(stored!.acknowledgedAt).toBeInstanceOf(Date);
    expect(stored!.by).toBe(rep.id);

    // Acknowledged meanwhile elsewhere (the link in the SMS, another tab): the click gets the API's 409 message.
    const other = page
      .locator('tr[data-row]')
      .filter({ has: page.getByRole('button', { name: /确认提醒/ }) })
      .first();
    const otherId = (await other.getAttribute('data-row'))!;
    await apiAs(rep, `reminders/${otherId}/ack`, {});
    await other.getByRole('button', { name: /确认提醒/ }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Already acknowledged');
    await expect(page.locator('tr[data-row]:focus-within').getAttribute('data-row')).resolves.toBe(otherId);

    // Both are now under "acknowledged".
    await page.goto('/console#/reminders?state=acknowledged');
    await page
      .locator(`tr[data-row="${id}"]`)
      .getByText(/已确认/)
      .waitFor();
    await page
      .locator(`tr[data-row="${otherId}"]`)
      .getByText(/已确认/)
      .waitFor();
    expect(errors).toEqual([]);

    // The GM (in English) sees the rep's reminders under "My team" (a scope a rep is not offered).
    await expect(page.getByRole('link', { name: '我的团队' }).count()).resolves.toBe(0);
    const gm = await stack.staff('gm', { name: '总经理' });
    const asGm = await stack.loggedIn(gm, { lang: 'en' });
    await asGm.page.goto('/console#/reminders?state=all');
    await asGm.page.getByRole('link', { name: 'My team' }).click();
    await asGm.page.waitForURL(/scope=team/);
    const teamRow = asGm.page.locator(`tr[data-row="${id}"]`);
    await teamRow.waitFor();
    await expect(teamRow.textContent()).resolves.toContain(rep.name);
    await expect(teamRow.textContent()).resolves.toContain('Acknowledged');
    await asGm.context.close();
    await context.close();
  });

  it("shows a certificate batch's progress and records a collection sign-off through the form", async () => {
    const ds = stack.db.dataSource;
    const projectId = (await factories.createProject(ds, { code: 'BHYT01', name: '碧海云天' })).id;
    const building = await factories.createBuilding(ds, { projectId, name: '3栋' });
    const unitIds: string[] = [];
    for (const room of ['1501', '1502']) {
      const unit = await factories.createUnit(ds, { buildingId: building.id, entrance: '2', room });
      const owner = await factories.createOwner(ds, { name: `业主${room}` });
      await factories.linkOwner(ds, owner.id, unit.id);
      unitIds.push(unit.id);
    }
    const finance = await stack.staff('dept_manager', { name: '财务 刘会计' });
    const batch = await apiAs(finance, 'certificate-batches', {
      projectId,
      unitIds,
      place: '售楼处二楼财务室',
      hours: '工作日 9:00-17:00',
      documents: ['身份证原件', '购房合同'],
      fromDate: shanghaiDay(-5),
      deadline: shanghaiDay(60),
      reference: '2026-BZ-03',
    });

    const { page, context } = await stack.loggedIn(rep);
    await page.goto('/console#/certificates');
    const listRow = page.locator(`tr[data-batch="${String(batch.id)}"]`);
    await listRow.waitFor();
    await expect(listRow.locator('[data-figure=units]').textContent()).resolves.toBe('2');
    await expect(listRow.locator('[data-figure=notified]').textContent()).resolves.toBe('2');
    await expect(listRow.locator('[data-figure=collected]').textContent()).resolves.toBe('0');
    await expect(listRow.locator('[data-figure=outstanding]').textContent()).resolves.toBe('2');
    await stack.screenshot(page, 'certificates');

    await listRow.getByRole('link', { name: /碧海云天/ }).click();
    await page.getByRole('heading', { name: '登记领取签收' }).waitFor();
    await page.getByLabel('房号').selectOption({ label: '3栋2单元1501' });
    await page.getByLabel('领取人姓名').fill('王太太');
    await page.getByLabel('与业主关系').selectOption({ label: '配偶' });
    await page.getByLabel('证件类型').selectOption({ label: '居民身份证' });
    await page.getByLabel('证件号码').fill('110105194912310021'); // wrong check digit
    await page.getByRole('button', { name: '登记签收' }).click();
    await page.locator('#fielderr-idNumber').waitFor();
    await expect(page.getByLabel('证件号码').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.locator(':focus').getAttribute('id')).resolves.toBe('co-id');

    await page.getByLabel('证件号码').fill('11010519491231002X');
    await page.getByRole('button', { name: '登记签收' }).click();
    await page.locator('.success', { hasText: '1101**********002X' }).waitFor();
    await expect(page.locator('.figure[data-figure=collected]').textContent()).resolves.toBe('1');
    await expect(page.locator('.figure[data-figure=outstanding]').textContent()).resolves.toBe('1');
    await expect(page.locator('tr', { hasText: '3栋2单元1501' }).textContent()).resolves.toContain('王太太');
    // Only the uncollected unit is left to sign for.
    await expect(page.getByLabel('房号').locator('option').allTextContents()).resolves.toEqual(['3栋2单元1502']);
    await stack.screenshot(page, 'certificate-batch');
    const [row] = await ds.query<Array<{ masked: string }>>(
      `SELECT id_number_masked AS masked FROM certificate_collections WHERE batch_id = $1`,
      [batch.id],
    );
    expect(row!.masked).toBe('1101**********002X');
    await context.close();

    // Finance imports a batch from a spreadsheet: a bad row is named and nothing imported, then the good file goes in.
    const asFinance = await stack.loggedIn(finance);
    await asFinance.page.goto('/console#/certificates');
    await asFinance.page.locator(`tr[data-batch="${String(batch.id)}"]`).waitFor();
    const header = '楼盘编码,楼栋,单元,房号,领取地点,办理时间,所需资料,开始日期,截止日期,批次号';
    const line = (room: string) =>
      `BHYT01,3栋,2,${room},售楼处二楼财务室,工作日 9:00-17:00,身份证原件;购房合同,${shanghaiDay(-1)},${shanghaiDay(30)},2026-BZ-04`;
    const file = (rows: string[]) => ({
      name: 'batch.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from([header, ...rows].join('\r\n')),
    });
    await asFinance.page.getByLabel('CSV 文件').setInputFiles(file([line('1502'), line('9999')]));
    await asFinance.page.getByRole('button', { name: '导入并通知业主' }).click();
    await expect(asFinance.page.locator('.sched-rows').textContent()).resolves.toContain('第 3 行');
    expect((await ds.query<unknown[]>(`SELECT 1 FROM certificate_batches`)).length).toBe(1);
    await asFinance.page.getByLabel('CSV 文件').setInputFiles(file([line('1502')]));
    await asFinance.page.getByRole('button', { name: '导入并通知业主' }).click();
    await asFinance.page.locator('.success', { hasText: '已导入 1 个批次' }).waitFor();
    await expect(asFinance.page.locator('tr[data-batch]').count()).resolves.toBe(2);
    await asFinance.context.close();
  });

  it('lists what goes out in the next 60 days for the chosen estate', async () => {
    const ds = stack.db.dataSource;
    const projectId = (await factories.createProject(ds, { code: 'LJY001', name: '丽景苑', city: '深圳' })).id;
    const building = await factories.createBuilding(ds, { projectId, name: '5栋' });
    // Lamps and switches: 6 months from handover, notice 2 months ahead → the notice goes out 20 days from now.
    const due = new Date(`${shanghaiDay(20)}T00:00:00Z`);
    due.setUTCDate(Math.min(due.getUTCDate(), 28));
    due.setUTCMonth(due.getUTCMonth() - 4);
    const handoverDate = due.toISOString().slice(0, 10);
    const unit = await factories.createUnit(ds, { buildingId: building.id, entrance: '1', room: '802', handoverDate });
    await factories.linkOwner(ds, (await factories.createOwner(ds, { name: '周先生' })).id, unit.id);

    const { page, context } = await stack.loggedIn(rep);
    await page.goto('/console#/warranty');
    await page.getByLabel('楼盘').selectOption({ label: '丽景苑' });
    await page.getByRole('button', { name: '查看' }).click();
    const row = page.locator('tr', { hasText: '5栋1单元802' });
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain('灯具、电器开关');
    await expect(page.locator('#warranty-summary').textContent()).resolves.toMatch(
      /丽景苑：未来 60 天将发出 [1-9]\d* 条/,
    );
    await stack.screenshot(page, 'warranty');

    // The sent-notices CSV comes through the API with the session's token, as a download.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: /下载近 60 天已发通知/ }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^warranty-notices-\d{4}-\d{2}-\d{2}\.csv$/);
    await context.close();
  });
});
