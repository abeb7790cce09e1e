import request from 'supertest';
import type { DataSource } from 'typeorm';
import { AuthService, JobRouter } from '@kefu/shared';
import { expectEventually, factories, tokenFor } from '@kefu/shared/testing';
import { startNotifierTestEnv, tomorrowAt, type NotifierTestEnv } from '../testing/notifier-test-env';
import { NotificationDispatcher } from './notification-dispatcher.service';
import { STUCK_AFTER_MS } from './notification-reconciler.service';

const certificate = {
  estateName: '碧海云天',
  unitLabel: '3栋2单元1502',
  place: '售楼处二楼',
  hours: '9:00-17:00',
  documents: ['身份证', '购房合同'],
  fromDate: '2026-12-01',
  deadline: '2026-12-31',
  stage: 'notice' as const,
};

describe('notifier: email, fallbacks, crash recovery and the staff API', () => {
  let env: NotifierTestEnv;
  let ds: DataSource;
  let rep: string;
  let seq = 0;
  const key = () => `email-test:${++seq}:${Date.now()}`;
  const http = () => request(env.app.getHttpServer());

  beforeAll(async () => {
    env = await startNotifierTestEnv();
    ds = env.db.dataSource;
    rep = await tokenFor(env.app, 'cs_rep');
  });
  afterAll(async () => {
    await env?.close();
  });
  beforeEach(async () => {
    await env.twilio.settled();
    env.twilio.reset();
    env.clock.set(tomorrowAt());
  });

  it('emails a case reply that threads back into the case: [case number] subject, Reply-To, Message-ID recorded, VERP return path, Auto-Submitted', async () => {
    const c = await factories.createCase(ds, {
      reporterName: '陈女士',
      reporterEmail: 'chen.owner@example.com',
      reporterPhone: null,
    });
    const id = await env.request({
      idempotencyKey: key(),
      kind: 'case_reply',
      recipient: { caseReporterOf: c.id },
      variables: { caseNumber: c.number, replyText: '已安排维修，周五上午上门。' },
    });
    const row = await env.waitFor(id, ['sent']);
    expect(row).toMatchObject({
      channel: 'email',
      to_address: 'chen.owner@example.com',
      provider_id: expect.stringMatching(/^kefu\.[0-9a-f-]+\.1@kefu\.example\.com$/),
    });
    const mail = env.smtp.mails.find((m) => m.rcptTo.includes('chen.owner@example.com'))!;
    expect(mail.mailFrom).toBe(`bounces+${id}@kefu.example.com`);
    const parsed = await env.smtp.parsed(env.smtp.mails.indexOf(mail));
    expect(parsed.subject).toBe(`[${c.number}] 关于您反映问题的答复（${c.number}）`);
    expect(parsed.messageId).toBe(`<${row.provider_id}>`);
    expect(parsed.headers.get('auto-submitted')).toBe('auto-generated');
    expect(parsed.replyTo?.text).toBe('cs@kefu.example.com');
    // Not "陈女士您好": the name the reporter typed is never put in a message to an address nobody verified.
    expect(parsed.text).toContain('您好：关于您反映的问题');
    expect(parsed.text).not.toContain('陈女士');
    expect(parsed.html).toContain('<p>您好：关于您反映的问题');
    const [sent] = await ds.query<Array<{ message_id: string; case_id: string }>>(
      `SELECT message_id, case_id FROM sent_messages WHERE case_id = $1`,
      [c.id],
    );
    expect(sent).toEqual({ message_id: row.provider_id, case_id: c.id });
    const [receipt] = await env.receipts(id);
    expect(receipt).toMatchObject({
      status: 'sent',
      source: 'smtp',
      raw: { accepted: ['chen.owner@example.com'], rejected: [], response: expect.stringMatching(/^250/) },
    });
  });

  it('falls back for must-arrive notices: SMS undelivered (30005) → email; email refused → an EMS letter', async () => {
    const owner = await factories.createOwner(ds);
    env.twilio.behave(`+86${owner.mobiles[0]}`, {
      kind: 'callbacks',
      statuses: ['sent', { status: 'undelivered', errorCode: 30005 }],
    });
    env.smtp.rejected.add(owner.email!.toLowerCase());
    const k = key();
    const id = await env.request({
      idempotencyKey: k,
      kind: 'certificate_collection',
      recipient: { ownerId: owner.id },
      channel: 'sms',
      variables: certificate,
    });
    expect(await env.waitFor(id, ['undelivered'])).toMatchObject({ error_code: '30005' });
    const email = await expectEventually(
      async () =>
        (
          await ds.query<Array<{ id: string }>>(
            `SELECT id FROM notifications WHERE idempotency_key = $1 AND fallback_of_id = $2`,
            [`${k}/fallback:email`, id],
          )
        )[0]!,
    );
    expect(await env.waitFor(email.id, ['failed'])).toMatchObject({ channel: 'email', error_code: 'smtp_550' });
    const letter = await expectEventually(
      async () =>
        (
          await ds.query<Array<{ id: string }>>(
            `SELECT id FROM notifications WHERE idempotency_key = $1 AND fallback_of_id = $2`,
            [`${k}/fallback:letter`, email.id],
          )
        )[0]!,
    );
    // The letter channel's sender (apps/notifier/src/letters) makes the PDF; "sent" = handed to the letter pipeline.
    const sent = await env.waitFor(letter.id, ['sent']);
    expect(sent).toMatchObject({ channel: 'letter', provider_id: expect.stringMatching(/^KF[0-9A-F]{12}$/i) });
    expect(
      await ds.query(`SELECT reference, postal_address FROM letters WHERE notification_id = $1`, [letter.id]),
    ).toEqual([{ reference: sent.provider_id, postal_address: owner.postalAddress }]);
  });

  it('fails a row whose variables break the contract, naming them; a non-must-arrive failure has no fallback', async () => {
    const owner = await factories.createOwner(ds);
    const id = await env.request({
      idempotencyKey: key(),
      kind: 'case_acknowledgement',
      recipient: { ownerId: owner.id },
      variables: { caseNumber: '', promisedReplyAt: 'soon' },
    });
    const row = await env.waitFor(id, ['failed']);
    expect(row.error_code).toBe('bad_variables');
    expect(row.error_message).toContain('caseNumber');
    expect(row.error_message).toContain('promisedReplyAt');
    expect(await ds.query(`SELECT id FROM notifications WHERE fallback_of_id = $1`, [id])).toEqual([]);
  });

  it('reconciles a row left in "sending" by a dead worker by asking Twilio: found → recorded, not resent; never reached Twilio → sent once', async () => {
    env.twilio.defaultCallbacks = { kind: 'callbacks', statuses: [] };
    const dispatcher = env.app.get(NotificationDispatcher);
    // The worker dies after Twilio accepted the message, before recording it.
    const spy = jest.spyOn(dispatcher, 'record').mockRejectedValueOnce(new Error('worker died'));
    const owner = await factories.createOwner(ds);
    const a = await env.request({
      idempotencyKey: key(),
      kind: 'warranty_expiry',
      recipient: { ownerId: owner.id },
      variables: { estateName: '碧海云天', unitLabel: '1栋', itemName: '给排水', expiresOn: '2027-02-01' },
    });
    await expectEventually(() => expect(spy).toHaveBeenCalled());
    spy.mockRestore();
    expect(await env.row(a)).toMatchObject({ status: 'sending', provider_id: null });
    expect(env.twilio.messages).toHaveLength(1);
    // A worker died after claiming, before calling Twilio.
    const owner2 = await factories.createOwner(ds);
    const b = await env.request({
      idempotencyKey: key(),
      kind: 'warranty_expiry',
      recipient: { ownerId: owner2.id },
      variables: { estateName: '碧海云天', unitLabel: '2栋', itemName: '给排水', expiresOn: '2027-02-01' },
      notBefore: new Date(Date.now() + 3600_000 * 72),
    });
    await ds.query(
      `UPDATE notifications SET status = 'sending', attempts = 1, channel = 'sms', to_address = $2, body = '【客户服务部】测试', sent_at = $3, not_before = $3 WHERE id = $1`,
      [b, owner2.mobiles[0], env.clock.now()],
    );
    // The job is redelivered meanwhile: nothing happens to a row in "sending".
    expect(await dispatcher.process(a)).toBe('skipped');

    env.clock.advance(STUCK_AFTER_MS + 1000);
    await env.app.get(JobRouter).runTask('reconcile-sending');
    expect(await env.row(a)).toMatchObject({ status: 'sent', provider_id: env.twilio.messages[0]!.sid });
    expect((await env.receipts(a)).map((r) => r.detail)).toEqual([expect.stringMatching(/^reconciled: Twilio has SM/)]);
    const sentB = await env.waitFor(b, ['sent']);
    expect(env.twilio.messages.filter((m) => m.to === `+86${owner2.mobiles[0]}`)).toHaveLength(1);
    expect(sentB.attempts).toBe(2);
    expect(env.twilio.messages).toHaveLength(2);
  });

  it('fails an email left in "sending" by a dead worker as unconfirmed (an SMTP server cannot be asked), for staff to retry', async () => {
    const owner = await factories.createOwner(ds);
    const id = await env.request({
      idempotencyKey: key(),
      kind: 'case_reply',
      recipient: { ownerId: owner.id },
      channel: 'email',
      variables: { caseNumber: 'KF-2026-00031', replyText: '已处理。' },
      notBefore: new Date(Date.now() + 3600_000 * 72),
    });
    await ds.query(
      `UPDATE notifications SET status = 'sending', attempts = 1, to_address = $2, body = 'x', sent_at = $3 WHERE id = $1`,
      [id, owner.email, env.clock.now()],
    );
    await env.app.get(JobRouter).runTask('reconcile-sending');
    expect((await env.row(id)).status).toBe('sending');
    env.clock.advance(STUCK_AFTER_MS + 1000);
    await env.app.get(JobRouter).runTask('reconcile-sending');
    expect(await env.row(id)).toMatchObject({ status: 'failed', error_code: 'unconfirmed' });
    expect(env.smtp.mails.filter((m) => m.rcptTo.includes(owner.email!))).toHaveLength(0);
  });

  it('lists notifications by case, owner, channel and status (failed ones with their reason), shows one with its receipt timeline', async () => {
    const owner = await factories.createOwner(ds, { mobiles: ['13900000001'] });
    env.twilio.behave('+8613900000001', {
      kind: 'error',
      status: 400,
      code: 21614,
      message: "'To' number is not a valid mobile number",
    });
    const id = await env.request({
      idempotencyKey: key(),
      kind: 'warranty_expiry',
      recipient: { ownerId: owner.id },
      channel: 'sms',
      variables: { estateName: '碧海云天', unitLabel: '5栋', itemName: '屋面', expiresOn: '2027-03-01' },
    });
    await env.waitFor(id, ['failed']);
    const list = await http()
      .get(`/api/v1/notifications?ownerId=${owner.id}&status=failed&channel=sms`)
      .set('Authorization', `Bearer ${rep}`)
      .expect(200);
    expect(list.body).toMatchObject({
      total: 1,
      page: 1,
      items: [
        {
          id,
          status: 'failed',
          errorCode: '21614',
          errorMessage: expect.stringContaining('invalid number'),
          channel: 'sms',
        },
      ],
    });
    const none = await http()
      .get(`/api/v1/notifications?ownerId=${owner.id}&status=delivered`)
      .set('Authorization', `Bearer ${rep}`)
      .expect(200);
    expect(none.body.total).toBe(0);
    const detail = await http().get(`/api/v1/notifications/${id}`).set('Authorization', `Bearer ${rep}`).expect(200);
    expect(detail.body).toMatchObject({
      id,
      body: expect.stringContaining('【客户服务部】'),
      receipts: [{ status: 'failed', source: 'twilio', detail: expect.stringContaining('21614') }],
    });
    const bad = await http()
      .get('/api/v1/notifications?status=lost&page=0')
      .set('Authorization', `Bearer ${rep}`)
      .expect(400);
    expect(bad.body.error.details.fields.map((f: { field: string }) => f.field).sort()).toEqual(['page', 'status.0']);
    const operator = await tokenFor(env.app, 'operator');
    await http().get('/api/v1/notifications').set('Authorization', `Bearer ${operator}`).expect(403);
    await http().get('/api/v1/notifications').expect(401);

    const c = await factories.createCase(ds, { reporterPhone: '13700000002' });
    const byCase = await env.request({
      idempotencyKey: key(),
      kind: 'case_acknowledgement',
      recipient: { caseReporterOf: c.id },
      variables: { caseNumber: c.number, promisedReplyAt: '2026-11-25T10:00:00+08:00' },
    });
    await env.waitFor(byCase, ['sent', 'delivered']);
    const cl = await http()
      .get(`/api/v1/notifications?caseId=${c.id}`)
      .set('Authorization', `Bearer ${rep}`)
      .expect(200);
    // The reporter's number is personal data: masked for staff, as on the case page.
    expect(cl.body.items).toEqual([
      expect.objectContaining({ id: byCase, caseNumber: c.number, toAddress: '137****0002' }),
    ]);
  });

  it("shows a staff message's acknowledgement link only to the person it went to (issue 16, 4)", async () => {
    const manager = await factories.createStaff(ds, {
      role: 'dept_manager',
      name: '工程部经理',
      mobile: '13700000009',
    });
    const managerToken = (
      await env.app.get(AuthService).issue({ id: manager.id, role: 'dept_manager', name: manager.name })
    ).accessToken;
    const ackUrl = 'https://kefu.example.com/scheduler/ack/c2VjcmV0LjE3OTk5OTk5OTk.abcdefghijklmnop';
    const id = await env.request({
      idempotencyKey: key(),
      kind: 'escalation',
      recipient: { staffId: manager.id },
      channel: 'sms',
      variables: {
        caseNumber: 'KF-2026-00099',
        step: 'firstReply',
        stepLabel: '答复客户（承诺答复日期）',
        dueAt: '2026-11-25T02:00:00.000Z',
        ackUrl,
        level: 1,
        fromName: '王工',
        reason: '未在时限内确认提醒',
      },
    });
    await env.waitFor(id, ['sent', 'delivered']);
    const asRep = (await http().get(`/api/v1/notifications/${id}`).set('Authorization', `Bearer ${rep}`).expect(200))
      .body;
    expect(asRep.variables.ackUrl).toBeNull();
    expect(asRep.body).not.toContain('/ack/');
    expect(asRep.body).toContain('[链接仅收件人可见]');
    expect(asRep.toAddress).toBe('137****0009');
    const own = (
      await http().get(`/api/v1/notifications/${id}`).set('Authorization', `Bearer ${managerToken}`).expect(200)
    ).body;
    expect(own.variables.ackUrl).toBe(ackUrl);
    expect(own.body).toContain(ackUrl);
  });

  it('retries a failed notification once however often it is asked, and refuses what is not failed', async () => {
    const owner = await factories.createOwner(ds, { mobiles: ['13900000003'] });
    env.twilio.behave('+8613900000003', { kind: 'error', status: 400, code: 21211 });
    const id = await env.request({
      idempotencyKey: key(),
      kind: 'warranty_expiry',
      recipient: { ownerId: owner.id },
      channel: 'sms',
      variables: { estateName: '碧海云天', unitLabel: '6栋', itemName: '屋面', expiresOn: '2027-03-01' },
    });
    await env.waitFor(id, ['failed']);
    env.twilio.reset();
    const [r1, r2] = await Promise.all([
      http().post(`/api/v1/notifications/${id}/retry`).set('Authorization', `Bearer ${rep}`),
      http().post(`/api/v1/notifications/${id}/retry`).set('Authorization', `Bearer ${rep}`),
    ]);
    expect([r1.status, r2.status].sort()).toEqual([200, 409]);
    expect(await env.waitFor(id, ['delivered'])).toMatchObject({ attempts: 2 });
    expect(env.twilio.messages).toHaveLength(1);
    const again = await http()
      .post(`/api/v1/notifications/${id}/retry`)
      .set('Authorization', `Bearer ${rep}`)
      .expect(409);
    expect(again.body.error.message).toContain('delivered');
    await http()
      .post('/api/v1/notifications/2f1d7a52-3c1e-4a49-9a51-000000000001/retry')
      .set('Authorization', `Bearer ${rep}`)
      .expect(404);
  });

  it('previews a template with variables, 400 naming each bad variable', async () => {
    const ok = await http()
      .post('/api/v1/notification-templates/case_acknowledgement/preview')
      .set('Authorization', `Bearer ${rep}`)
      .send({
        variables: { caseNumber: 'COBZS001-2026-00017', promisedReplyAt: '2026-11-25T10:00:00+08:00' },
        recipientName: '王先生',
      })
      .expect(200);
    expect(ok.body.sms).toEqual({
      body: '【客户服务部】王先生您好：您反映的问题已受理，编号COBZS001-2026-00017，我们将于2026年11月25日 10:00前答复您。',
      segments: 2,
      characters: 71,
    });
    expect(ok.body.email.subject).toBe('[COBZS001-2026-00017] 您的来访已受理（COBZS001-2026-00017）');
    const bad = await http()
      .post('/api/v1/notification-templates/case_acknowledgement/preview')
      .set('Authorization', `Bearer ${rep}`)
      .send({ variables: { promisedReplyAt: 'tomorrow' } })
      .expect(400);
    expect(bad.body.error.details.fields.map((f: { field: string }) => f.field).sort()).toEqual([
      'variables.caseNumber',
      'variables.promisedReplyAt',
    ]);
    await http()
      .post('/api/v1/notification-templates/nonsense/preview')
      .set('Authorization', `Bearer ${rep}`)
      .send({ variables: {} })
      .expect(404);
  });
});
