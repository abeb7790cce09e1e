import Dysmsapi, { QuerySendDetailsRequest, SendSmsRequest } from '@alicloud/dysmsapi20170525';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { sms } from 'tencentcloud-sdk-nodejs-sms';
import { AliyunSmsGateway, TEST_ALIYUN_ACCESS_KEY_ID, TEST_ALIYUN_ACCESS_KEY_SECRET } from './aliyun-sms-gateway';
import {
  TencentSmsGateway,
  TEST_TENCENT_SDK_APP_ID,
  TEST_TENCENT_SECRET_ID,
  TEST_TENCENT_SECRET_KEY,
} from './tencent-sms-gateway';

const aliyun = (endpoint: string, secret = TEST_ALIYUN_ACCESS_KEY_SECRET) =>
  new Dysmsapi(
    new $OpenApiUtil.Config({
      accessKeyId: TEST_ALIYUN_ACCESS_KEY_ID,
      accessKeySecret: secret,
      endpoint,
      protocol: 'http',
    }),
  );
const tencent = (endpoint: string, secretKey = TEST_TENCENT_SECRET_KEY) =>
  new sms.v20210111.Client({
    credential: { secretId: TEST_TENCENT_SECRET_ID, secretKey },
    region: 'ap-guangzhou',
    profile: { httpProfile: { endpoint, protocol: 'http://' } },
  });

describe('domestic SMS fakes verify the official SDKs’ request signatures', () => {
  const ali = new AliyunSmsGateway();
  const tc = new TencentSmsGateway();
  beforeAll(async () => {
    await ali.start();
    await tc.start();
    ali.signNames.add('碧海物业');
    ali.templates.set('SMS_100', { text: '您的案件${caseNumber}已受理', params: ['caseNumber'] });
    tc.signNames.add('碧海物业');
    tc.templates.set('100', { text: '您的案件{1}已受理', params: 1 });
  });
  afterAll(async () => {
    await ali.stop();
    await tc.stop();
  });

  it('Alibaba Cloud: an ACS3-HMAC-SHA256-signed SendSms is accepted; a wrong secret is SignatureDoesNotMatch', async () => {
    const req = () =>
      new SendSmsRequest({
        phoneNumbers: '13800000001',
        signName: '碧海物业',
        templateCode: 'SMS_100',
        templateParam: JSON.stringify({ caseNumber: 'KF-2026-0001' }),
        outId: 'o-1',
      });
    const ok = await aliyun(ali.endpoint).sendSms(req());
    expect(ok.body).toMatchObject({ code: 'OK', bizId: expect.stringMatching(/\^0$/) });
    expect(ali.messages[0]).toMatchObject({ to: '13800000001', text: '【碧海物业】您的案件KF-2026-0001已受理' });
    await expect(aliyun(ali.endpoint, 'not-the-secret-0123').sendSms(req())).rejects.toMatchObject({
      code: 'SignatureDoesNotMatch',
      statusCode: 400,
    });
    expect(ali.messages).toHaveLength(1);
    const day = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai' }).format(new Date()).replaceAll('-', '');
    const q = await aliyun(ali.endpoint).querySendDetails(
      new QuerySendDetailsRequest({ phoneNumber: '13800000001', sendDate: day, pageSize: 10, currentPage: 1 }),
    );
    expect(q.body?.smsSendDetailDTOs?.smsSendDetailDTO?.[0]).toMatchObject({ outId: 'o-1', templateCode: 'SMS_100' });
  });

  it('Tencent Cloud: a TC3-HMAC-SHA256-signed SendSms is accepted; a wrong key is AuthFailure.SignatureFailure', async () => {
    const req = {
      PhoneNumberSet: ['+8613800000002'],
      SmsSdkAppId: TEST_TENCENT_SDK_APP_ID,
      SignName: '碧海物业',
      TemplateId: '100',
      TemplateParamSet: ['KF-2026-0002'],
      SessionContext: 's-1',
    };
    const ok = await tencent(tc.endpoint).SendSms(req);
    expect(ok.SendStatusSet?.[0]).toMatchObject({ Code: 'Ok', SerialNo: expect.stringMatching(/^2640:/) });
    expect(tc.messages[0]).toMatchObject({ to: '13800000002', text: '【碧海物业】您的案件KF-2026-0002已受理' });
    await expect(tencent(tc.endpoint, 'not-the-key-0123456').SendSms(req)).rejects.toMatchObject({
      code: 'AuthFailure.SignatureFailure',
    });
    expect(tc.messages).toHaveLength(1);
  });
});
