import { randomBytes } from 'node:crypto';
import { AuthService, requestNotification } from '@kefu/shared';
import { expectEventually, factories, partialRequest } from '@kefu/shared/testing';
import { ReminderAcks } from '../../apps/scheduler/src/reminders/reminder-ack.service';
import { PROXY_ADDRESS, send, startAbuseStack, type AbuseStack } from './abuse-stack';

/**
 * `npm run test:abuse` (issue 16): the system as deployed, and what a stranger on the internet, a link scanner, a
 * curious colleague or a broken mail server throws at it — each with its expected answer, and nothing lost.
 */
describe('abuse: the public channels cannot be turned against owners, and nothing is lost', () => {
  let s: AbuseStack;
  let n = 0;

  beforeAll(async () => {
    s = await startAbuseStack();
  });
  afterAll(async () => {
    await s?.close();
  });

  /** One web-form complaint through the JSON API, as a browser behind the proxy (client address `client`). */
  const complain = async (o: { name?: string; mobile: string; client?: string; from?: string }) => {
    const challenge = (await send(`${s.baseUrl}/api/v1/web-complaints/challenge`)).body.challenge as string;
    return send(`${s.baseUrl}/api/v1/web-complaints`, {
      from: o.from ?? PROXY_ADDRESS,
      headers: { 'X-Forwarded-For': o.client ?? `198.51.100.${++n}` },
      body: {
        name: o.name ?? '李女士',
        mobile: o.mobile,
        projectId: s.projectId,
        unitText: '5栋101',
        type: 'complaint',
        description: `第${++n}次反映：楼上装修噪音，晚上十点还在施工`,
        challenge,
        nonce: '',
        website: '',
      },
    });
  };
  const smsTo = (mobile: string) => s.twilio.messages.filter((m) => m.to === `+86${mobile}`);

  it('a URL typed as the name never reaches the mobile typed beside it (a phishing relay)', async () => {
    const res = await complain({ name: '账户异常请登录 http://x.cn', mobile: '13900000101' });
    expect(res.status).toBe(201);
    await expectEventually(() => expect(smsTo('13900000101')).toHaveLength(1), { timeoutMs: 15_000 });
    const [sms] = smsTo('13900000101');
    expect(sms!.body).toContain(res.body.case.number);
    expect(sms!.body).not.toMatch(/http|x\.cn|账户异常/);
  });

  it('20 complaints for one mobile: 20 cases, 3 acknowledgements to it, the rest refused by name', async () => {
    const answers = [];
    for (let i = 0; i < 20; i++) answers.push(await complain({ mobile: '13900000202' }));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(201));
    const numbers = answers.map((a) => a.body.case.number as string);
    expect(new Set(numbers).size).toBe(20); // nothing lost: every complaint is a case
    const rows = await expectEventually(
      async () => {
        const r = await s.db.dataSource.query<Array<{ status: string; error_code: string | null }>>(
          `SELECT n.status, n.error_code FROM notifications n JOIN cases c ON c.id = n.case_id
            WHERE c.number = ANY($1) AND n.kind = 'case_acknowledgement'`,
          [numbers],
        );
        expect(r.filter((x) => !['pending', 'sending', 'queued'].includes(x.status))).toHaveLength(20);
        return r;
      },
      { timeoutMs: 20_000 },
    );
    expect(rows.filter((r) => r.error_code === 'recipient_limit')).toHaveLength(17);
    await expectEventually(() => expect(smsTo('13900000202')).toHaveLength(3), { timeoutMs: 15_000 });
  });

  it('a spoofed X-Forwarded-For is believed only from the proxy: a client sending it directly is one address', async () => {
    const direct = [];
    // The hourly limit is 10 per address; each request claims to be someone new.
    for (let i = 0; i < 11; i++)
      direct.push(await complain({ mobile: '13900000303', from: '127.0.0.1', client: `203.0.113.${i + 1}` }));
    expect(direct.slice(0, 10).map((a) => a.status)).toEqual(Array(10).fill(201));
    expect(direct[10]!.status).toBe(429);
    expect(direct[10]!.body.error.code).toBe('rate_limited');
    // Through the proxy, the same claim is believed: another owner is not shut out.
    expect((await complain({ mobile: '13900000304', client: '203.0.113.99' })).status).toBe(201);
  });

  it('50 parallel 20 MB bodies are answered without being read, and the form still works', async () => {
    const rssBefore = process.memoryUsage().rss;
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const floods = Array.from({ length: 50 }, (_, i) =>
      partialRequest({
        url: `${s.baseUrl}${i % 2 ? '/api/v1/web-complaints' : '/api/v1/hotline/cdr-imports'}`,
        headers: { 'Content-Type': i % 2 ? 'application/json' : 'text/csv' },
        declaredBytes: 20 * 1024 * 1024,
        firstChunk: chunk,
        waitMs: 10_000,
      }),
    );
    const answers = await Promise.all(floods);
    // Staff CSV without a token: 401, unread. Public JSON: over its 1 MB limit at once (413), or over the address's
    // hourly budget (429) — this address already used its hour above.
    expect(new Set(answers.filter((_, i) => i % 2 === 0).map((a) => a.status))).toEqual(new Set([401]));
    for (const a of answers.filter((_, i) => i % 2 === 1)) expect([413, 429]).toContain(a.status);
    expect(Math.max(...answers.map((a) => a.ms))).toBeLessThan(5_000);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(200 * 1024 * 1024);
    expect((await complain({ mobile: '13900000505' })).status).toBe(201);
  });

  it("a link scanner's GET of an acknowledgement link acknowledges nothing; the button does", async () => {
    const manager = await factories.createStaff(s.db.dataSource, { role: 'dept_manager', name: '工程部经理' });
    const c = await factories.createCase(s.db.dataSource, { assigneeId: manager.id });
    const [deadline] = await s.db.dataSource.query<Array<{ id: string }>>(
      `INSERT INTO case_deadlines (case_id, step, due_at) VALUES ($1, 'firstReply', now() + interval '1 day') RETURNING id`,
      [c.id],
    );
    const [reminder] = await s.db.dataSource.query<Array<{ id: string }>>(
      `INSERT INTO reminders (deadline_id, case_id, kind, send_at, recipient_staff_id, sent_at)
       VALUES ($1, $2, 'before', now(), $3, now()) RETURNING id`,
      [deadline!.id, c.id, manager.id],
    );
    const link = new URL(s.scheduler.get(ReminderAcks).ackUrl(reminder!.id, new Date()));
    // Sent as PUBLIC_BASE_URL/ack/… and served there: intake passes it to the scheduler.
    const acked = async () =>
      (await s.db.dataSource.query(`SELECT acknowledged_at FROM reminders WHERE id = $1`, [reminder!.id]))[0]
        .acknowledged_at as Date | null;
    for (let i = 0; i < 3; i++) {
      const page = await send(`${s.baseUrl}${link.pathname}`);
      expect(page.status).toBe(200);
      expect(page.body).toContain('确认收到');
    }
    expect(await acked()).toBeNull();
    expect((await send(`${s.baseUrl}${link.pathname}`, { method: 'POST' })).status).toBe(200);
    expect(await acked()).not.toBeNull();
  });

  it("a rep reading a manager's escalation sees neither its link nor the manager's number", async () => {
    const ds = s.db.dataSource;
    const manager = await factories.createStaff(ds, { role: 'dept_manager', name: '经理', mobile: '13700000606' });
    const rep = await factories.createStaff(ds, { role: 'cs_rep', name: '客服' });
    const token = (await s.intake.get(AuthService).issue({ id: rep.id, role: 'cs_rep', name: rep.name })).accessToken;
    const ackUrl = `https://kefu.example.com/ack/${randomBytes(16).toString('base64url')}`;
    const { id } = await ds.transaction((m) =>
      requestNotification(m, {
        idempotencyKey: `abuse:${randomBytes(6).toString('hex')}`,
        kind: 'escalation',
        recipient: { staffId: manager.id },
        channel: 'sms',
        variables: {
          caseNumber: 'KF-2026-00999',
          step: 'firstReply',
          stepLabel: '答复客户（承诺答复日期）',
          dueAt: new Date().toISOString(),
          ackUrl,
          level: 1,
          fromName: '王工',
          reason: '未在时限内确认提醒',
        },
      }),
    );
    const seen = await expectEventually(async () => {
      const r = await send(`${s.baseUrl}/api/v1/notifications/${id}`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      expect(['sent', 'delivered']).toContain(r.body.status);
      return r.body as Record<string, unknown>;
    });
    expect(JSON.stringify(seen)).not.toContain(ackUrl);
    expect(JSON.stringify(seen)).not.toContain('13700000606');
  });

  it('an SMTP server that never answers DATA costs one attempt of a few seconds, retried, never sent twice', async () => {
    const owner = await factories.createOwner(s.db.dataSource, { email: 'slow@owner.example', mobiles: [] });
    const { id } = await s.db.dataSource.transaction((m) =>
      requestNotification(m, {
        idempotencyKey: `abuse:${randomBytes(6).toString('hex')}`,
        kind: 'warranty_expiry',
        recipient: { ownerId: owner.id },
        channel: 'email',
        variables: { estateName: '碧海云天', unitLabel: '6栋', itemName: '屋面', expiresOn: '2027-03-01' },
      }),
    );
    const row = await expectEventually(
      async () => {
        const [r] = await s.db.dataSource.query<
          Array<{ status: string; attempts: number; error_message: string | null }>
        >(`SELECT status, attempts, error_message FROM notifications WHERE id = $1`, [id]);
        expect(r!.attempts).toBeGreaterThanOrEqual(1);
        expect(r!.status).not.toBe('sending');
        return r!;
      },
      { timeoutMs: 20_000 },
    );
    expect(s.smtp.stalled.length).toBeGreaterThanOrEqual(1);
    // Waiting for a retry, with the reason; not "unconfirmed", which a retry would send a second time.
    expect(row.status).toBe('pending');
    expect(row.error_message).toMatch(/time/i);
    expect(s.smtp.delivered.filter((d) => d.to.includes('slow@owner.example'))).toHaveLength(0);
  });
});
