import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AliyunSmsGateway,
  TencentSmsGateway,
  TEST_ALIYUN_ACCESS_KEY_ID,
  TEST_ALIYUN_ACCESS_KEY_SECRET,
  TEST_TENCENT_SDK_APP_ID,
  TEST_TENCENT_SECRET_ID,
  TEST_TENCENT_SECRET_KEY,
  type AppConfig,
  type DomesticSmsGateway,
} from '@kefu/shared';
import { parseTemplateMapping } from '../sms/sms-templates';

export const TEST_SIGN_NAME = '碧海物业';
export const TEST_RECEIPT_TOKEN = 'test-sms-receipt-token-0123456789';

/** The tests' template mapping: warranty_expiry and return_visit_request on both providers, the rest on neither. */
export const TEST_TEMPLATES = {
  aliyun: {
    warranty_expiry: {
      template: 'SMS_460000001',
      params: ['recipientName', 'estateName', 'unitLabel', 'itemName', 'expiresOn'],
      text: '${recipientName}您好：您的房屋${estateName}${unitLabel}的「${itemName}」保修期将于${expiresOn}届满，如有问题请在此之前报修。',
    },
    return_visit_request: {
      template: 'SMS_460000002',
      params: ['caseNumber', 'summary'],
      text: '您反映的问题（案件${caseNumber}：${summary}）已处理，客服将回访了解您的满意度。',
    },
  },
  tencent: {
    warranty_expiry: {
      template: '1900001',
      params: ['recipientName', 'estateName', 'unitLabel', 'itemName', 'expiresOn'],
      text: '{1}您好：您的房屋{2}{3}的「{4}」保修期将于{5}届满，如有问题请在此之前报修。',
    },
    return_visit_request: {
      template: '1900002',
      params: ['caseNumber', 'summary'],
      text: '您反映的问题（案件{1}：{2}）已处理，客服将回访了解您的满意度。',
    },
  },
};

/** Registers a mapping's signature and templates with a fake, as approving them in the provider console does. */
export function registerTemplates(g: DomesticSmsGateway, mapping: unknown, signName: string): void {
  const m = parseTemplateMapping(mapping);
  g.signNames.add(signName);
  for (const e of Object.values(m[g.provider]))
    if (e?.text)
      g.templates.set(e.template, { text: e.text, params: g.provider === 'aliyun' ? e.params : e.params.length });
}

/** Both fakes started, the templates registered, and the notifier's environment for them. */
export async function startDomesticSmsFakes(
  primary: 'aliyun' | 'tencent' = 'aliyun',
  secondary: 'aliyun' | 'tencent' | null = 'tencent',
): Promise<{
  aliyun: AliyunSmsGateway;
  tencent: TencentSmsGateway;
  overrides: Partial<Record<keyof AppConfig, string>>;
  /** Points the fakes' receipt pushes at a notifier. */
  connect: (baseUrl: string, now: () => Date) => void;
  stop: () => Promise<void>;
}> {
  const aliyun = await new AliyunSmsGateway().start();
  const tencent = await new TencentSmsGateway().start();
  registerTemplates(aliyun, TEST_TEMPLATES, TEST_SIGN_NAME);
  registerTemplates(tencent, TEST_TEMPLATES, TEST_SIGN_NAME);
  const file = join(mkdtempSync(join(tmpdir(), 'kefu-sms-')), 'sms-templates.json');
  writeFileSync(file, JSON.stringify(TEST_TEMPLATES));
  return {
    aliyun,
    tencent,
    overrides: {
      SMS_DOMESTIC_PRIMARY: primary,
      ...(secondary ? { SMS_DOMESTIC_SECONDARY: secondary } : {}),
      SMS_TEMPLATES_FILE: file,
      SMS_RECEIPT_TOKEN: TEST_RECEIPT_TOKEN,
      SMS_RECEIPT_ALLOWED_IPS: '127.0.0.1,::1',
      ALIYUN_SMS_ACCESS_KEY_ID: TEST_ALIYUN_ACCESS_KEY_ID,
      ALIYUN_SMS_ACCESS_KEY_SECRET: TEST_ALIYUN_ACCESS_KEY_SECRET,
      ALIYUN_SMS_SIGN_NAME: TEST_SIGN_NAME,
      ALIYUN_SMS_ENDPOINT: aliyun.url,
      TENCENT_SMS_SECRET_ID: TEST_TENCENT_SECRET_ID,
      TENCENT_SMS_SECRET_KEY: TEST_TENCENT_SECRET_KEY,
      TENCENT_SMS_SDK_APP_ID: TEST_TENCENT_SDK_APP_ID,
      TENCENT_SMS_SIGN_NAME: TEST_SIGN_NAME,
      TENCENT_SMS_ENDPOINT: tencent.url,
    },
    connect: (baseUrl, now) => {
      aliyun.receiptUrl = `${baseUrl}/webhooks/sms/aliyun/${TEST_RECEIPT_TOKEN}`;
      tencent.receiptUrl = `${baseUrl}/webhooks/sms/tencent/${TEST_RECEIPT_TOKEN}`;
      aliyun.now = now;
      tencent.now = now;
    },
    stop: async () => {
      await aliyun.stop();
      await tencent.stop();
    },
  };
}
