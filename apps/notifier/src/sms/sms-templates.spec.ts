import { classifyAliyunError, classifyTencentError, describeSdkError } from './domestic-sms-errors';
import { parseTemplateMapping, templateParams } from './sms-templates';

describe('SMS template mapping', () => {
  it('lists every mismatch with the kinds’ variable contracts at once', () => {
    expect(() =>
      parseTemplateMapping({
        aliyun: {
          warranty_expiry: { template: 'SMS_1', params: ['estateName', 'colour'] },
          no_such_kind: { template: 'SMS_2', params: [] },
        },
        tencent: { case_acknowledgement: { template: 'T1', params: ['caseNumber'], text: '案件{1}，{2}' } },
      }),
    ).toThrow(
      /aliyun\.warranty_expiry: parameter "colour" is not a variable of warranty_expiry[\s\S]*aliyun\.no_such_kind: no such notification kind[\s\S]*tencent\.case_acknowledgement: template "T1" is not a Tencent Cloud TemplateId[\s\S]*do not match params/,
    );
  });

  it('accepts a mapping that fits', () => {
    const m = parseTemplateMapping({
      aliyun: { case_acknowledgement: { template: 'SMS_1', params: ['caseNumber'], text: '案件${caseNumber}已受理' } },
    });
    expect(m.aliyun.case_acknowledgement?.template).toBe('SMS_1');
    expect(m.tencent).toEqual({});
  });

  it('formats dates and times in Shanghai, cuts names to 35 characters, never a reference', () => {
    const e = { template: 'SMS_1', params: ['recipientName', 'expiresOn', 'promisedReplyAt', 'caseNumber'] };
    const long = '欧阳'.repeat(30);
    const r = templateParams(
      e,
      { expiresOn: '2027-01-31', promisedReplyAt: '2027-01-31T02:30:00Z', caseNumber: 'KF-2027-000123' },
      long,
    );
    expect(r).toEqual({
      ok: true,
      values: [`${[...long].slice(0, 34).join('')}…`, '2027年1月31日', '2027年1月31日10:30', 'KF-2027-000123'],
    });
    const tooLong = templateParams({ template: 'SMS_1', params: ['caseNumber'] }, { caseNumber: 'K'.repeat(40) }, null);
    expect(tooLong).toMatchObject({ ok: false, message: expect.stringMatching(/caseNumber is 40 characters/) });
  });
});

describe('domestic SMS error classes', () => {
  it.each([
    ['isv.BUSINESS_LIMIT_CONTROL', '触发号码天级流控', { kind: 'retry', retryAfterMs: 86_400_000 }],
    ['isv.MOBILE_NUMBER_ILLEGAL', '非法手机号', { kind: 'failed' }],
    ['isv.TEMPLATE_MISSING_PARAMETERS', '模板变量缺少', { kind: 'failed', badTemplate: true }],
    ['isp.SYSTEM_ERROR', 'system', { kind: 'retry', outage: true }],
    ['SignatureDoesNotMatch', 'bad', { kind: 'retry', outage: true }],
  ])('Alibaba Cloud %s', (code, message, want) => {
    expect(classifyAliyunError({ code, message, status: 200 })).toMatchObject({ code, ...want });
  });

  it.each([
    ['FailedOperation.PhoneNumberInBlacklist', { kind: 'failed', optOut: true }],
    ['InvalidParameterValue.IncorrectPhoneNumber', { kind: 'failed' }],
    ['LimitExceeded.PhoneNumberOneHourLimit', { kind: 'retry', retryAfterMs: 3_600_000 }],
    ['FailedOperation.TemplateParamSetNotMatchApprovedTemplate', { kind: 'failed', badTemplate: true }],
    ['InternalError.SendAndRecvFail', { kind: 'retry', outage: true }],
    ['network_error', { kind: 'retry' }],
  ])('Tencent Cloud %s', (code, want) => {
    expect(classifyTencentError({ code, message: code })).toMatchObject({ code, ...want });
    if (code === 'network_error') expect(classifyTencentError({ code })).not.toHaveProperty('outage');
  });

  it('takes no answer as an outage when the connection never opened, else as unconfirmed (it may have been sent)', () => {
    for (const classify of [classifyAliyunError, classifyTencentError]) {
      expect(classify({ code: 'ECONNREFUSED', message: 'refused', network: true })).toMatchObject({
        kind: 'retry',
        outage: true,
      });
      for (const code of ['ECONNRESET', 'network_error'])
        expect(classify({ code, message: 'socket hang up', network: true })).toMatchObject({
          kind: 'unconfirmed',
          code,
        });
    }
  });

  it('tells an SDK network error from a provider answer, and keeps the phone number out of the message', () => {
    const hangUp = Object.assign(
      new Error('socket hang upPOST http://x/?PhoneNumbers=13800000000&SignName=c failed.'),
      {
        code: 'ECONNRESET',
      },
    );
    expect(describeSdkError(hangUp)).toEqual({
      code: 'ECONNRESET',
      message: 'socket hang upPOST http://x/ failed.',
      network: true,
    });
    expect(describeSdkError(new Error('network timeout at: http://x/'))).toMatchObject({ network: true });
    const api = Object.assign(new Error('code: 400, 非法手机号'), {
      code: 'isv.MOBILE_NUMBER_ILLEGAL',
      statusCode: 400,
      data: { Code: 'isv.MOBILE_NUMBER_ILLEGAL' },
    });
    expect(describeSdkError(api)).toMatchObject({ code: 'isv.MOBILE_NUMBER_ILLEGAL', network: false, status: 400 });
    const tencent = Object.assign(new Error('bad'), { code: 'InvalidParameter', requestId: 'r-1' });
    expect(describeSdkError(tencent)).toMatchObject({ code: 'InvalidParameter', network: false });
  });
});

describe('the example mapping shipped for npm start and as a starting point', () => {
  it('fits the notification kinds', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const example = require('../../../../tools/sms-templates.example.json') as unknown;
    const m = parseTemplateMapping(example);
    expect(Object.keys(m.aliyun).sort()).toEqual(Object.keys(m.tencent).sort());
  });
});
