import Dysmsapi, { QuerySendDetailsRequest, SendSmsRequest } from '@alicloud/dysmsapi20170525';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import type { AppConfig, NotificationEntity } from '@kefu/shared';
import { classifyAliyunError, describeSdkError } from './domestic-sms-errors';
import { outId, shanghaiDay, type DomesticSmsSender, type LookupResult } from './domestic-sms.sender';
import type { TemplateEntry } from './sms-templates';

/**
 * Alibaba Cloud SMS through @alicloud/dysmsapi20170525 (SendSms with SignName, TemplateCode, TemplateParam;
 * OutId = notification id + attempt, which SmsReport and QuerySendDetails give back). ALIYUN_SMS_ENDPOINT points
 * the SDK elsewhere (the local fake; `http://` for plain HTTP).
 */
export class AliyunSmsSender implements DomesticSmsSender {
  readonly provider = 'aliyun' as const;
  private readonly client: Dysmsapi;

  constructor(private readonly config: AppConfig) {
    const endpoint = config.ALIYUN_SMS_ENDPOINT;
    this.client = new Dysmsapi(
      new $OpenApiUtil.Config({
        accessKeyId: config.ALIYUN_SMS_ACCESS_KEY_ID,
        accessKeySecret: config.ALIYUN_SMS_ACCESS_KEY_SECRET,
        endpoint: endpoint?.replace(/^https?:\/\//, '') ?? 'dysmsapi.aliyuncs.com',
        protocol: endpoint?.startsWith('http://') ? 'http' : 'https',
        connectTimeout: 5_000,
        readTimeout: 15_000,
      }),
    );
  }

  static configured(c: AppConfig): boolean {
    return !!(c.ALIYUN_SMS_ACCESS_KEY_ID && c.ALIYUN_SMS_ACCESS_KEY_SECRET && c.ALIYUN_SMS_SIGN_NAME);
  }

  async send(n: NotificationEntity, mobile: string, t: TemplateEntry, values: string[]) {
    const params = Object.fromEntries(t.params.map((p, i) => [p, values[i]!]));
    try {
      const r = await this.client.sendSms(
        new SendSmsRequest({
          phoneNumbers: mobile,
          signName: this.config.ALIYUN_SMS_SIGN_NAME,
          templateCode: t.template,
          templateParam: JSON.stringify(params),
          outId: outId(n),
        }),
      );
      const b = r.body;
      if (b?.code === 'OK' && b.bizId)
        return {
          kind: 'sent' as const,
          providerId: b.bizId,
          detail: `aliyun ${t.template}`,
          raw: { bizId: b.bizId, requestId: b.requestId, templateCode: t.template, outId: outId(n) },
        };
      return classifyAliyunError({ code: b?.code ?? 'no_answer', message: b?.message ?? 'no answer', status: 200 });
    } catch (err) {
      return classifyAliyunError(describeSdkError(err));
    }
  }

  async lookup(n: NotificationEntity): Promise<LookupResult> {
    const mobile = n.toAddress!.replace(/^\+?86/, '');
    const want = outId(n);
    // SendDate is a day in China; a send just before midnight may be listed on the next day.
    const days = [...new Set([shanghaiDay(n.sentAt!), shanghaiDay(new Date(n.sentAt!.getTime() + 5 * 60_000))])];
    for (const day of days)
      for (let page = 1; page <= 20; page++) {
        const r = await this.client.querySendDetails(
          new QuerySendDetailsRequest({ phoneNumber: mobile, sendDate: day, pageSize: 50, currentPage: page }),
        );
        if (r.body?.code !== 'OK') throw new Error(`QuerySendDetails: ${r.body?.code} ${r.body?.message}`);
        const list = r.body.smsSendDetailDTOs?.smsSendDetailDTO ?? [];
        const hit = list.find((d) => d.outId === want);
        // QuerySendDetails gives no BizId: the out id stands in until a receipt brings it.
        if (hit)
          return {
            state: 'found',
            providerId: `out:${want}`,
            status: String(hit.sendStatus),
            raw: { ...hit },
          };
        if (list.length < 50) break;
        // 20 full pages and not there: absence proves nothing, and "absent" would send it again.
        if (page === 20) return { state: 'unknown', why: 'over 1,000 messages to this number that day' };
      }
    return { state: 'absent' };
  }
}
