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
});
