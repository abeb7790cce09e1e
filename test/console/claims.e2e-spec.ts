import { factories } from '@kefu/shared/testing';
import type { Page } from 'playwright-core';
import { startConsoleStack, type ConsoleStack } from './stack';

/** Issue 15: a claim (索赔) walked through its steps in the case page's dialog, the report showing each. */
describe('claims on the case page in a real browser', () => {
  let stack: ConsoleStack;
  let rep: { id: string; login: string; password: string; name: string };
  let viceGm: { id: string; login: string; password: string; name: string };

  beforeAll(async () => {
    stack = await startConsoleStack();
    rep = await stack.staff('cs_rep', { name: '客服 陈敏' });
    viceGm = await stack.staff('vice_gm', { name: '副总 刘强' });
  });
  afterAll(async () => {
    await stack?.close();
  });

  const claim = (page: Page, name: string) => page.locator(`[data-claim="${name}"]`);
  const stepButtons = (page: Page) => page.locator('.claim-steps button').allTextContents();
  /** Opens a step's dialog from its button in the claim card. */
  const open = async (page: Page, step: string) => {
    await page.locator('.claim-steps').getByRole('button', { name: step, exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    return dialog;
  };
  /** Saves the dialog and waits (bounded) for the card to show `text` in row `name`. */
  const save = async (page: Page, name: string, text: string) => {
    await page.getByRole('dialog').getByRole('button', { name: '保存' }).click();
    await claim(page, name).filter({ hasText: text }).waitFor({ timeout: 10_000 });
  };

  it('records responsibility, proposal, opinion, agreement and charge-back; only a vice GM approves; then the result', async () => {
    const c = await factories.createCase(stack.db.dataSource, {
      type: 'claim',
      status: 'assigned',
      description: '地下车库泡水，车辆受损，要求赔偿维修费用',
      reporterName: '赵先生',
    });
    const { page, context } = await stack.loggedIn(rep);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`/console#/cases/${c.id}`);
    await page.getByRole('heading', { name: '索赔进展' }).waitFor();
    await expect(claim(page, 'missing').innerText()).resolves.toBe('登记处理结果前尚缺：判定责任');
    await expect(stepButtons(page)).resolves.toEqual(['判定责任']);

    // The result is refused while the claim is incomplete: the API's 409 in the transition dialog.
    await page.locator('.case-transitions').getByRole('button', { name: '记录处理结果' }).click();
    await page.getByRole('dialog').getByLabel('处理结果').fill('已赔偿');
    await page.getByRole('dialog').getByRole('button', { name: '记录处理结果' }).click();
    await page.getByRole('dialog').getByRole('alert').filter({ hasText: '赔偿尚未完成' }).waitFor();
    await page.getByRole('dialog').getByRole('button', { name: '取消' }).click();

    // Responsibility: a contractor's.
    let dialog = await open(page, '判定责任');
    await expect(page.evaluate<string | undefined>('document.activeElement?.name')).resolves.toBe('party');
    await dialog.getByLabel('施工单位', { exact: true }).check();
    await dialog.getByLabel('施工单位名称').fill('中建某局三公司');
    await dialog.getByLabel('备注').fill('排水管施工缺陷');
    await save(page, 'responsibility', '施工单位 · 中建某局三公司');
    await expect(claim(page, 'responsibility').innerText()).resolves.toContain('客服 陈敏');
    await expect(stepButtons(page)).resolves.toEqual(['判定责任', '赔偿方案', '扣款申请']);
    await expect(claim(page, 'missing').innerText()).resolves.toBe('登记处理结果前尚缺：赔偿方案、客户认可、领导批复');

    // A proposal whose plan is too short: the API's message next to the plan, the dialog stays open.
    dialog = await open(page, '赔偿方案');
    await dialog.getByLabel('赔偿金额（元）').fill('12000');
    await dialog.getByLabel('赔偿方案').fill('赔');
    await dialog.getByRole('button', { name: '保存' }).click();
    const planError = dialog.locator('#claim-plan-error');
    await planError.waitFor();
    await expect(planError.innerText()).resolves.toBe('请填写赔偿方案'); // the API's English gloss left out
    await expect(dialog.getByLabel('赔偿方案').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(dialog.getByLabel('赔偿方案').getAttribute('aria-describedby')).resolves.toContain('claim-plan-error');
    await expect(page.evaluate<string | undefined>('document.activeElement?.id')).resolves.toBe('claim-plan');
    await expect(dialog.getByRole('alert').innerText()).resolves.toContain('赔偿方案');
    await stack.screenshot(page, 'claim-field-error');
    await dialog.getByLabel('赔偿方案').fill('赔偿车辆维修费 12000 元，由施工单位承担');
    await save(page, 'proposal', '¥12,000.00');

    dialog = await open(page, '律师意见');
    await dialog.getByLabel('律师', { exact: true }).fill('李律师');
    await dialog.getByLabel('律师意见').fill('金额合理，可由施工单位承担');
    await dialog.getByLabel('支持', { exact: true }).check();
    await save(page, 'legalReview', '李律师（支持该方案）');

    dialog = await open(page, '客户意见');
    await dialog.getByLabel('客户认可', { exact: true }).check();
    await save(page, 'ownerAgreement', '客户认可');

    dialog = await open(page, '扣款申请');
    await expect(dialog.getByLabel('施工单位名称').inputValue()).resolves.toBe('中建某局三公司');
    await dialog.getByLabel('扣款金额（元）').fill('12000');
    await dialog.getByLabel('扣款通知单号').fill('KK-2026-017');
    await save(page, 'chargeBacks', 'KK-2026-017');

    // A rep cannot approve: no button, and the card says who can.
    await expect(stepButtons(page)).resolves.not.toContain('领导批复');
    await page.getByText('领导批复须由副总经理或总经理登记。').waitFor();
    await expect(claim(page, 'missing').innerText()).resolves.toBe('登记处理结果前尚缺：领导批复');
    await expect(claim(page, 'approval').innerText()).resolves.toContain('尚未记录');
    await stack.screenshot(page, 'claim-before-approval');

    // A stale page: someone else resolved the case meanwhile; the API's 409 in the dialog, in Chinese only.
    await stack.db.dataSource.query(`UPDATE cases SET status = 'resolved' WHERE id = $1`, [c.id]);
    dialog = await open(page, '客户意见');
    await dialog.getByLabel('客户不认可（须重新拟定方案或诉讼）').check();
    await dialog.getByRole('button', { name: '保存' }).click();
    await expect(dialog.getByRole('alert').innerText()).resolves.toBe(`案件 ${c.number} 当前不能记录索赔步骤。`);
    await dialog.getByRole('button', { name: '取消' }).click();
    await stack.db.dataSource.query(`UPDATE cases SET status = 'assigned' WHERE id = $1`, [c.id]);
    expect(errors).toEqual([]);
    await context.close();

    // The vice GM approves the proposal on the table.
    const leader = await stack.loggedIn(viceGm);
    const lp = leader.page;
    lp.on('pageerror', (e) => errors.push(e.message));
    await lp.goto(`/console#/cases/${c.id}`);
    await lp.getByRole('heading', { name: '索赔进展' }).waitFor();
    dialog = await open(lp, '领导批复');
    await expect(dialog.innerText()).resolves.toContain('¥12,000.00');
    await dialog.getByLabel('批准', { exact: true }).check();
    await dialog.getByLabel('备注').fill('同意，从施工单位质保金中扣回');
    await stack.screenshot(lp, 'claim-dialog');
    await save(lp, 'approval', '批准 · 同意，从施工单位质保金中扣回');
    await expect(claim(lp, 'approval').innerText()).resolves.toContain('副总 刘强');
    await expect(claim(lp, 'missing').innerText()).resolves.toBe('赔偿手续已齐全，可以记录处理结果。');
    await expect(lp.evaluate<string | undefined>('document.activeElement?.dataset.claimStep')).resolves.toBe(
      'approval',
    );

    // Each step is on the timeline in words, by whom.
    const approved = await lp.locator('.case-tl-event', { hasText: '领导批复' }).innerText();
    expect(approved).toContain('副总 刘强');
    expect(approved).toContain('批准');
    const timeline = await lp.locator('.case-timeline').innerText();
    for (const s of ['判定责任', '赔偿方案', '律师意见', '客户意见', '扣款申请']) expect(timeline).toContain(s);
    expect(timeline).not.toContain('claim_');
    await lp.locator('.claim-history summary').click();
    await expect(lp.locator('.claim-history li').count()).resolves.toBe(6);
    await stack.screenshot(lp, 'claim-approved');

    // Now the result is accepted.
    await lp.locator('.case-transitions').getByRole('button', { name: '记录处理结果' }).click();
    await lp.getByRole('dialog').getByLabel('处理结果').fill('已按方案赔偿 12000 元');
    await lp.getByRole('dialog').getByRole('button', { name: '记录处理结果' }).click();
    await lp.locator('[data-fact="status"]', { hasText: '已处理' }).waitFor({ timeout: 10_000 });
    await lp.getByText('案件处于受理、分派或答复阶段时才能记录索赔步骤。').waitFor();

    await lp.getByRole('button', { name: 'English' }).click();
    await lp.getByRole('heading', { name: 'Claim' }).waitFor();
    await expect(claim(lp, 'approval').innerText()).resolves.toContain('Approved');
    await expect(claim(lp, 'proposal').innerText()).resolves.toContain('CN¥12,000.00');
    expect(errors).toEqual([]);
    await leader.context.close();
  });
});
