import type { DataSource } from 'typeorm';
import { expectEventually, factories } from '@kefu/shared/testing';
import { startDomesticSmsFakes, TEST_RECEIPT_TOKEN } from '../testing/domestic-sms-fakes';
import { startNotifierTestEnv, tomorrowAt, type NotifierTestEnv } from '../testing/notifier-test-env';
import { NotificationDispatcher } from '../notifications/notification-dispatcher.service';
import { NotificationReconciler, STUCK_AFTER_MS } from '../notifications/notification-reconciler.service';

const warranty = (itemName = '屋面防水') => ({
  estateName: '碧海云天',
  unitLabel: '3栋2单元1502',
  itemName,
  expiresOn: '2027-01-31',
});

describe('notifier: domestic SMS (Alibaba Cloud primary, Tencent Cloud secondary) beside Twilio', () => {
  let env: NotifierTestEnv;
  let fakes: Awaited<ReturnType<typeof startDomesticSmsFakes>>;
  let ds: DataSource;
  let seq = 0;
  const key = () => `domestic-sms:${++seq}:${Date.now()}`;
  const ask = async (itemName?: string, o: Parameters<typeof factories.createOwner>[1] = {}) => {
    const owner = await factories.createOwner(ds, o);
    const id = await env.request({
      idempotencyKey: key(),
      kind: 'warranty_expiry',
      recipient: { ownerId: owner.id },
      variables: warranty(itemName),
    });
    return { owner, id };
  };

  beforeAll(async () => {
    fakes = await startDomesticSmsFakes('aliyun', 'tencent');
    env = await startNotifierTestEnv(fakes.overrides);
    fakes.connect(env.baseUrl, () => env.clock.now());
    ds = env.db.dataSource;
  });
  afterAll(async () => {
    await env?.close();
    await fakes?.stop();
  });
  beforeEach(async () => {
    await fakes.aliyun.settled();
    await fakes.tencent.settled();
    fakes.aliyun.reset();
    fakes.tencent.reset();
    env.twilio.reset();
    env.clock.set(tomorrowAt());
  });

  it('sends a +86 owner’s SMS once through Alibaba Cloud with the approved template, and takes its receipt', async () => {
    const { owner, id } = await ask();
    const row = await env.waitFor(id, ['delivered']);
    expect(fakes.aliyun.messages).toHaveLength(1);
    expect(fakes.tencent.messages).toHaveLength(0);
    expect(env.twilio.messages).toHaveLength(0);
    const m = fakes.aliyun.messages[0]!;
    expect(m).toMatchObject({ to: owner.mobiles[0], template: 'SMS_460000001', outId: `${id}.1` });
    expect(m.text).toBe(
      `【碧海物业】${owner.name}您好：您的房屋碧海云天3栋2单元1502的「屋面防水」保修期将于2027年1月31日届满，如有问题请在此之前报修。`,
    );
    expect(row).toMatchObject({ sms_route: 'aliyun', provider_id: m.id, attempts: 1 });
    const receipts = await expectEventually(async () => {
      const r = await env.receipts(id);
      expect(r.map((x) => `${x.source}:${x.status}`).sort()).toEqual(['aliyun:delivered', 'aliyun:sent']);
      return r;
    });
    expect(receipts.find((r) => r.status === 'delivered')!.dedupe_key).toBe(`aliyun:${m.id}:delivered`);
    expect(fakes.aliyun.pushes.every((p) => p.status === 200)).toBe(true);
    expect(fakes.aliyun.requests.every((r) => r.ok)).toBe(true);
  });

  it('routes a number outside mainland China to Twilio and records the route', async () => {
    const { id } = await ask(undefined, { mobiles: ['+85291234567'] });
    const row = await env.waitFor(id, ['delivered']);
    expect(env.twilio.messages).toHaveLength(1);
    expect(fakes.aliyun.messages).toHaveLength(0);
    expect(row.sms_route).toBe('twilio');
  });

  it('applies replayed and out-of-order receipts once and only forward', async () => {
    fakes.aliyun.autoReport = false;
    const { id } = await ask();
    await env.waitFor(id, ['sent']);
    const m = fakes.aliyun.messages[0]!;
    await fakes.aliyun.report(m);
    await fakes.aliyun.report(m, true); // replayed
    await env.waitFor(id, ['delivered']);
    // A late failure report for the same message (carriers' reports cross): kept, moves nothing back.
    m.status = 'failed';
    m.errCode = 'MK:0001';
    await fakes.aliyun.report(m, true);
    const r = await env.receipts(id);
    expect(r.filter((x) => x.status === 'delivered')).toHaveLength(1);
    expect(r.filter((x) => x.status === 'undelivered')).toHaveLength(1);
    expect((await env.row(id)).status).toBe('delivered');
    expect(fakes.aliyun.messages).toHaveLength(1);
  });

  it('refuses receipts without the secret path token', async () => {
    const res = await fetch(`${env.baseUrl}/webhooks/sms/aliyun/not-the-token-000000`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ biz_id: '1', out_id: 'x', success: true }]),
    });
    expect(res.status).toBe(403);
    const ok = await fetch(`${env.baseUrl}/webhooks/sms/tencent/${TEST_RECEIPT_TOKEN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '[]',
    });
    expect(await ok.json()).toEqual({ result: 0, errmsg: 'OK' });
  });

  it.each([
    ['isv.MOBILE_NUMBER_ILLEGAL', 'failed', /invalid number/],
    ['isv.TEMPLATE_MISSING_PARAMETERS', 'failed', /template or signature refused/],
    ['isv.BUSINESS_LIMIT_CONTROL', 'pending', /provider frequency limit/],
  ])('classifies Alibaba Cloud %s', async (code, status, message) => {
    const owner = await factories.createOwner(ds);
    fakes.aliyun.behave(owner.mobiles[0]!, { kind: 'error', code });
    const id = await env.request({
      idempotencyKey: key(),
      kind: 'warranty_expiry',
      recipient: { ownerId: owner.id },
      variables: warranty(),
    });
    const row = await expectEventually(async () => {
      const r = await env.row(id);
      expect(r.error_code).toBe(code);
      return r;
    });
    expect(row.status).toBe(status);
    expect(row.error_message).toMatch(message);
    expect(fakes.aliyun.messages).toHaveLength(0);
    expect(fakes.tencent.messages).toHaveLength(0);
    if (status === 'pending') expect(row.not_before.getTime()).toBeGreaterThan(env.clock.now().getTime() + 50_000);
    // The failure's receipt names the provider that refused it, not Twilio.
    const receipts = await ds.query<Array<{ source: string }>>(
      `SELECT source FROM notification_receipts WHERE notification_id = $1 AND status <> 'sending'`,
      [id],
    );
    expect(receipts.map((r) => r.source)).toEqual(['aliyun']);
  });

  it('tells the administrators by email, once a day per template, when a provider refuses our template', async () => {
    const admin = await factories.createStaff(ds, { role: 'admin' });
    const refused = async () => {
      const owner = await factories.createOwner(ds);
      fakes.aliyun.behave(owner.mobiles[0]!, { kind: 'error', code: 'isv.TEMPLATE_MISSING_PARAMETERS' });
      const id = await env.request({
        idempotencyKey: key(),
        kind: 'warranty_expiry',
        recipient: { ownerId: owner.id },
        variables: warranty(),
      });
      await expectEventually(async () => expect((await env.row(id)).status).toBe('failed'));
    };
    await refused();
    await refused();
    const alerts = await ds.query<Array<{ channel: string; variables: Record<string, string> }>>(
      `SELECT channel, variables FROM notifications WHERE kind = 'sms_template_refused' AND staff_id = $1`,
      [admin.id],
    );
    expect(alerts).toEqual([
      {
        channel: 'email',
        variables: expect.objectContaining({
          provider: 'aliyun',
          refusedKind: 'warranty_expiry',
          code: 'isv.TEMPLATE_MISSING_PARAMETERS',
        }),
      },
    ]);
  });

  it('fails over to Tencent Cloud when Alibaba Cloud is down, and records the opt-out Tencent reports', async () => {
    fakes.aliyun.outages = 1;
    const { id } = await ask();
    const row = await env.waitFor(id, ['delivered']);
    expect(fakes.aliyun.messages).toHaveLength(0);
    expect(fakes.tencent.messages).toHaveLength(1);
    expect(row).toMatchObject({ sms_route: 'tencent', provider_id: fakes.tencent.messages[0]!.id });

    fakes.aliyun.outages = 1;
    const owner = await factories.createOwner(ds);
    fakes.tencent.behave(owner.mobiles[0]!, { kind: 'error', code: 'FailedOperation.PhoneNumberInBlacklist' });
    const id2 = await env.request({
      idempotencyKey: key(),
      kind: 'warranty_expiry',
      recipient: { ownerId: owner.id },
      variables: warranty(),
    });
    const failed = await env.waitFor(id2, ['failed']);
    expect(failed.error_code).toBe('FailedOperation.PhoneNumberInBlacklist');
    const [o] = await ds.query<Array<{ opt_outs: string[] }>>(`SELECT opt_outs FROM owners WHERE id = $1`, [owner.id]);
    expect(o!.opt_outs).toContain('sms');
    expect(fakes.tencent.messages).toHaveLength(1);
  });

  it('defers a second SMS of the same template to the same number within a minute instead of sending it', async () => {
    const owner = await factories.createOwner(ds);
    const send = (item: string) =>
      env.request({
        idempotencyKey: key(),
        kind: 'warranty_expiry',
        recipient: { ownerId: owner.id },
        variables: warranty(item),
      });
    const first = await send('屋面防水');
    await env.waitFor(first, ['delivered']);
    const second = await send('外墙渗漏');
    const deferred = await expectEventually(async () => {
      const r = await env.row(second);
      expect(r.error_code).toBe('frequency_limit');
      return r;
    });
    expect(deferred.status).toBe('pending');
    expect(fakes.aliyun.messages).toHaveLength(1);
    env.clock.advance(61_000);
    await env.app.get(NotificationReconciler).sendDue();
    const sent = await env.waitFor(second, ['sent', 'delivered']);
    // Sent on its next attempt, never refused by the provider's own limit (isv.BUSINESS_LIMIT_CONTROL).
    expect(sent.error_code).not.toBe('isv.BUSINESS_LIMIT_CONTROL');
    expect(fakes.aliyun.messages.filter((m) => m.to === owner.mobiles[0])).toHaveLength(2);
  });

  it.each(['aliyun', 'tencent'] as const)(
    'never sends again when %s took the SMS but its answer was lost: the reconciler finds it by its out id',
    async (provider) => {
      // Tencent's status pull lists a message once its report exists; Alibaba Cloud's query lists it at once.
      if (provider === 'tencent') fakes.aliyun.outages = 1;
      else fakes.aliyun.autoReport = false;
      const gateway = fakes[provider];
      gateway.drops = 1;
      const { id } = await ask();
      await expectEventually(async () =>
        expect((await env.receipts(id)).map((r) => r.status)).toContain('unconfirmed'),
      );
      await gateway.settled();
      expect(await env.row(id)).toMatchObject({ status: 'sending', attempts: 1, sms_route: provider });
      await env.app.get(NotificationDispatcher).process(id);
      expect(gateway.messages).toHaveLength(1);
      env.clock.advance(STUCK_AFTER_MS + 1000);
      expect(await env.app.get(NotificationReconciler).reconcile()).toMatchObject({ recorded: 1, requeued: 0 });
      expect(await env.row(id)).toMatchObject({ status: 'sent', attempts: 1, sms_route: provider });
      expect(fakes.aliyun.messages.length + fakes.tencent.messages.length).toBe(1);
    },
  );

  it.each(['aliyun', 'tencent'] as const)(
    'reconciles a %s send whose worker died before recording it: exactly one SMS',
    async (provider) => {
      if (provider === 'tencent') fakes.aliyun.outages = 1;
      else fakes.aliyun.autoReport = false;
      const dispatcher = env.app.get(NotificationDispatcher);
      const crash = jest.spyOn(dispatcher, 'record').mockRejectedValueOnce(new Error('worker killed'));
      const { id } = await ask();
      const gateway = fakes[provider];
      await expectEventually(() => expect(gateway.messages).toHaveLength(1));
      await expectEventually(() => expect(crash).toHaveBeenCalled());
      crash.mockRestore();
      await gateway.settled();
      const stuck = await env.row(id);
      expect(stuck.status).toBe('sending');
      // Not yet 'tencent' (recorded with the send): null, or 'aliyun' when Alibaba Cloud refused first. The
      // reconciler asks every provider a +86 mobile may have gone to.
      expect(stuck.sms_route).not.toBe('tencent');
      env.clock.advance(STUCK_AFTER_MS + 1000);
      const r = await env.app.get(NotificationReconciler).reconcile();
      expect(r.recorded).toBe(1);
      const row = await env.row(id);
      expect(row.status).toBe('sent');
      expect(row.sms_route).toBe(provider);
      expect(row.provider_id).toBe(provider === 'tencent' ? gateway.messages[0]!.id : `out:${id}.1`);
      if (provider === 'aliyun') {
        await gateway.report(gateway.messages[0]!);
        expect(await env.waitFor(id, ['delivered'])).toMatchObject({ provider_id: gateway.messages[0]!.id });
      }
      expect(gateway.messages).toHaveLength(1);
      expect(fakes.aliyun.messages.length + fakes.tencent.messages.length).toBe(1);
    },
  );
});
