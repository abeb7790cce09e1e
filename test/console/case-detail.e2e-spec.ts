import { factories } from '@kefu/shared/testing';
import type { Page } from 'playwright-core';
import { startConsoleStack, type ConsoleStack } from './stack';

/** A real 4×3 PNG, so the thumbnail has pixels to decode. */
const png = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAQAAAADCAIAAAA7ljmRAAAAEElEQVR4nGM4EaABRww4OQAsNg8BoqhHXQAAAABJRU5ErkJggg==',
  'base64',
);
const pdf = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);

describe('case detail and quarantine in a real browser', () => {
  let stack: ConsoleStack;
  let departmentId: string;
  let rep: { id: string; login: string; password: string; name: string };
  let manager: { id: string; name: string };

  beforeAll(async () => {
    stack = await startConsoleStack();
    departmentId = (await factories.createDepartment(stack.db.dataSource, { code: 'ENG', name: '工程部' })).id;
    rep = await stack.staff('cs_rep', { name: '客服 陈敏' });
    manager = await stack.staff('dept_manager', { name: '工程部 王经理', departmentId });
  });
  afterAll(async () => {
    await stack?.close();
  });

  const q = <T = Record<string, unknown>>(sql: string, params: unknown[] = []) =>
    stack.db.dataSource.query<T[]>(sql, params);

  /** A faxed complaint with a photo and the fax PDF, an SMS acknowledgement delivered, a reminder the manager acknowledged. */
  async function seedCase() {
    const c = await factories.createCase(stack.db.dataSource, {
      type: 'complaint',
      channel: 'fax',
      description: '12栋外墙渗水，传真附照片',
      reporterName: '林女士',
      reporterContact: '13812341234',
      promisedReplyAt: new Date(Date.now() + 20 * 3600_000),
    });
    const [record] = await q<{ id: string }>(
      `INSERT INTO intake_records (channel, source, external_id, raw, received_at, outcome, case_id) VALUES ('fax', 'fax:inbox', $1, '{}', now() - interval '30 minutes', 'case_created', $2) RETURNING id`,
      [`fax-${c.id}`, c.id],
    );
    const [photo] = await q<{ id: string }>(
      `INSERT INTO attachments (case_id, intake_record_id, role, filename, content_type, size, sha256, data) VALUES ($1, $2, 'photo', '渗水照片.png', 'image/png', $3, 'x', $4) RETURNING id`,
      [c.id, record!.id, png.length, png],
    );
    await q(
      `INSERT INTO attachments (case_id, intake_record_id, role, filename, content_type, size, sha256, data, page_count) VALUES ($1, $2, 'fax_document', '传真.pdf', 'application/pdf', $3, 'y', $4, 2)`,
      [c.id, record!.id, pdf.length, pdf],
    );
    const [sms] = await q<{ id: string }>(
      `INSERT INTO notifications (idempotency_key, kind, channel, recipient_type, case_id, status, attempts, to_address, provider_id, created_at, sent_at, delivered_at)
       VALUES ($1, 'case_acknowledgement', 'sms', 'case_reporter', $2, 'delivered', 1, '13812341234', 'SM-E2E-1', now() - interval '20 minutes', now() - interval '19 minutes', now() - interval '18 minutes') RETURNING id`,
      [`e2e-ack:${c.id}`, c.id],
    );
    await q(
      `INSERT INTO notification_receipts (notification_id, occurred_at, status, source, raw) VALUES
         ($1, now() - interval '19 minutes', 'sent', 'twilio', '{"MessageSid": "SM-E2E-1"}'), ($1, now() - interval '18 minutes', 'delivered', 'twilio', '{"MessageSid": "SM-E2E-1"}')`,
      [sms!.id],
    );
    const [deadline] = await q<{ id: string }>(
      `INSERT INTO case_deadlines (case_id, step, due_at, responsible_staff_id) VALUES ($1, 'departmentPlan', now() + interval '1 day', $2) RETURNING id`,
      [c.id, manager.id],
    );
    await q(
      `INSERT INTO reminders (deadline_id, case_id, kind, level, send_at, sent_at, recipient_staff_id, ack_due_at, acknowledged_at, acknowledged_by_id, acknowledged_via)
       VALUES ($1, $2, 'before', 0, now() - interval '15 minutes', now() - interval '15 minutes', $3, now() + interval '1 hour', now() - interval '10 minutes', $3, 'link')`,
      [deadline!.id, c.id, manager.id],
    );
    return { ...c, photoId: photo!.id };
  }

  const fact = (page: Page, name: string) => page.locator(`[data-fact="${name}"]`);
  /** Waits (bounded) until the status fact reads `text`. */
  const status = (page: Page, text: string) =>
    page.locator('[data-fact="status"]', { hasText: text }).waitFor({ timeout: 10_000 });
  const activeId = (page: Page) => page.evaluate<string | undefined>('document.activeElement?.id');

  it("shows a case's whole timeline and moves it through accept, assign and a confirmed reject", async () => {
    const c = await seedCase();
    const { page, context } = await stack.loggedIn(rep);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));

    await page.goto(`/console#/cases/${c.id}`);
    await page.getByRole('heading', { name: `案件 ${c.number}` }).waitFor();
    await expect(fact(page, 'status').textContent()).resolves.toContain('新登记');
    await expect(fact(page, 'contact').textContent()).resolves.toContain('13812341234');
    const timeline = page.locator('.case-timeline');
    const text = await timeline.innerText();
    expect(text).toContain('受理回执'); // the SMS acknowledgement…
    expect(text).toContain('138****1234'); // …to a masked number
    expect(text).toContain('已送达'); // its delivered receipt
    expect(text).toContain('SM-E2E-1');
    expect(text).toMatch(/工程部 王经理 已于 .+ 确认/); // the reminder and who acknowledged it
    expect(text).toContain('责任部门答复并提出处理方案');
    expect(text).toContain('传真.pdf');
    expect(text).toContain('2 页');
    expect(text).not.toContain('13812341234');

    // The photo is fetched with the token and decoded for real.
    const thumb = page.locator(`img[data-thumb="${c.photoId}"]`);
    await thumb.waitFor();
    await page.waitForFunction(
      `(() => { const img = document.querySelector('img[data-thumb="${c.photoId}"]'); return !!img && img.complete && img.naturalWidth > 0; })()`,
      undefined,
      { timeout: 10_000 },
    );
    await expect(
      page.evaluate<number>(`document.querySelector('img[data-thumb="${c.photoId}"]').naturalWidth`),
    ).resolves.toBe(4);
    // The fax PDF opens in a frame from an object URL.
    await page.getByRole('button', { name: '查看' }).click();
    await page.locator('#case-pdf-frame[src^="blob:"]').waitFor();
    await expect(activeId(page)).resolves.toBe('case-pdf-close');
    await page.getByRole('button', { name: '关闭文件' }).click();
    await stack.screenshot(page, 'case-detail');

    // Accept: the dialog focuses its first field; saving reloads the case with the new status and event.
    await page.locator('.case-transitions').getByRole('button', { name: '受理' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await expect(activeId(page)).resolves.toBe('cd-note');
    await dialog.getByLabel('备注').fill('已与业主确认情况');
    await dialog.getByRole('button', { name: '受理' }).click();
    await status(page, '已受理');
    await expect(page.locator('#flash').textContent()).resolves.toContain('已受理');
    const accepted = page.locator('.case-tl-event', { hasText: '受理' }).filter({ hasText: '已与业主确认情况' });
    await expect(accepted.innerText()).resolves.toContain('客服 陈敏');

    // Escape cancels and gives the focus back to the button.
    const assign = page.locator('.case-transitions').getByRole('button', { name: '分派' });
    await assign.click();
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await expect(page.evaluate<string | undefined>('document.activeElement?.dataset.transition')).resolves.toBe(
      'assign',
    );

    // Assign to the engineering department's manager.
    await assign.click();
    await dialog.getByLabel('部门').selectOption({ label: '工程部' });
    await dialog.getByLabel('负责人').selectOption({ label: '工程部 王经理 · 工程部' });
    await stack.screenshot(page, 'case-dialog');
    await dialog.getByRole('button', { name: '分派' }).click();
    await status(page, '已分派');
    await expect(fact(page, 'assignee').textContent()).resolves.toBe('工程部 · 工程部 王经理');
    const assigned = await page.locator('.case-tl-event', { hasText: '分派' }).innerText();
    expect(assigned).toContain('客服 陈敏');
    expect(assigned).toContain('工程部 王经理');
    expect(assigned).toMatch(/已受理 → 已分派/);

    // Reject asks for confirmation; a stale page gets the API's 409 in the dialog.
    const other = await factories.createCase(stack.db.dataSource, { type: 'enquiry', description: '请问什么时候交房' });
    await page.goto(`/console#/cases/${other.id}`);
    await page.getByRole('heading', { name: `案件 ${other.number}` }).waitFor();
    await q(`UPDATE cases SET status = 'accepted' WHERE id = $1`, [other.id]); // someone else got there first
    const reject = page.locator('.case-transitions').getByRole('button', { name: '判为无效' });
    await reject.click();
    await dialog.getByLabel('判为无效的理由').fill('重复来电，已在另一案件处理');
    await dialog.getByRole('button', { name: '下一步' }).click();
    await expect(dialog.innerText()).resolves.toContain('此操作不可撤销');
    await dialog.getByRole('button', { name: '确定判为无效' }).click();
    await dialog.getByRole('alert').filter({ hasText: '不能「判为无效」' }).waitFor();
    await dialog.getByRole('button', { name: '取消' }).click();

    await q(`UPDATE cases SET status = 'new' WHERE id = $1`, [other.id]);
    await page.reload();
    await reject.click();
    await dialog.getByLabel('判为无效的理由').fill('重复来电，已在另一案件处理');
    await dialog.getByRole('button', { name: '下一步' }).click();
    await dialog.getByRole('button', { name: '返回修改' }).click(); // back to the form, then on again
    await dialog.getByRole('button', { name: '下一步' }).click();
    await dialog.getByRole('button', { name: '确定判为无效' }).click();
    await status(page, '无效');
    const rejected = await page.locator('.case-tl-event', { hasText: '判为无效' }).innerText();
    expect(rejected).toContain('重复来电，已在另一案件处理');
    expect(rejected).toContain('客服 陈敏');
    await expect(page.locator('.case-transitions').getByRole('button').allTextContents()).resolves.toEqual(['结案']);

    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: `Case ${other.number}` }).waitFor();
    await page.getByRole('heading', { name: 'Timeline' }).waitFor();
    await expect(page.locator('.case-transitions').getByRole('button').allTextContents()).resolves.toEqual(['Close']);
    expect(errors).toEqual([]);
    await context.close();

    // An operator may look but not act: no transition buttons (the API would refuse them anyway).
    const operator = await stack.staff('operator');
    const op = await stack.loggedIn(operator);
    await op.page.goto(`/console#/cases/${c.id}`);
    await op.page.getByText('您的角色只能查看案件，不能办理。').waitFor();
    await expect(op.page.locator('[data-transition]').count()).resolves.toBe(0);
    await op.context.close();
  });

  it("says rules, actors and provider errors in the staff member's language, with the raw key one click away", async () => {
    // The keys issue 14 found on screen: an SLA rule, classifier rules, the owner as actor, a provider error.
    const c = await factories.createCase(stack.db.dataSource, {
      type: 'repair',
      channel: 'web',
      description: '小区路灯坏了，晚上很黑',
      promisedReplyAt: new Date(Date.now() + 20 * 3600_000),
      promisedReplyRule: 'minor.firstFeedback',
      classificationRules: ['type.repair:坏了', 'category.property_management:路灯', 'channel.type'],
    });
    await q(
      `INSERT INTO case_events (case_id, kind, actor_id, actor_label, details) VALUES
         ($1, 'message_received', NULL, 'owner', '{"text": "路灯还是不亮"}'),
         ($1, 'escalated', NULL, 'scheduler', '{"from": 0, "to": 1, "reason": "已超过责任部门答复并提出处理方案时限"}')`,
      [c.id],
    );
    const [sms] = await q<{ id: string }>(
      `INSERT INTO notifications (idempotency_key, kind, channel, recipient_type, case_id, status, attempts, to_address, error_code, error_message, created_at)
       VALUES ($1, 'case_acknowledgement', 'sms', 'case_reporter', $2, 'failed', 1, '13812341234', 'no_sender', 'no sms sender is configured in this notifier', now() - interval '5 minutes') RETURNING id`,
      [`e2e-i18n-sms:${c.id}`, c.id],
    );
    await q(
      `INSERT INTO notification_receipts (notification_id, occurred_at, status, source, detail) VALUES ($1, now() - interval '5 minutes', 'failed', 'notifier', 'no_sender: no sms sender is configured in this notifier')`,
      [sms!.id],
    );
    await q(
      `INSERT INTO notifications (idempotency_key, kind, channel, recipient_type, case_id, status, attempts, to_address, provider_id, error_code, error_message, created_at, sent_at)
       VALUES ($1, 'case_reply', 'sms', 'case_reporter', $2, 'undelivered', 1, '13812341234', 'SM-E2E-2', '30003', 'carrier: Unreachable destination handset', now() - interval '4 minutes', now() - interval '4 minutes')`,
      [`e2e-i18n-reply:${c.id}`, c.id],
    );
    const keys = [
      'minor.firstFeedback',
      'type.repair:坏了',
      'category.property_management',
      'channel.type',
      'no_sender',
    ];
    const visible = (page: Page) => page.locator('.case-page').innerText();

    const { page, context } = await stack.loggedIn(rep);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`/console#/cases/${c.id}`);
    await page.getByRole('heading', { name: `案件 ${c.number}` }).waitFor();
    await expect(fact(page, 'promised').innerText()).resolves.toContain('依据：一般投诉首次反馈时限');
    const rules = await fact(page, 'rules').innerText();
    expect(rules).toContain('关键词「坏了」→ 报修');
    expect(rules).toContain('关键词「路灯」→ 物业管理');
    expect(rules).toContain('类型按来源渠道填写');
    const owner = page.locator('.case-tl-event', { hasText: '路灯还是不亮' }).locator('.case-actor');
    await expect(owner.innerText()).resolves.toBe('业主');
    await expect(owner.getAttribute('title')).resolves.toBe('owner');
    const escalated = await page.locator('.case-tl-event', { hasText: '升级' }).innerText();
    expect(escalated).toContain('催办程序');
    expect(escalated).toContain('升级至：部门经理'); // the level by name, not its number
    // Found by their status badges, which read the same in both languages.
    const failed = page.locator('.case-tl-notification').filter({ has: page.locator('.badge.case-n-failed') });
    await expect(failed.locator('.case-n-error').innerText()).resolves.toContain('没有配置这个渠道的发送服务');
    await expect(failed.locator('.case-receipts').innerText()).resolves.toContain('通知服务');
    const carrier = page.locator('.case-tl-notification').filter({ has: page.locator('.badge.case-n-undelivered') });
    await expect(carrier.innerText()).resolves.toContain('手机无法接通（关机或不在服务区）');
    const shown = await visible(page);
    for (const key of [...keys, 'owner', 'scheduler', '30003', 'no sms sender']) expect(shown).not.toContain(key);

    // Support can still read the stored keys: each details line opens on them.
    await fact(page, 'promised').locator('summary', { hasText: '代码' }).click();
    await expect(fact(page, 'promised').locator('.raw-key code').innerText()).resolves.toBe('minor.firstFeedback');
    await fact(page, 'rules').locator('summary').click();
    await expect(fact(page, 'rules').locator('.raw-key code').innerText()).resolves.toBe(
      'type.repair:坏了, category.property_management:路灯, channel.type',
    );
    await failed.locator('.case-n-error summary').click();
    await expect(failed.locator('.case-n-error code').innerText()).resolves.toBe(
      'no_sender: no sms sender is configured in this notifier',
    );
    await carrier.locator('.case-n-error summary').click();
    await expect(carrier.locator('.case-n-error code').innerText()).resolves.toContain('30003');
    await stack.screenshot(page, 'case-detail-terms-zh');

    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: `Case ${c.number}` }).waitFor();
    await expect(fact(page, 'promised').innerText()).resolves.toContain('Rule: First feedback on a minor complaint');
    const rulesEn = await fact(page, 'rules').innerText();
    expect(rulesEn).toContain('keyword “坏了” → repair');
    expect(rulesEn).toContain('keyword “路灯” → property management');
    expect(rulesEn).toContain('type as given by the channel');
    await expect(owner.innerText()).resolves.toBe('Owner');
    const escalatedEn = await page.locator('.case-tl-event', { hasText: 'Escalat' }).innerText();
    expect(escalatedEn).toContain('Past the deadline: Department reply and plan');
    expect(escalatedEn).toContain('Escalated to: Department manager');
    expect(escalatedEn).not.toMatch(/[\u4e00-\u9fff]{2}/); // no Chinese left in the scheduler's reason
    await expect(failed.locator('.case-n-error').innerText()).resolves.toContain(
      'No provider is configured for this channel, so nothing was sent',
    );
    await expect(carrier.innerText()).resolves.toContain('The phone cannot be reached');
    const shownEn = await visible(page);
    for (const key of [...keys, 'no sms sender']) expect(shownEn).not.toContain(key);
    await fact(page, 'promised').locator('summary', { hasText: 'Code' }).click();
    await expect(fact(page, 'promised').locator('.raw-key code').innerText()).resolves.toBe('minor.firstFeedback');
    await stack.screenshot(page, 'case-detail-terms-en');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('lists the quarantine with reasons, hands out the raw message and re-processes it', async () => {
    const fixed = Buffer.from(
      'From: =?UTF-8?B?6ZmI5aWz5aOr?= <chen.owner@example.com>\r\nDate: Mon, 23 Nov 2026 10:00:00 +0800\r\nMessage-ID: <e2e-fixed-1@example.com>\r\nSubject: 水压太低\r\n\r\n12栋高层水压太低，洗澡都困难\r\n',
    );
    const garbage = Buffer.from('\u0000\u0001 not a mail at all');
    const [good] = await q<{ id: string }>(
      `INSERT INTO intake_records (channel, source, external_id, raw, raw_bytes, message_id, content_hash, received_at, outcome, outcome_reason, attempts, processed_at)
       VALUES ('email', 'imap:cs', '1:901', $2, $1, 'e2e-fixed-1@example.com', 'a', now() - interval '2 hours', 'quarantined', 'processing error: simulated', 1, now()) RETURNING id`,
      [fixed, JSON.stringify({ size: fixed.length, subject: '水压太低' })],
    );
    await q(
      `INSERT INTO intake_records (channel, source, external_id, raw, raw_bytes, content_hash, received_at, outcome, outcome_reason, attempts, processed_at)
       VALUES ('email', 'imap:cs', '1:902', $2, $1, 'b', now() - interval '1 hour', 'quarantined', 'unparseable: the message does not start with a header block', 1, now())`,
      [garbage, JSON.stringify({ size: garbage.length, subject: '乱码' })],
    );
    const { page, context } = await stack.loggedIn(rep);
    await page.getByRole('link', { name: '隔离区' }).click();
    await page.getByRole('heading', { name: '隔离区' }).waitFor();
    const rows = page.locator('tbody tr');
    await expect(rows.count()).resolves.toBe(2);
    // Intake's English reasons in words; the text itself one click away.
    const fixedRow = page.locator('tr', { hasText: '水压太低' });
    await expect(fixedRow.innerText()).resolves.toContain('处理出错');
    await expect(fixedRow.innerText()).resolves.not.toContain('processing error');
    await fixedRow.locator('.raw-key summary').click();
    await expect(fixedRow.locator('.raw-key code').innerText()).resolves.toBe('processing error: simulated');
    await stack.screenshot(page, 'quarantine');

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: '下载原件：水压太低' }).click();
    expect((await download).suggestedFilename()).toBe(`${good!.id}.eml`);

    await page.getByRole('button', { name: '重新处理：乱码' }).click();
    const still = page.locator('tr', { hasText: '乱码' }).getByRole('status');
    await still.filter({ hasText: /仍被隔离：无法解析的邮件/ }).waitFor();
    await expect(page.locator('tr', { hasText: '乱码' }).locator('td.num').textContent()).resolves.toBe('2');

    await page.getByRole('button', { name: '重新处理：水压太低' }).click();
    const link = page.locator('tr', { hasText: '水压太低' }).getByRole('status').getByRole('link');
    await link.waitFor();
    const number = await link.textContent();
    expect(number).toMatch(/^KF-\d{4}-\d{5}$/);
    await link.click();
    await page.getByRole('heading', { name: `案件 ${number}` }).waitFor();
    await expect(fact(page, 'channel').textContent()).resolves.toBe('邮件');
    await context.close();
  });
});
