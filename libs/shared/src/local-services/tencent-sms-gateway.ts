import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DomesticSmsGateway, type DomesticMessage } from './domestic-sms-gateway';
import { verifyTc3 } from './domestic-sms-wire';

export const TEST_TENCENT_SECRET_ID = 'AKIDFakeKefuTencentSecretId0123';
export const TEST_TENCENT_SECRET_KEY = 'fake-tencent-secret-key-0123456789';
export const TEST_TENCENT_SDK_APP_ID = '1400000001';

const shanghai = (d: Date) =>
  new Intl.DateTimeFormat('sv-SE', {
    timeZone: 'Asia/Shanghai',
    dateStyle: 'short',
    timeStyle: 'medium',
  }).format(d);

const str = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');

const SEND_ERRORS: Record<'sign' | 'template' | 'params' | 'length', [string, string]> = {
  sign: ['FailedOperation.SignatureIncorrectOrUnapproved', '签名未审批或格式错误'],
  template: ['FailedOperation.TemplateIncorrectOrUnapproved', '模板未审批或内容不匹配'],
  params: ['FailedOperation.TemplateParamSetNotMatchApprovedTemplate', '请求内容与审核通过的模板内容不匹配'],
  length: ['InvalidParameterValue.TemplateParameterLengthLimit', '单个模板变量字符数超过限制'],
};

/**
 * A local Tencent Cloud SMS (API 3.0, version 2021-01-11) for tests and `npm start`: the official SDK posts JSON
 * to `/` with `X-TC-Action`, signed TC3-HMAC-SHA256, which this checks (a bad one is answered
 * `{Response: {Error: {Code: 'AuthFailure.SignatureFailure'}}}`, as Tencent Cloud does). SendSms answers a
 * SendStatusSet (per-number codes: Ok, FailedOperation.PhoneNumberInBlacklist, LimitExceeded.…);
 * PullSmsSendStatusByPhoneNumber lists a number's reported statuses. Receipts are pushed to the status callback
 * URL as a JSON array of `{user_receive_time, nationcode, mobile, report_status, errmsg, description, sid}`,
 * acknowledged by `{"result":0}`.
 */
export class TencentSmsGateway extends DomesticSmsGateway {
  readonly provider = 'tencent' as const;

  constructor(
    readonly secretId = TEST_TENCENT_SECRET_ID,
    readonly secretKey = TEST_TENCENT_SECRET_KEY,
    readonly sdkAppId = TEST_TENCENT_SDK_APP_ID,
  ) {
    super();
  }

  protected handle(req: IncomingMessage, body: Buffer, res: ServerResponse): void {
    const u = new URL(req.url ?? '/', 'http://x');
    const action = String(req.headers['x-tc-action'] ?? '');
    const RequestId = randomUUID();
    const bad = verifyTc3(
      { method: req.method ?? 'POST', path: u.pathname, query: u.searchParams, headers: req.headers, body },
      (id) => (id === this.secretId ? this.secretKey : undefined),
      new Date(),
    );
    this.requests.push({ action, ok: !bad });
    const error = (Code: string, Message: string) =>
      this.json(res, 200, { Response: { Error: { Code, Message }, RequestId } });
    if (bad) return error(bad.code, bad.message);
    let p: Record<string, unknown>;
    try {
      p = JSON.parse(body.toString() || '{}') as Record<string, unknown>;
    } catch {
      return error('InvalidParameter', 'The request body is not JSON.');
    }
    if (p.SmsSdkAppId !== this.sdkAppId) return error('FailedOperation.InvalidSdkAppId', 'SmsSdkAppId 不存在');
    if (action === 'SendSms') {
      if (this.outages > 0) {
        this.outages--;
        return error('InternalError.SendAndRecvFail', '接口超时或后包失败');
      }
      const numbers = Array.isArray(p.PhoneNumberSet) ? (p.PhoneNumberSet as string[]) : [];
      const params = Array.isArray(p.TemplateParamSet) ? (p.TemplateParamSet as string[]).map(String) : [];
      const template = str(p.TemplateId);
      const set = numbers.map((raw) => {
        const status = (Code: string, Message: string, SerialNo = '') => ({
          SerialNo,
          PhoneNumber: raw,
          Fee: SerialNo ? 1 : 0,
          SessionContext: str(p.SessionContext),
          Code,
          Message,
          IsoCode: 'CN',
        });
        const to = raw.replace(/^\+86/, '');
        if (!/^1[3-9]\d{9}$/.test(to)) return status('InvalidParameterValue.IncorrectPhoneNumber', '手机号格式错误');
        const b = this.byNumber.get(to);
        if (b?.kind === 'error') return status(b.code, b.message ?? b.code);
        const r = this.render(str(p.SignName), template, params);
        if ('error' in r) return status(...SEND_ERRORS[r.error]);
        if (this.overLimit(to, template))
          return status('LimitExceeded.PhoneNumberThirtySecondLimit', '单个手机号30秒内下发短信条数超过设定的上限');
        const m: DomesticMessage = {
          provider: 'tencent',
          id: `2640:${randomBytes(10).toString('hex')}`,
          to,
          signName: str(p.SignName),
          template,
          params: r.params,
          text: r.text,
          outId: typeof p.SessionContext === 'string' ? p.SessionContext : null,
          at: this.now(),
          status: 'sending',
          errCode: null,
        };
        return { m, s: status('Ok', 'send success', m.id) };
      });
      if (!this.dropAnswer(res))
        this.json(res, 200, { Response: { SendStatusSet: set.map((x) => ('s' in x ? x.s : x)), RequestId } });
      for (const x of set) if ('m' in x) this.accepted(x.m);
      return;
    }
    if (action === 'PullSmsSendStatusByPhoneNumber') {
      const to = str(p.PhoneNumber).replace(/^\+86/, '');
      const begin = Number(p.BeginTime ?? 0) * 1000;
      const end = p.EndTime ? Number(p.EndTime) * 1000 : Infinity;
      const list = this.messages.filter(
        (m) => m.to === to && m.status !== 'sending' && m.at.getTime() >= begin && m.at.getTime() <= end,
      );
      const offset = Number(p.Offset ?? 0);
      const limit = Number(p.Limit ?? 100);
      return this.json(res, 200, {
        Response: {
          PullSmsSendStatusSet: list.slice(offset, offset + limit).map((m) => ({
            UserReceiveTime: Math.floor(this.now().getTime() / 1000),
            CountryCode: '86',
            SubscriberNumber: m.to,
            PhoneNumber: `+86${m.to}`,
            SerialNo: m.id,
            ReportStatus: m.status === 'delivered' ? 'SUCCESS' : 'FAIL',
            Description: m.errCode ?? '',
            SessionContext: m.outId ?? '',
          })),
          RequestId,
        },
      });
    }
    return error('InvalidAction', `${action} is not supported by the local Tencent Cloud SMS`);
  }

  protected receiptBody(ms: DomesticMessage[]): unknown {
    return ms.map((m) => ({
      user_receive_time: shanghai(this.now()),
      nationcode: '86',
      mobile: m.to,
      report_status: m.status === 'delivered' ? 'SUCCESS' : 'FAIL',
      errmsg: m.status === 'delivered' ? 'DELIVRD' : (m.errCode ?? 'MK:0001'),
      description: m.status === 'delivered' ? '用户短信送达成功' : '用户短信接收失败',
      sid: m.id,
    }));
  }

  protected acknowledged(status: number, body: string): boolean {
    try {
      return status === 200 && (JSON.parse(body) as { result?: unknown }).result === 0;
    } catch {
      return false;
    }
  }
}
