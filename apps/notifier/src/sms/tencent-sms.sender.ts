import { sms } from 'tencentcloud-sdk-nodejs-sms';
import type { AppConfig, NotificationEntity } from '@kefu/shared';
import { classifyTencentError, describeSdkError } from './domestic-sms-errors';
import { outId, type DomesticSmsSender, type LookupResult } from './domestic-sms.sender';
import type { TemplateEntry } from './sms-templates';

/** Tencent reports a status within seconds to minutes; until this long after a send, "not listed" proves nothing. */
export const TENCENT_REPORT_WAIT_MS = 15 * 60_000;

/**
 * Tencent Cloud SMS through tencentcloud-sdk-nodejs-sms (2021-01-11 SendSms with SmsSdkAppId, SignName,
 * TemplateId, TemplateParamSet; SessionContext = notification id + attempt). Crash recovery asks
 * PullSmsSendStatusByPhoneNumber, which lists only messages whose status has been reported.
 */
export class TencentSmsSender implements DomesticSmsSender {
  readonly provider = 'tencent' as const;
  private readonly client: InstanceType<typeof sms.v20210111.Client>;

  constructor(
    private readonly config: AppConfig,
    private readonly now: () => Date = () => new Date(),
  ) {
    const endpoint = config.TENCENT_SMS_ENDPOINT;
    this.client = new sms.v20210111.Client({
      credential: { secretId: config.TENCENT_SMS_SECRET_ID, secretKey: config.TENCENT_SMS_SECRET_KEY },
      region: config.TENCENT_SMS_REGION,
      profile: {
        httpProfile: {
          endpoint: endpoint?.replace(/^https?:\/\//, '') ?? 'sms.tencentcloudapi.com',
          protocol: endpoint?.startsWith('http://') ? 'http://' : 'https://',
          reqTimeout: 15,
        },
      },
    });
  }

  static configured(c: AppConfig): boolean {
    return !!(
      c.TENCENT_SMS_SECRET_ID &&
      c.TENCENT_SMS_SECRET_KEY &&
      c.TENCENT_SMS_SDK_APP_ID &&
      c.TENCENT_SMS_SIGN_NAME
    );
  }

  async send(n: NotificationEntity, mobile: string, t: TemplateEntry, values: string[]) {
    try {
      const r = await this.client.SendSms({
        PhoneNumberSet: [`+86${mobile}`],
        SmsSdkAppId: this.config.TENCENT_SMS_SDK_APP_ID!,
        SignName: this.config.TENCENT_SMS_SIGN_NAME,
        TemplateId: t.template,
        TemplateParamSet: values,
        SessionContext: outId(n),
      });
      const s = r.SendStatusSet?.[0];
      if (s?.Code === 'Ok' && s.SerialNo)
        return {
          kind: 'sent' as const,
          providerId: s.SerialNo,
          detail: `tencent ${t.template}`,
          raw: { serialNo: s.SerialNo, requestId: r.RequestId, templateId: t.template, fee: s.Fee, outId: outId(n) },
        };
      return classifyTencentError({ code: s?.Code ?? 'no_answer', message: s?.Message ?? 'no send status' });
    } catch (err) {
      return classifyTencentError(describeSdkError(err));
    }
  }

  async lookup(n: NotificationEntity): Promise<LookupResult> {
    const want = outId(n);
    const begin = Math.floor(n.sentAt!.getTime() / 1000) - 60;
    for (let offset = 0; offset < 1000; offset += 100) {
      const r = await this.client.PullSmsSendStatusByPhoneNumber({
        BeginTime: begin,
        EndTime: Math.floor(this.now().getTime() / 1000) + 60,
        Offset: offset,
        Limit: 100,
        PhoneNumber: `+86${n.toAddress!.replace(/^\+?86/, '')}`,
        SmsSdkAppId: this.config.TENCENT_SMS_SDK_APP_ID!,
      });
      const list = r.PullSmsSendStatusSet ?? [];
      const hit = list.find((s) => s.SessionContext === want);
      if (hit) return { state: 'found', providerId: hit.SerialNo!, status: hit.ReportStatus ?? '', raw: { ...hit } };
      if (list.length < 100) break;
      if (offset + 100 >= 1000)
        return { state: 'unknown', why: 'over 1,000 messages to this number since the attempt' };
    }
    if (this.now().getTime() - n.sentAt!.getTime() < TENCENT_REPORT_WAIT_MS)
      return { state: 'unknown', why: 'Tencent lists a message once its status is reported; asking again later' };
    return { state: 'absent' };
  }
}
