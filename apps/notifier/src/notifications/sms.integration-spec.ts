import type { DataSource } from 'typeorm';
import { JobRouter, QueueProducer, REDIS } from '@kefu/shared';
import { expectEventually, factories, fakeMobile } from '@kefu/shared/testing';
import { twilioSignature } from '../testing/fake-twilio';
import { startNotifierTestEnv, tomorrowAt, type NotifierTestEnv } from '../testing/notifier-test-env';
import { NotificationDispatcher } from './notification-dispatcher.service';
import { ProviderRateLimiter } from './rate-limiter';
import { NotificationReconciler, STUCK_AFTER_MS } from './notification-reconciler.service';

const warranty = (itemName = '屋面防水') => ({
  estateName: '碧海云天',
  unitLabel: '3栋2单元1502',
  itemName,
  expiresOn: '2027-01-31',
});

describe('notifier: SMS through Twilio', () => {
  let env: NotifierTestEnv;
  let ds: DataSource;
  let seq = 0;
  const key = () => `sms-test:${++seq}:${Date.now()}`;

  beforeAll(async () => {
    env = await startNotifierTestEnv();
    ds = env.db.dataSource;
  });
  afterAll(async () => {
    await env?.close();
  });
  beforeEach(async () => {
    await env.twilio.settled();
    env.twilio.reset();
    env.clock.set(tomorrowAt());
  });

  it('renders, signs and sends a requested SMS once, with a status callback, and records delivery receipts', async () => {
    const owner = await factories.createOwner(ds);
    const id = await env.request({
      idempotencyKey: key(),
      kind: 'warranty_expiry',
      recipient: { ownerId: owner.id },
      variables: warranty(),
    });
    const row = await env.waitFor(id, ['delivered']);
    expect(env.twilio.messages).toHaveLength(1);
    const m = env.twilio.messages[0]!;
    expect(m).toMatchObject({
      to: `+86${owner.mobiles[0]}`,
      messagingServiceSid: expect.stringMatching(/^MG/),
      statusCallback: `${env.baseUrl}/webhooks/twilio/status?n=${id}&a=1`,
    });
    expect(m.body).toBe(
      '【客户服务部】张三您好：您的房屋碧海云天3栋2单元1502的「屋面防水」保修期将于2027年1月31日届满，如有问题请在此之前报修。',
    );
    expect(row).toMatchObject({
      channel: 'sms',
      status: 'delivered',
      provider_id: m.sid,
      to_address: owner.mobiles[0],
      body: m.body,
      segments: m.body.length <= 70 ? 1 : 2,
      attempts: 1,
    });
    expect(row.delivered_at).not.toBeNull();
    // The worker's record of the send and the two callbacks, in whatever order they committed.
    const receipts = await expectEventually(async () => {
      const r = await env.receipts(id);
      expect(r.map((x) => `${x.source}:${x.status}`).sort()).toEqual([
        'twilio:delivered',
        'twilio:sent',
        'twilio:sent',
      ]);
      return r;
    });
    expect(receipts.find((r) => r.status === 'delivered')!.raw).toMatchObject({
      MessageSid: m.sid,
      MessageStatus: 'delivered',
    });
    expect(receipts.find((r) => r.dedupe_key === `twilio:sent:${id}:1`)!.raw).toMatchObject({ sid: m.sid });
    expect(env.twilio.callbacks.every((c) => c.status === 204)).toBe(true);
  });

  it('sends one message when the same job is delivered twice (and a sweep races it)', async () => {
    const owner = await factories.createOwner(ds);
    const id = await env.request({
      idempotencyKey: key(),
      kind: 'warranty_expiry',
      recipient: { ownerId: owner.id },
      variables: warranty('外墙'),
    });
    const dispatcher = env.app.get(NotificationDispatcher);
    const producer = env.app.get(QueueProducer);
    await Promise.all([
      dispatcher.process(id),
      dispatcher.process(id),
      producer.enqueue('notification-requested', { notificationId: id }),
      producer.enqueue('notification-requested', { notificationId: id }),
      env.app.get(JobRouter).runTask('send-due'),
    ]);
    await env.waitFor(id, ['delivered']);
    await env.twilio.settled();
    expect(env.twilio.messages.filter((x) => x.to === `+86${owner.mobiles[0]}`)).toHaveLength(1);
    expect((await env.row(id)).attempts).toBe(1);
  });

  it('answers the status webhook ahead of Express: an oversized form is refused as the API refuses it; other paths and methods go on to the app', async () => {
    const url = `${env.baseUrl}/webhooks/twilio/status?n=x&a=1`;
    const big = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `Body=${'x'.repeat(1024 * 1024 + 10)}`,
    });
    expect(big.status).toBe(413);
    expect(await big.json()).toEqual({
      error: { code: 'payload_too_large', message: 'The request body is too large.' },
    });
    const unsigned = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'MessageStatus=delivered',
    });
    expect(unsigned.status).toBe(403);
    expect(((await unsigned.json()) as { error: { code: string } }).error.code).toBe('forbidden');
    // Not the webhook: Express and Nest answer (no such route), as before.
    for (const [method, path] of [
      ['GET', '/webhooks/twilio/status'],
      ['POST', '/webhooks/twilio/statuses'],
    ] as const) {
      const r = await fetch(`${env.baseUrl}${path}`, { method });
      expect(r.status).toBe(404);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe('not_found');
    }
    expect((await fetch(`${env.baseUrl}/healthz`)).status).toBe(200);
  });

  it('refuses a callback with a bad or missing signature (403, nothing changes) and applies only forward transitions', async () => {
    const owner = await factories.createOwner(ds);
    env.twilio.defaultCallbacks = { kind: 'callbacks', statuses: ['delivered'] };
    const id = await env.request({
      idempotencyKey: key(),
      kind: 'warranty_expiry',
      recipient: { ownerId: owner.id },
      variables: warranty('门窗'),
    });
    const row = await env.waitFor(id, ['delivered']);
    await env.twilio.settled();
    const url = `${env.baseUrl}/webhooks/twilio/status?n=${id}&a=1`;
    const params = {
      AccountSid: env.twilio.accountSid,
      MessageSid: row.provider_id!,
      MessageStatus: 'undelivered',
      SmsSid: row.provider_id!,
      SmsStatus: 'undelivered',
      To: `+86${owner.mobiles[0]}`,
      ErrorCode: '30005',
    };
    // The callback can overtake the worker's own record of the send: wait for both.
    const before = (
      await expectEventually(async () => {
        const r = await env.receipts(id);
        expect(r.map((x) => x.status).sort()).toEqual(['delivered', 'sent']);
        return r;
      })
    ).length;
    expect(await env.twilio.postSigned(url, params, 'bm90IGEgc2lnbmF0dXJl')).toBe(403);
    expect(await env.twilio.postSigned(url, params, null)).toBe(403);
    expect(await env.twilio.postSigned(url, params, twilioSignature('some-other-token-0000000000', url, params))).toBe(
      403,
    );
    expect((await env.receipts(id)).length).toBe(before);
    // A late "sent" and a late "undelivered" after "delivered": recorded as receipts, the status stays.
    expect(
      await env.twilio.postSigned(url, { ...params, MessageStatus: 'sent', SmsStatus: 'sent', ErrorCode: '' }),
    ).toBe(204);
    expect(await env.twilio.postSigned(url, params)).toBe(204);
    // A replay of the same callback adds nothing.
    expect(await env.twilio.postSigned(url, params)).toBe(204);
    expect(await env.row(id)).toMatchObject({ status: 'delivered' });
    expect((await env.receipts(id)).map((r) => r.status).slice(2)).toEqual(['sent', 'undelivered']);
  });

  it('keeps a late callback about an earlier attempt as a receipt without moving the status', async () => {
    const owner = await factories.createOwner(ds);
    env.twilio.defaultCallbacks = { kind: 'callbacks', statuses: ['sent'] };
    const id = await env.request({
      idempotencyKey: key(),
      kind: 'warranty_expiry',
      recipient: { ownerId: owner.id },
      variables: warranty('阳台'),
    });
    const row = await env.waitFor(id, ['sent']);
    await env.twilio.settled();
    const params = {
      AccountSid: env.twilio.accountSid,
      MessageSid: row.provider_id!,
      MessageStatus: 'delivered',
      SmsSid: row.provider_id!,
      SmsStatus: 'delivered',
      To: `+86${owner.mobiles[0]}`,
    };
    expect(await env.twilio.postSigned(`${env.baseUrl}/webhooks/twilio/status?n=${id}&a=7`, params)).toBe(204);
    expect((await env.row(id)).status).toBe('sent');
    expect((await env.receipts(id)).map((r) => r.status)).toContain('delivered');
  });

  it('classifies Twilio errors in one place: invalid number fails without retry; STOP opts the owner out', async () => {
    const bad = await factories.createOwner(ds);
    env.twilio.behave(`+86${bad.mobiles[0]}`, { kind: 'error', status: 400, code: 21211 });
    const a = await env.request({
      idempotencyKey: key(),
      kind: 'warranty_expiry',
      recipient: { ownerId: bad.id },
      variables: warranty(),
    });
    expect(await env.waitFor(a, ['failed'])).toMatchObject({
      error_code: '21211',
      attempts: 1,
      error_message: expect.stringContaining('invalid number'),
    });
    expect(env.twilio.requests.filter((r) => r.method === 'POST')).toHaveLength(1);

    const stop = await factories.createOwner(ds);
    env.twilio.behave(`+86${stop.mobiles[0]}`, {
      kind: 'error',
      status: 400,
      code: 21610,
      message: 'Attempt to send to unsubscribed recipient',
    });
    const b = await env.request({
      idempotencyKey: key(),
      kind: 'case_acknowledgement',
      recipient: { ownerId: stop.id },
      variables: { caseNumber: 'KF-2026-00001', promisedReplyAt: '2026-11-25T10:00:00+08:00' },
    });
    expect(await env.waitFor(b, ['failed'])).toMatchObject({ error_code: '21610' });
    const [o] = await ds.query(`SELECT opt_outs FROM owners WHERE id = $1`, [stop.id]);
    expect(o.opt_outs).toEqual(['sms']);
    // Next time the notifier chooses another channel for this owner.
    const c = await env.request({
      idempotencyKey: key(),
      kind: 'case_acknowledgement',
      recipient: { ownerId: stop.id },
      variables: { caseNumber: 'KF-2026-00002', promisedReplyAt: '2026-11-25T10:00:00+08:00' },
    });
    expect(await env.waitFor(c, ['sent'])).toMatchObject({ channel: 'email', to_address: stop.email });
  });

  it('retries 429 and 5xx with exponential backoff, then sends', async () => {
    const owner = await factories.createOwner(ds);
    env.twilio.failNext(1, 503);
    env.twilio.failNext(1, 429);
    const id = await env.request({
      idempotencyKey: key(),
      kind: 'warranty_expiry',
      recipient: { ownerId: owner.id },
      variables: warranty('电梯'),
    });
    const first = await expectRetry(id, 1);
    expect(first.error_code).toBe('20500');
    const wait1 = new Date(first.not_before).getTime() - env.clock.now().getTime();
    env.clock.advance(wait1);
    await env.app.get(JobRouter).runTask('send-due');
    const second = await expectRetry(id, 2);
    expect(second.error_code).toBe('20429');
    expect(new Date(second.not_before).getTime() - env.clock.now().getTime()).toBe(2 * wait1);
    env.clock.advance(2 * wait1);
    await env.app.get(JobRouter).runTask('send-due');
    expect(await env.waitFor(id, ['sent', 'delivered'])).toMatchObject({ attempts: 3 });
    expect((await env.receipts(id)).filter((r) => r.status === 'retry')).toHaveLength(2);
  });

  it('never sends again when Twilio took the message but its answer was lost: a callback or the reconciler settles it', async () => {
    const dispatcher = env.app.get(NotificationDispatcher);
    const unconfirmed = async (item: string, callbacks: boolean) => {
      const owner = await factories.createOwner(ds);
      if (!callbacks) env.twilio.behave(`+86${owner.mobiles[0]}`, { kind: 'callbacks', statuses: [] });
      env.twilio.dropNext(1);
      const id = await env.request({
        idempotencyKey: key(),
        kind: 'warranty_expiry',
        recipient: { ownerId: owner.id },
        variables: warranty(item),
      });
      await expectEventually(async () =>
        expect((await env.receipts(id)).map((r) => r.status)).toContain('unconfirmed'),
      );
      return id;
    };
    // No callback comes: the row stays "sending"; jobs and sweeps leave it alone, the reconciler finds the message.
    const lost = await unconfirmed('门窗', false);
    expect(await env.row(lost)).toMatchObject({ status: 'sending', attempts: 1, provider_id: null });
    await Promise.all([dispatcher.process(lost), env.app.get(JobRouter).runTask('send-due')]);
    expect(env.twilio.messages).toHaveLength(1);
    env.clock.advance(STUCK_AFTER_MS + 1000);
    expect(await env.app.get(NotificationReconciler).reconcile()).toMatchObject({ recorded: 1, requeued: 0 });
    expect(await env.row(lost)).toMatchObject({
      status: 'sent',
      attempts: 1,
      provider_id: env.twilio.messages[0]!.sid,
    });
    // Twilio's callbacks come: they settle the row without waiting for the reconciler.
    const answered = await unconfirmed('地漏', true);
    const row = await env.waitFor(answered, ['delivered']);
    expect(env.twilio.messages).toHaveLength(2);
    expect(row).toMatchObject({ attempts: 1, provider_id: env.twilio.messages[1]!.sid });
  });

  it('finds the stuck message however many others the number got since (every page of the list)', async () => {
    const staffLike = await factories.createOwner(ds);
    const to = `+86${staffLike.mobiles[0]}`;
    env.twilio.behave(to, { kind: 'callbacks', statuses: [] });
    env.twilio.dropNext(1);
    const id = await env.request({
      idempotencyKey: key(),
      kind: 'warranty_expiry',
      recipient: { ownerId: staffLike.id },
      variables: warranty('阳台'),
    });
    await expectEventually(async () => expect((await env.row(id)).status).toBe('sending'));
    await expectEventually(async () => expect((await env.receipts(id)).map((r) => r.status)).toContain('unconfirmed'));
    const [sought] = env.twilio.messages;
    // 1,200 later messages to the same number: the one sought is on the list's second page of 1,000.
    for (let i = 0; i < 1200; i++)
      env.twilio.messages.push({
        ...sought!,
        sid: `SM${String(i).padStart(32, '0')}`,
        body: `其他提醒 ${i}`,
        history: [],
      });
    env.clock.advance(STUCK_AFTER_MS + 1000);
    expect(await env.app.get(NotificationReconciler).reconcile()).toMatchObject({ recorded: 1, requeued: 0 });
    expect(await env.row(id)).toMatchObject({ status: 'sent', provider_id: sought!.sid });
  });

  function expectRetry(id: string, attempts: number) {
    return expectEventually(async () => {
      const r = await env.row(id);
      expect(r).toMatchObject({ status: 'pending', attempts });
      return r;
    });
  }

  it('defers non-urgent SMS in quiet hours (21:00–08:00 Shanghai) to 08:00, sends urgent ones at once', async () => {
    env.clock.set(tomorrowAt('22:30'));
    const owner = await factories.createOwner(ds);
    const calm = await env.request({
      idempotencyKey: key(),
      kind: 'warranty_expiry',
      recipient: { ownerId: owner.id },
      variables: warranty('地下室'),
    });
    const urgent = await env.request({
      idempotencyKey: key(),
      kind: 'escalation',
      recipient: { ownerId: owner.id },
      urgent: true,
      variables: {
        caseNumber: 'KF-2026-00009',
        step: 'solution',
        stepLabel: '处理方案',
        dueAt: '2026-11-25T10:00:00+08:00',
        level: 2,
        reason: '超时未确认',
        ackUrl: 'https://kefu.example.com/ack/x',
      },
    });
    await env.waitFor(urgent, ['sent', 'delivered']);
    const morning = new Date(new Date(tomorrowAt('08:00')).getTime() + 86_400_000);
    const deferred = await expectEventually(async () => {
      const r = await env.row(calm);
      expect(r).toMatchObject({ status: 'pending', not_before: morning });
      return r;
    });
    expect(deferred.attempts).toBe(0);
    expect((await env.receipts(calm)).map((r) => r.status)).toEqual(['deferred']);
    env.clock.set(morning);
    await env.app.get(JobRouter).runTask('send-due');
    await env.waitFor(calm, ['sent', 'delivered']);
  });

  it('sends the same text to the same number at most 3 times in 24 hours', async () => {
    const owner = await factories.createOwner(ds);
    const ids: string[] = [];
    for (let i = 0; i < 4; i++)
      ids.push(
        await env.request({
          idempotencyKey: key(),
          kind: 'warranty_expiry',
          recipient: { ownerId: owner.id },
          channel: 'sms',
          variables: warranty('同一条'),
        }),
      );
    const rows = await Promise.all(ids.map((id) => env.waitFor(id, ['sent', 'delivered', 'failed'])));
    expect(rows.filter((r) => r.status === 'failed').map((r) => r.error_code)).toEqual(['duplicate_limit']);
    expect(env.twilio.messages).toHaveLength(3);
    // A day later it may go again.
    env.clock.advance(24 * 3600_000 + 1000);
    const later = await env.request({
      idempotencyKey: key(),
      kind: 'warranty_expiry',
      recipient: { ownerId: owner.id },
      channel: 'sms',
      variables: warranty('同一条'),
    });
    await env.waitFor(later, ['sent', 'delivered']);
  });

  it('never carries a name a stranger typed to an unverified number, and sends one number at most 3 acknowledgements a day (issue 16, 1)', async () => {
    const victim = fakeMobile();
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      // The web form's `name` field, aimed at a stranger's phone: each case a new number, so each text differs.
      const c = await factories.createCase(ds, {
        channel: 'web',
        reporterName: '账户异常请登录 http://x.cn',
        reporterPhone: victim,
        reporterEmail: null,
      });
      ids.push(
        await env.request({
          idempotencyKey: key(),
          kind: 'case_acknowledgement',
          recipient: { caseReporterOf: c.id },
          channel: 'sms',
          variables: { caseNumber: c.number, promisedReplyAt: '2026-12-09T10:00:00.000Z' },
        }),
      );
    }
    const rows = await Promise.all(ids.map((id) => env.waitFor(id, ['sent', 'delivered', 'failed'])));
    expect(rows.filter((r) => r.status === 'failed').map((r) => r.error_code)).toEqual(['recipient_limit']);
    const texts = env.twilio.messages.filter((m) => m.to.endsWith(victim.slice(-11))).map((m) => m.body);
    expect(texts).toHaveLength(3);
    for (const t of texts) {
      expect(t).not.toContain('http');
      expect(t).not.toContain('账户异常');
      expect(t).toMatch(/您好：您反映的问题已受理/);
    }
    // A matched owner is greeted by the name we hold, not by what was typed.
    const owner = await factories.createOwner(ds, { name: '林晓', mobiles: [fakeMobile()] });
    const c = await factories.createCase(ds, {
      ownerId: owner.id,
      reporterName: '点此领奖 x.cn',
      reporterPhone: owner.mobiles[0],
    });
    const id = await env.request({
      idempotencyKey: key(),
      kind: 'case_acknowledgement',
      recipient: { caseReporterOf: c.id },
      channel: 'sms',
      variables: { caseNumber: c.number, promisedReplyAt: '2026-12-09T10:00:00.000Z' },
    });
    expect((await env.waitFor(id, ['sent', 'delivered'])).body).toContain('林晓您好');
  });

  it('counts Chinese text in UCS-2 segments (70, then 67 per part)', async () => {
    const owner = await factories.createOwner(ds, { mobiles: [fakeMobile()] });
    const id = await env.request({
      idempotencyKey: key(),
      kind: 'case_reply',
      recipient: { ownerId: owner.id },
      channel: 'sms',
      variables: { caseNumber: 'KF-2026-00003', replyText: '维'.repeat(150) },
    });
    const row = await env.waitFor(id, ['sent', 'delivered']);
    expect(row.segments).toBe(Math.ceil(row.body.length / 67));
    expect(row.body.length).toBeGreaterThan(140);
  });

  it('limits provider calls per second per provider, across replicas (a window in Redis)', async () => {
    const config = { ...env.config, SMS_RATE_PER_SECOND: 5, QUEUE_PREFIX: `${env.config.QUEUE_PREFIX}rl` };
    const replicas = [
      new ProviderRateLimiter(env.app.get(REDIS), config),
      new ProviderRateLimiter(env.app.get(REDIS), config),
    ];
    const t0 = Date.now();
    // Each grant is counted against the window it was granted in (the time it resolves may already be in the
    // next second on a loaded machine, which is how CI once saw 6 in one second).
    const windows = await Promise.all(Array.from({ length: 12 }, (_, i) => replicas[i % 2]!.acquire('sms')));
    const perSecond = new Map<number, number>();
    for (const w of windows) perSecond.set(w!, (perSecond.get(w!) ?? 0) + 1);
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(5);
    expect(perSecond.size).toBeGreaterThanOrEqual(3);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    // Email has its own budget.
    await replicas[0]!.acquire('email');
  });
});
