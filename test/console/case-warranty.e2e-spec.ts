import { factories } from '@kefu/shared/testing';
import { startConsoleStack, type ConsoleStack } from './stack';

/**
 * Issue 15: a repair's warranty standing (decided at intake, corrected by staff: apps/intake/src/cases/warranty)
 * is one line of the case facts, in Chinese and in English; cases with none decided show no line.
 */
describe('warranty standing on the case page in a real browser', () => {
  let stack: ConsoleStack;
  beforeAll(async () => {
    stack = await startConsoleStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('reads 在保修期内（item，至 date）, 未知, or nothing, and the correction on the timeline', async () => {
    const rep = await stack.staff('cs_rep', { name: '客服 周洁' });
    const ds = stack.db.dataSource;
    const repair = (o: Record<string, unknown>) =>
      factories.createCase(ds, { type: 'repair', description: '卫生间漏水', ...o });
    const inWarranty = await repair({
      warrantyStatus: 'in_warranty',
      warrantyItemCode: 'wet_room_waterproofing',
      warrantyExpiresOn: '2028-06-30',
    });
    const unknown = await repair({ warrantyStatus: 'unknown' });
    const undecided = await factories.createCase(ds, { type: 'complaint', description: '物业服务态度差' });
    await ds.query(
      `INSERT INTO case_events (case_id, kind, actor_id, actor_label, details) VALUES ($1, 'warranty_overridden', $2, $3, $4)`,
      [
        unknown.id,
        rep.id,
        rep.name,
        JSON.stringify({
          from: { status: 'out_of_warranty' },
          to: { status: 'unknown' },
          reason: '交付日期有误，待核实',
        }),
      ],
    );

    const { page, context } = await stack.loggedIn(rep);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const open = async (id: string, number: string, title = '案件') => {
      await page.goto(`/console#/cases/${id}`);
      await page.getByRole('heading', { name: `${title} ${number}` }).waitFor();
    };
    const fact = page.locator('[data-fact="warranty"]');

    await open(inWarranty.id, inWarranty.number);
    await expect(fact.innerText()).resolves.toBe('在保修期内（卫生间、房间防渗漏，至 2028-06-30）');
    await expect(page.locator('dt', { hasText: '保修' }).count()).resolves.toBe(1);
    await open(unknown.id, unknown.number);
    await expect(fact.innerText()).resolves.toBe('未知');
    const corrected = page.locator('.case-tl-event', { hasText: '修改保修判定' });
    await corrected.filter({ hasText: '交付日期有误' }).waitFor();
    await expect(corrected.innerText()).resolves.toContain('已过保修期 → 未知');
    await open(undecided.id, undecided.number);
    await expect(fact.count()).resolves.toBe(0);
    expect(errors).toEqual([]);
    await context.close();

    const en = await stack.loggedIn(rep, { lang: 'en' });
    await en.page.goto(`/console#/cases/${inWarranty.id}`);
    await en.page.getByRole('heading', { name: `Case ${inWarranty.number}` }).waitFor();
    await expect(en.page.locator('[data-fact="warranty"]').innerText()).resolves.toBe(
      'In warranty (卫生间、房间防渗漏, until 2028-06-30)',
    );
    await en.context.close();
  });

  it('a rep corrects a repair’s standing from its dialog and the fact line and timeline follow', async () => {
    const rep = await stack.staff('cs_rep', { name: '客服 钱敏' });
    const ds = stack.db.dataSource;
    const c = await factories.createCase(ds, {
      type: 'repair',
      status: 'accepted',
      description: '卫生间地面渗水到楼下',
      warrantyStatus: 'out_of_warranty',
      warrantyItemCode: 'wet_room_waterproofing',
      warrantyExpiresOn: '2025-06-30',
    });
    const complaint = await factories.createCase(ds, { type: 'complaint', description: '保安态度差' });
    const { page, context } = await stack.loggedIn(rep);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const fact = page.locator('[data-fact="warranty"]');
    const records = page.locator('.case-records');
    const dialog = page.getByRole('dialog');

    // Not offered for a complaint.
    await page.goto(`/console#/cases/${complaint.id}`);
    await page.getByRole('heading', { name: `案件 ${complaint.number}` }).waitFor();
    await records.getByRole('button', { name: '添加证据' }).waitFor();
    await expect(records.getByRole('button', { name: '修改保修判定' }).count()).resolves.toBe(0);

    await page.goto(`/console#/cases/${c.id}`);
    await page.getByRole('heading', { name: `案件 ${c.number}` }).waitFor();
    await expect(fact.innerText()).resolves.toBe('已过保修期（卫生间、房间防渗漏，至 2025-06-30）');
    await records.getByRole('button', { name: '修改保修判定' }).click();
    await expect(dialog.getByLabel('保修判定').locator('option:checked').innerText()).resolves.toBe('已过保修期');
    await expect(dialog.getByLabel('保修项目').locator('option:checked').innerText()).resolves.toBe(
      '卫生间、房间防渗漏',
    );
    await dialog.getByLabel('保修判定').selectOption({ label: '在保修期内' });
    await dialog.getByLabel('保修到期日').fill('2028-06-30');
    await dialog.getByRole('button', { name: '修改保修判定' }).click(); // no reason: the browser's check stops it
    await expect(dialog.isVisible()).resolves.toBe(true);
    await dialog.getByLabel('原因').fill('业主出示了开发商的延保承诺书');
    await stack.screenshot(page, 'case-warranty-dialog');
    await dialog.getByRole('button', { name: '修改保修判定' }).click();
    await dialog.waitFor({ state: 'hidden' });

    await page.locator('[data-fact="warranty"]', { hasText: '在保修期内' }).waitFor();
    await expect(fact.innerText()).resolves.toBe('在保修期内（卫生间、房间防渗漏，至 2028-06-30）');
    const event = page.locator('.case-tl-event', { hasText: '修改保修判定' });
    await expect(event.innerText()).resolves.toContain('已过保修期 → 在保修期内');
    await expect(event.innerText()).resolves.toContain('业主出示了开发商的延保承诺书');
    await expect(event.innerText()).resolves.toContain('客服 钱敏');
    await stack.screenshot(page, 'case-warranty-corrected');

    // Only the status and the date changed: the item was left out, so it stays the case's.
    const [row] = await ds.query<Array<{ details: Record<string, unknown> }>>(
      `SELECT details FROM case_events WHERE case_id = $1 AND kind = 'warranty_overridden'`,
      [c.id],
    );
    expect(row!.details).toEqual({
      from: { status: 'out_of_warranty', itemCode: 'wet_room_waterproofing', expiresOn: '2025-06-30' },
      to: { status: 'in_warranty', itemCode: 'wet_room_waterproofing', expiresOn: '2028-06-30' },
      reason: '业主出示了开发商的延保承诺书',
    });
    expect(errors).toEqual([]);
    await context.close();
  });
});
