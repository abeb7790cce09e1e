import { join } from 'node:path';
import { startLocalDomesticSms, startLocalOutboxServer, type LocalDomesticSms } from '@kefu/shared';
import { factories } from '@kefu/shared/testing';
import { startNotifierTestEnv, type NotifierTestEnv } from '../testing/notifier-test-env';

/** `npm start`'s local Alibaba Cloud / Tencent Cloud SMS with the shipped example mapping, and the Local outbox. */
describe('npm start: a +86 owner’s SMS through the local Alibaba Cloud SMS', () => {
  let env: NotifierTestEnv;
  let local: LocalDomesticSms;

  beforeAll(async () => {
    local = await startLocalDomesticSms({
      notifierUrl: 'http://127.0.0.1:9',
      templatesFile: join(__dirname, '../../../../tools/sms-templates.example.json'),
    });
    env = await startNotifierTestEnv(local.env);
    for (const g of [local.aliyun, local.tencent]) {
      g.receiptUrl = g.receiptUrl!.replace('http://127.0.0.1:9', env.baseUrl);
      g.reportDelayMs = 0;
      g.now = () => env.clock.now();
    }
  });
  afterAll(async () => {
    await env?.close();
    await local?.stop();
  });

  it('sends the acknowledgement with the example template, takes its receipt, and lists it in the Local outbox', async () => {
    const owner = await factories.createOwner(env.db.dataSource);
    const id = await env.request({
      idempotencyKey: `local-domestic:${Date.now()}`,
      kind: 'case_acknowledgement',
      recipient: { ownerId: owner.id },
      variables: { caseNumber: 'COBZS001-2026-00017', promisedReplyAt: '2026-11-25T10:00:00+08:00' },
    });
    const row = await env.waitFor(id, ['delivered']);
    expect(row.sms_route).toBe('aliyun');
    expect(local.aliyun.messages).toHaveLength(1);
    expect(local.aliyun.messages[0]!.text).toBe(
      '【客户服务部】您的来电/来函已受理，案件编号COBZS001-2026-00017，我们将于2026年11月25日10:00前答复您。',
    );
    const outbox = await startLocalOutboxServer({ port: 0, domesticSms: local });
    try {
      const body = (await (await fetch(`${outbox.url}/outbox`)).json()) as {
        sms: Array<{ from: string; to: string; body: string; status: string }>;
      };
      expect(body.sms[0]).toMatchObject({
        from: '阿里云短信 SMS_460100001',
        to: `+86${owner.mobiles[0]}`,
        body: local.aliyun.messages[0]!.text,
        status: 'delivered',
      });
    } finally {
      await outbox.stop();
    }
  });
});
