import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AliyunSmsGateway } from './aliyun-sms-gateway';
import type { DomesticMessage, DomesticSmsGateway } from './domestic-sms-gateway';
import { TencentSmsGateway } from './tencent-sms-gateway';

/** The local domestic providers' accounts: fixed, as only this machine talks to them. */
export const LOCAL_DOMESTIC_SMS = {
  signName: '客户服务部',
  aliyun: { accessKeyId: 'LTAI5tLocalKefuAccessKey', accessKeySecret: 'local-aliyun-sms-access-key-secret' },
  tencent: {
    secretId: 'AKIDLocalKefuSecretId000000',
    secretKey: 'local-tencent-sms-secret-key-0000',
    sdkAppId: '1400000009',
  },
} as const;

/** The Twilio gateway's magic +86 numbers, answered the domestic providers' way (the README's table). */
const MAGIC: Array<[string, Parameters<DomesticSmsGateway['behave']>[1]]> = [
  ['19900000001', { kind: 'report', success: false, errCode: 'MK:0001' }],
  ['19900000002', { kind: 'report', success: false, errCode: 'MK:0005' }],
  ['19900000003', { kind: 'error', code: 'isv.MOBILE_NUMBER_ILLEGAL', message: '非法手机号' }],
];

export interface LocalDomesticSms {
  aliyun: AliyunSmsGateway;
  tencent: TencentSmsGateway;
  env: Record<string, string>;
  /** Both providers' messages, newest first. */
  list: (limit?: number) => DomesticMessage[];
  stop: () => Promise<void>;
}

/**
 * `npm start`'s Alibaba Cloud SMS (primary) and Tencent Cloud SMS (secondary) on free ports: the templates of
 * `templatesFile` registered as approved, receipts pushed a moment after each send to the notifier's receipt URLs.
 */
export async function startLocalDomesticSms(opts: {
  notifierUrl: string;
  templatesFile: string;
}): Promise<LocalDomesticSms> {
  const { aliyun: a, tencent: t, signName } = LOCAL_DOMESTIC_SMS;
  const aliyun = await new AliyunSmsGateway(a.accessKeyId, a.accessKeySecret).start();
  const tencent = await new TencentSmsGateway(t.secretId, t.secretKey, t.sdkAppId).start();
  const mapping = JSON.parse(readFileSync(opts.templatesFile, 'utf8')) as Record<
    string,
    Record<string, { template: string; params: string[]; text?: string }>
  >;
  const token = randomBytes(16).toString('hex');
  for (const g of [aliyun, tencent] as DomesticSmsGateway[]) {
    g.signNames.add(signName);
    for (const e of Object.values(mapping[g.provider] ?? {}))
      if (e.text)
        g.templates.set(e.template, { text: e.text, params: g.provider === 'aliyun' ? e.params : e.params.length });
    for (const [n, b] of MAGIC) g.behave(n, b);
    g.reportDelayMs = 400;
    g.receiptUrl = `${opts.notifierUrl}/webhooks/sms/${g.provider}/${token}`;
  }
  return {
    aliyun,
    tencent,
    env: {
      SMS_DOMESTIC_PRIMARY: 'aliyun',
      SMS_DOMESTIC_SECONDARY: 'tencent',
      SMS_TEMPLATES_FILE: opts.templatesFile,
      SMS_RECEIPT_TOKEN: token,
      SMS_RECEIPT_ALLOWED_IPS: '127.0.0.1,::1',
      ALIYUN_SMS_ACCESS_KEY_ID: a.accessKeyId,
      ALIYUN_SMS_ACCESS_KEY_SECRET: a.accessKeySecret,
      ALIYUN_SMS_SIGN_NAME: signName,
      ALIYUN_SMS_ENDPOINT: aliyun.url,
      TENCENT_SMS_SECRET_ID: t.secretId,
      TENCENT_SMS_SECRET_KEY: t.secretKey,
      TENCENT_SMS_SDK_APP_ID: t.sdkAppId,
      TENCENT_SMS_SIGN_NAME: signName,
      TENCENT_SMS_ENDPOINT: tencent.url,
    },
    list: (limit = 200) =>
      [...aliyun.messages, ...tencent.messages].sort((x, y) => y.at.getTime() - x.at.getTime()).slice(0, limit),
    stop: async () => {
      await aliyun.stop();
      await tencent.stop();
    },
  };
}
