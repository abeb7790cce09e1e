import { quietUntil } from './quiet-hours';
import { messageIdFor, returnPathFor } from './smtp-email.sender';
import { forChannel, renderTemplate, smsSegments, TemplateVariablesError } from './templates';
import { classifyTwilioError } from './twilio-errors';
import { backoffMs } from './notification-dispatcher.service';

describe('SMS segments', () => {
  it('counts UCS-2 text as 70 single / 67 per part, and pure ASCII as GSM-7 160 / 153', () => {
    expect(smsSegments('维'.repeat(70))).toBe(1);
    expect(smsSegments('维'.repeat(71))).toBe(2);
    expect(smsSegments('维'.repeat(134))).toBe(2);
    expect(smsSegments('维'.repeat(135))).toBe(3);
    expect(smsSegments('a'.repeat(160))).toBe(1);
    expect(smsSegments('a'.repeat(161))).toBe(2);
    expect(smsSegments(`${'a'.repeat(100)}€`)).toBe(2);
  });
});

describe('quiet hours', () => {
  const q = (at: string) => quietUntil(new Date(at), '21:00-08:00', 'Asia/Shanghai')?.toISOString() ?? null;
  it('defers 21:00–08:00 Shanghai to the next 08:00, and lets the day through', () => {
    expect(q('2026-11-24T20:59:59+08:00')).toBeNull();
    expect(q('2026-11-24T21:00:00+08:00')).toBe('2026-11-25T00:00:00.000Z');
    expect(q('2026-11-25T03:10:00+08:00')).toBe('2026-11-25T00:00:00.000Z');
    expect(q('2026-11-25T08:00:00+08:00')).toBeNull();
    expect(quietUntil(new Date('2026-11-24T13:30:00+08:00'), '12:00-14:00', 'Asia/Shanghai')?.toISOString()).toBe(
      '2026-11-24T06:00:00.000Z',
    );
  });
});

describe('Twilio error classification', () => {
  it('maps invalid numbers, opt-outs, carrier failures and transient errors', () => {
    expect(classifyTwilioError({ status: 400, code: 21211 })).toMatchObject({ kind: 'failed', code: '21211' });
    expect(classifyTwilioError({ status: 400, code: 21614 })).toMatchObject({ kind: 'failed', code: '21614' });
    expect(classifyTwilioError({ status: 400, code: 21610 })).toMatchObject({ kind: 'failed', optOut: true });
    for (const code of [30003, 30005, 30008])
      expect(classifyTwilioError({ status: 400, code })).toMatchObject({ kind: 'failed', undelivered: true });
    expect(classifyTwilioError({ status: 429, code: 20429 })).toMatchObject({ kind: 'retry' });
    expect(classifyTwilioError({ status: 503 })).toMatchObject({ kind: 'retry', code: 'http_503' });
    // No answer: a connection that never opened is safe to retry; a timeout or reset may have reached Twilio.
    expect(classifyTwilioError({ networkCode: 'ECONNREFUSED' })).toMatchObject({ kind: 'retry', code: 'ECONNREFUSED' });
    expect(classifyTwilioError({ networkCode: 'ENOTFOUND' })).toMatchObject({ kind: 'retry' });
    for (const networkCode of ['ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE'])
      expect(classifyTwilioError({ networkCode })).toMatchObject({ kind: 'unconfirmed', code: networkCode });
    expect(classifyTwilioError({ status: 400, code: 21602 })).toMatchObject({ kind: 'failed' });
  });
  it('backs off exponentially, capped at an hour', () => {
    expect([1, 2, 3, 10].map(backoffMs)).toEqual([30_000, 60_000, 120_000, 3_600_000]);
  });
});

describe('email addressing', () => {
  it('uses VERP bounces+<notificationId>@domain and a Message-ID on the From domain', () => {
    const id = '0b7f1c1e-6f5a-4b8e-9d7c-1a2b3c4d5e6f';
    expect(returnPathFor('bounces@kefu.example.com', id)).toBe(`bounces+${id}@kefu.example.com`);
    expect(returnPathFor(undefined, id)).toBeNull();
    expect(messageIdFor(id, 2, '客户服务部 <kefu@kefu.example.com>')).toBe(`kefu.${id}.2@kefu.example.com`);
  });
});

describe('templates', () => {
  it('has one Chinese template per kind and names bad variables', () => {
    const r = renderTemplate(
      'certificate_collection',
      {
        estateName: '碧海云天',
        unitLabel: '3栋2单元1502',
        place: '售楼处',
        hours: '9:00-17:00',
        documents: ['身份证'],
        fromDate: '2026-12-01',
        deadline: '2026-12-31',
        stage: 'final_reminder',
      },
      '张三',
    );
    expect(r.subject).toBe('办证最后提醒：碧海云天3栋2单元1502');
    expect(
      forChannel('sms', r, '【碧海物业】').body.startsWith('【碧海物业】张三您好：请于2026年12月1日至2026年12月31日'),
    ).toBe(true);
    // An escalation names the level on the company's chain when the scheduler gives it (older rows have none).
    const escalation = {
      caseNumber: 'KF-2026-00002',
      step: 'firstReply',
      stepLabel: '答复客户',
      dueAt: '2026-11-25T10:00:00+08:00',
      level: 2,
      reason: '未在时限内确认提醒',
      ackUrl: 'https://kefu.example.com/ack/x',
    };
    expect(renderTemplate('escalation', { ...escalation, levelName: '市场部经理' }, '李经理').text).toContain(
      '已升级至第2级「市场部经理」',
    );
    expect(renderTemplate('escalation', escalation, null).text).toContain('已升级至第2级，');
    expect(() => renderTemplate('staff_reminder', { caseNumber: 'KF-2026-00001' }, null)).toThrow(
      TemplateVariablesError,
    );
    const html = forChannel(
      'email',
      renderTemplate('case_reply', { caseNumber: 'KF-2026-00001', replyText: '<b>已处理</b>' }, null),
      '',
    ).html!;
    expect(html).toContain('&lt;b&gt;已处理&lt;/b&gt;');
  });

  it('asks the owner of a finished repair to inspect it (000 §6.5.1(3)); a complaint only how it went', () => {
    const url = 'https://kefu.example.com/visit/abc';
    const repair = renderTemplate(
      'return_visit_request',
      { caseNumber: 'KF-2026-00002', visitUrl: url, repair: true },
      '林女士',
    );
    expect(repair.subject).toContain('请验收');
    expect(repair.text).toContain('已维修完成，请您验收');
    expect(repair.text).toContain(url);
    const complaint = renderTemplate('return_visit_request', { caseNumber: 'KF-2026-00003', visitUrl: url }, null);
    expect(complaint.text).not.toContain('验收');
    expect(complaint.text).toContain('已处理，请点击链接');
  });
});
