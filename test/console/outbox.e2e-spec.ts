import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  freePort,
  requestNotification,
  startLocalMail,
  startLocalOutboxServer,
  startLocalSms,
  type LocalMail,
  type LocalOutboxServer,
  type LocalSms,
} from '@kefu/shared';
import { factories, quietHoursElsewhere } from '@kefu/shared/testing';
import { startConsoleStack, type ConsoleStack } from './stack';

/**
 * The local providers `npm start` runs in place of Twilio (and SMTP/IMAP), seen from the console's 本地收件箱:
 * the stack's notifier sends through the real twilio SDK to the local gateway, which posts signed callbacks.
 */
describe('Local outbox in a real browser: what owners received from the local providers', () => {
  let stack: ConsoleStack;
  let sms: LocalSms;
  let mail: LocalMail;
  let outbox: LocalOutboxServer;
  let dir: string;
  let rep: { id: string; login: string; password: string; name: string };
  let operator: { id: string; login: string; password: string; name: string };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kefu-outbox-'));
    sms = await startLocalSms({ dir, callbackDelayMs: 50 });
    // Every address has a mailbox here except those starting "undeliverable" (as npm start's rule has it).
    mail = await startLocalMail({
      dir: join(dir, 'mail'),
      imapPort: 0,
      smtpPort: 0,
      domain: 'kefu.local',
      isKnownAddress: (a) => Promise.resolve(!a.startsWith('undeliverable')),
    });
    outbox = await startLocalOutboxServer({ sms, mail, testSender: () => Promise.resolve('wang@owner.example') });
    const notifierPort = await freePort();
    stack = await startConsoleStack(
      {
        TWILIO_ACCOUNT_SID: sms.accountSid,
        TWILIO_AUTH_TOKEN: sms.authToken,
        TWILIO_FROM: sms.from,
        TWILIO_API_BASE_URL: sms.apiBaseUrl,
        TWILIO_STATUS_CALLBACK_URL: `http://127.0.0.1:${notifierPort}/webhooks/twilio/status`,
        LOCAL_PROVIDERS_URL: outbox.url,
        SMTP_URL: mail.smtpUrl,
        MAILBOX_URL: mail.csMailboxUrl,
        BOUNCE_MAILBOX_URL: mail.bounceMailboxUrl,
        EMAIL_FROM: `客户服务部 <${mail.csAddress}>`,
        EMAIL_REPLY_TO: mail.csAddress,
        EMAIL_RETURN_PATH: mail.bounceAddress,
        // The SMS below must not wait for the end of the night's quiet hours, whenever the tests run.
        SMS_QUIET_HOURS: quietHoursElsewhere(),
      },
      { notifierPort },
    );
    rep = await stack.staff('cs_rep', { name: '客服 陈敏' });
    operator = await stack.staff('operator', { name: '接线员 张丽' });
  });
  afterAll(async () => {
    await stack?.close();
    await outbox?.stop();
    await sms?.stop();
    await mail?.stop({ removeData: true });
    rmSync(dir, { recursive: true, force: true });
  });

  const token = async (who: { login: string; password: string }) => {
    const res = await fetch(`${stack.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ login: who.login, password: who.password }),
    });
    return ((await res.json()) as { accessToken: string }).accessToken;
  };

  const until = async <T>(what: string, fn: () => Promise<T | null | undefined | false>, ms = 15_000): Promise<T> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = await fn();
      if (v) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  /** A call logged by the operator through the API; the case it made. */
  const logCall = async (callerNumber: string, summary: string, extra: Record<string, unknown> = {}) => {
    const res = await fetch(`${stack.baseUrl}/api/v1/hotline/calls`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${await token(operator)}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        callerNumber,
        startedAt: new Date().toISOString(),
        durationSeconds: 60,
        summary,
        ...extra,
      }),
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { case: { id: string; number: string } }).case;
  };

  /** Transitions of a case as the rep, each answered 200. */
  const walk = async (caseId: string, steps: ReadonlyArray<readonly [string, Record<string, unknown>]>) => {
    const repToken = await token(rep);
    for (const [step, body] of steps) {
      const res = await fetch(`${stack.baseUrl}/api/v1/cases/${caseId}/${step}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${repToken}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect([step, res.status]).toEqual([step, 200]);
    }
  };

  it("a hotline call's acknowledgement SMS is delivered, with its receipts, on the case page and in the local outbox", async () => {
    const c = await logCall('13800138000', '3栋2单元1502 卫生间漏水，楼下也在滴水', { reporterName: '王先生' });
    const ds = stack.db.dataSource;
    const delivered = await until('the acknowledgement to be delivered', async () => {
      const [n] = await ds.query<Array<{ id: string; status: string; provider_id: string }>>(
        `SELECT id, status, provider_id FROM notifications WHERE case_id = $1 AND kind = 'case_acknowledgement'`,
        [c.id],
      );
      return n?.status === 'delivered' && n;
    });
    const receipts = await ds.query<Array<{ status: string }>>(
      `SELECT status FROM notification_receipts WHERE notification_id = $1 ORDER BY id`,
      [delivered.id],
    );
    expect(receipts.map((r) => r.status)).toEqual(expect.arrayContaining(['sent', 'delivered']));
    // What the owner's phone got: through the real twilio SDK, the company signature, the case number.
    const got = sms.list().find((m) => m.sid === delivered.provider_id)!;
    expect(got.to).toBe('+8613800138000');
    expect(got.body).toContain(c.number);
    expect(got.history.map((h) => h.status)).toEqual(['queued', 'sent', 'delivered']);

    const { page, context } = await stack.loggedIn(rep);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // The case page: the acknowledgement delivered, with the gateway's receipts.
    await page.goto(`/console#/cases/${c.id}`);
    await page.locator('.case-receipts .case-n-delivered').first().waitFor();
    await stack.screenshot(page, 'local-outbox-case-receipts');
    await page.getByRole('link', { name: '本地收件箱' }).click();
    await page.getByRole('heading', { level: 1, name: '本地收件箱' }).waitFor();
    const row = page.locator(`tr[data-sid="${got.sid}"]`);
    await expect(row.locator('[data-status]').textContent()).resolves.toBe('已送达');
    await expect(row.textContent()).resolves.toContain(c.number);
    await expect(row.locator('.receipts li').count()).resolves.toBe(3);
    await page.getByText('特殊号码（模拟失败）').click();
    await expect(page.getByRole('row', { name: /\+8619900000001/ }).textContent()).resolves.toContain('未送达（30003');
    await stack.screenshot(page, 'local-outbox');
    expect(errors).toEqual([]);
    await context.close();
  });

  it("the staff's written reply reaches the caller's phone through the local gateway", async () => {
    const c = await logCall('13900001111', '小区东门路灯不亮');
    await walk(c.id, [
      ['accept', {}],
      ['reply', { via: 'sms', content: '东门路灯已更换灯泡，今晚起恢复照明。' }],
    ]);
    const reply = await until('the reply SMS to be delivered', () =>
      Promise.resolve(
        sms
          .list()
          .find((m) => m.to === '+8613900001111' && m.body.includes('东门路灯已更换灯泡') && m.status === 'delivered'),
      ),
    );
    expect(reply.body).toContain(c.number);
    expect(reply.body).toContain('客服 陈敏');
  });

  it("after the result, the return-visit request reaches the caller's phone; a 5 on its public page shows on the case and in the month's figures", async () => {
    const dept = await stack.db.dataSource.query<[{ id: string }]>(
      `INSERT INTO departments (code, name) VALUES ('OBX', '工程部') RETURNING id`,
    );
    // The dashboard's month (Beijing time), as a GM reads it before and after.
    const gm = await stack.staff('gm', { name: '总经理 周' });
    const month = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7);
    const figures = async () => {
      const res = await fetch(`${stack.baseUrl}/api/v1/reports/monthly?month=${month}`, {
        headers: { Authorization: `Bearer ${await token(gm)}` },
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { totals: { returnVisited: number; satisfied: number; visitAnswered: number } })
        .totals;
    };
    const before = await figures();
    const c = await logCall('13900002222', '卫生间地漏返臭，投诉', { type: 'complaint' });
    await walk(c.id, [
      ['accept', {}],
      ['assign', { departmentId: dept[0].id }],
      ['result', { result: '已更换防臭地漏' }],
    ]);
    const request = await until('the return-visit SMS', () =>
      Promise.resolve(sms.list().find((m) => m.to === '+8613900002222' && m.body.includes('/visit/'))),
    );
    const link = new URL(/https?:\/\/\S+\/visit\/[A-Za-z0-9_-]+/.exec(request.body)![0]);

    // The owner's phone: no login, no JavaScript needed.
    const context = await stack.browser.newContext({
      baseURL: stack.baseUrl,
      javaScriptEnabled: false,
      locale: 'zh-CN',
    });
    const owner = await context.newPage();
    await owner.goto(link.pathname);
    await owner.getByRole('heading', { level: 1, name: '回访：您对处理结果满意吗？' }).waitFor();
    await owner.getByLabel('5 非常满意').check();
    await owner.getByLabel('满意，问题已解决').check();
    await owner.getByLabel(/意见和建议/).fill('师傅很专业');
    await stack.screenshot(owner, 'return-visit-page');
    await owner.getByRole('button', { name: '提交评价' }).click();
    await owner.getByRole('heading', { level: 1, name: '感谢您的评价' }).waitFor();
    await stack.screenshot(owner, 'return-visit-thanks');
    await context.close();

    const staff = await stack.loggedIn(rep);
    await staff.page.goto(`/console#/cases/${c.id}`);
    await staff.page.locator('.case-tl-event', { hasText: '业主（回访链接）' }).first().waitFor();
    await stack.screenshot(staff.page, 'return-visit-on-case');
    await staff.context.close();
    const after = await figures();
    expect([after.returnVisited, after.visitAnswered, after.satisfied]).toEqual([
      before.returnVisited + 1,
      before.visitAnswered + 1,
      before.satisfied + 1,
    ]);
  });

  it('the undeliverable magic number walks a must-arrive notice from SMS to email to an EMS letter', async () => {
    const ds = stack.db.dataSource;
    const owner = await factories.createOwner(ds, {
      name: '李建国',
      mobiles: ['+8619900000001'],
      email: null,
      postalAddress: '广东省深圳市南山区海岸路8号碧海云天3栋2单元1502',
      postcode: '518054',
    });
    const { id } = await ds.transaction((m) =>
      requestNotification(m, {
        idempotencyKey: `outbox-walk:${owner.id}`,
        kind: 'case_reply',
        recipient: { ownerId: owner.id },
        channel: 'sms',
        variables: { caseNumber: 'COBZS001-2026-00042', replyText: '您反映的漏水问题已修复。', staffName: '陈敏' },
        source: { type: 'case', id: owner.id },
      }),
    );
    // SMS: undelivered (30003) → email: this owner has none → letter: made, waiting for the post office.
    const chain = await until('the letter at the end of the fallback chain', async () => {
      const rows = await ds.query<Array<{ channel: string; status: string; error_code: string | null }>>(
        `WITH RECURSIVE walk AS (
           SELECT id, channel, status, error_code, 0 AS depth FROM notifications WHERE id = $1
           UNION ALL
           SELECT n.id, n.channel, n.status, n.error_code, w.depth + 1 FROM notifications n JOIN walk w ON n.fallback_of_id = w.id)
         SELECT channel, status, error_code FROM walk ORDER BY depth`,
        [id],
      );
      return rows.length === 3 && rows[2]!.status === 'sent' && rows;
    });
    expect(chain.map((r) => `${r.channel}:${r.status}`)).toEqual(['sms:undelivered', 'email:failed', 'letter:sent']);
    expect(chain[0]!.error_code).toBe('30003');
    expect(
      sms
        .list()
        .filter((m) => m.to === '+8619900000001')
        .map((m) => m.status),
    ).toEqual(['undelivered']);

    const { page, context } = await stack.loggedIn(rep);
    await page.goto('/console#/outbox');
    const letter = page.locator('tr[data-kind="letter"]').first();
    await expect(letter.textContent()).resolves.toContain('李建国');
    await stack.screenshot(page, 'local-outbox-fallback');
    await context.close();
  });

  it("the test-mail form mails customer service: a case within seconds, the acknowledgement in the sender's mailbox", async () => {
    const { page, context } = await stack.loggedIn(rep);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto('/console#/outbox');
    const form = page.getByRole('region', { name: '发一封测试邮件给客服' });
    await expect(form.getByLabel('发件人邮箱').inputValue()).resolves.toBe('wang@owner.example');
    await form.getByLabel('主题').fill('2栋电梯异响');
    await form.getByLabel('正文').fill('您好，2栋1单元的电梯运行时有很大的异响，请尽快检修。');
    await form.getByRole('button', { name: '发送' }).click();
    await form.getByText('测试邮件已发出').waitFor();
    await stack.screenshot(page, 'local-outbox-test-mail');

    // Intake reads the customer-service mailbox (IDLE) and makes the case; the notifier mails the acknowledgement.
    const ds = stack.db.dataSource;
    const c = await until('the email case', async () => {
      const [row] = await ds.query<Array<{ id: string; number: string }>>(
        `SELECT id, number FROM cases WHERE channel = 'email' AND description LIKE '%电梯运行时有很大的异响%'`,
      );
      return row;
    });
    const ackMail = await until("the acknowledgement in the sender's mailbox", () =>
      Promise.resolve(mail.list().find((m) => m.mailbox === 'wang@owner.example' && m.subject.includes(c.number))),
    );
    await page.getByRole('button', { name: '刷新' }).click();
    const row = page.locator(`tr[data-mail="${ackMail.id}"]`);
    await row.waitFor();
    await row.getByRole('button', { name: '查看全文' }).click();
    await row.locator('.mail-body').waitFor({ state: 'visible' });
    await expect(row.locator('.mail-body').textContent()).resolves.toContain(c.number);
    await stack.screenshot(page, 'local-outbox-mail');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('is for staff only, and a malformed mail id is a plain 404', async () => {
    const res = await fetch(`${stack.baseUrl}/api/v1/local-outbox/mail/..%2Fetc`, {
      headers: { Authorization: `Bearer ${await token(rep)}` },
    });
    expect(res.status).toBe(404);
    const anonymous = await fetch(`${stack.baseUrl}/api/v1/local-outbox`);
    expect(anonymous.status).toBe(401);
  });
});
