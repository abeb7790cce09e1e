import { randomBytes, randomInt } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DomesticSmsGateway, type DomesticMessage } from './domestic-sms-gateway';
import { verifyAcs3 } from './domestic-sms-wire';

export const TEST_ALIYUN_ACCESS_KEY_ID = 'LTAI5tFakeKefuAccessKey';
export const TEST_ALIYUN_ACCESS_KEY_SECRET = 'fake-aliyun-access-key-secret-0123';

const shanghai = (d: Date) =>
  new Intl.DateTimeFormat('sv-SE', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).format(d);

/**
 * A local Alibaba Cloud SMS (dysmsapi 2017-05-25) for tests and `npm start`: the official SDK posts RPC calls
 * (`POST /?<params>`, `x-acs-action`) signed ACS3-HMAC-SHA256, which this checks, answering a bad one as Alibaba
 * Cloud does (HTTP 400 `SignatureDoesNotMatch`, 404 `InvalidAccessKeyId.NotFound`). SendSms checks the
 * signature name, template, parameters (≤ 35 characters each), number and the per-number limits and answers
 * `{Code, Message, BizId, RequestId}` (business errors with HTTP 200, as the real API); QuerySendDetails lists
 * a number's messages of a day. Receipts are pushed as SmsReport: a JSON array, acknowledged by `{"code":0}`.
 */
export class AliyunSmsGateway extends DomesticSmsGateway {
  readonly provider = 'aliyun' as const;

  constructor(
    readonly accessKeyId = TEST_ALIYUN_ACCESS_KEY_ID,
    readonly accessKeySecret = TEST_ALIYUN_ACCESS_KEY_SECRET,
  ) {
    super();
  }

  protected handle(req: IncomingMessage, body: Buffer, res: ServerResponse): void {
    const u = new URL(req.url ?? '/', 'http://x');
    const action = String(req.headers['x-acs-action'] ?? '');
    const requestId = randomBytes(16).toString('hex').toUpperCase();
    const bad = verifyAcs3(
      { method: req.method ?? 'GET', path: u.pathname, query: u.searchParams, headers: req.headers, body },
      (id) => (id === this.accessKeyId ? this.accessKeySecret : undefined),
    );
    this.requests.push({ action, ok: !bad });
    if (bad)
      return this.json(res, bad.status, {
        RequestId: requestId,
        HostId: 'dysmsapi.aliyuncs.com',
        Code: bad.code,
        Message: bad.message,
        Recommend: `https://api.aliyun.com/troubleshoot?q=${bad.code}`,
      });
    // The SDK sends RPC parameters in the query string (formData body when there is one).
    const p = new URLSearchParams(u.searchParams);
    for (const [k, v] of new URLSearchParams(body.toString())) p.set(k, v);
    const answer = (Code: string, Message: string, extra: Record<string, unknown> = {}) =>
      this.json(res, 200, { RequestId: requestId, Code, Message, ...extra });
    if (action === 'SendSms') {
      if (this.outages > 0) {
        this.outages--;
        return this.json(res, 503, {
          RequestId: requestId,
          Code: 'ServiceUnavailable',
          Message: 'The request has failed due to a temporary failure of the server.',
        });
      }
      const to = (p.get('PhoneNumbers') ?? '').replace(/^\+?86/, '');
      if (!/^1[3-9]\d{9}$/.test(to)) return answer('isv.MOBILE_NUMBER_ILLEGAL', '非法手机号');
      const b = this.byNumber.get(to);
      if (b?.kind === 'error') return answer(b.code, b.message ?? b.code);
      let params: Record<string, string>;
      try {
        params = JSON.parse(p.get('TemplateParam') ?? '{}') as Record<string, string>;
      } catch {
        return answer('isv.INVALID_JSON_PARAM', 'JSON参数不合法，只接受字符串值');
      }
      const code = p.get('TemplateCode') ?? '';
      const r = this.render(p.get('SignName') ?? '', code, params);
      if ('error' in r)
        return r.error === 'sign'
          ? answer('isv.SMS_SIGNATURE_ILLEGAL', '该账号下找不到对应签名')
          : r.error === 'template'
            ? answer('isv.SMS_TEMPLATE_ILLEGAL', '该账号下找不到对应模板')
            : r.error === 'params'
              ? answer('isv.TEMPLATE_MISSING_PARAMETERS', '模板变量中存在未赋值变量')
              : answer('isv.PARAM_LENGTH_LIMIT', '参数超出长度限制');
      if (this.overLimit(to, code)) return answer('isv.BUSINESS_LIMIT_CONTROL', '触发号码天级流控Permits:10');
      const m: DomesticMessage = {
        provider: 'aliyun',
        id: `${randomInt(100000, 999999)}${Date.now()}^0`,
        to,
        signName: p.get('SignName')!,
        template: code,
        params: r.params,
        text: r.text,
        outId: p.get('OutId'),
        at: this.now(),
        status: 'sending',
        errCode: null,
      };
      if (!this.dropAnswer(res)) answer('OK', 'OK', { BizId: m.id });
      this.accepted(m);
      return;
    }
    if (action === 'QuerySendDetails') {
      const to = (p.get('PhoneNumber') ?? '').replace(/^\+?86/, '');
      const day = p.get('SendDate') ?? '';
      if (!/^\d{8}$/.test(day)) return answer('isv.INVALID_PARAMETERS', 'SendDate 格式为 yyyyMMdd');
      const bizId = p.get('BizId');
      const list = this.messages.filter(
        (m) => m.to === to && shanghai(m.at).slice(0, 10).replaceAll('-', '') === day && (!bizId || m.id === bizId),
      );
      const size = Number(p.get('PageSize') ?? 10);
      const page = Number(p.get('CurrentPage') ?? 1);
      return answer('OK', 'OK', {
        TotalCount: list.length,
        SmsSendDetailDTOs: {
          SmsSendDetailDTO: list.slice((page - 1) * size, page * size).map((m) => ({
            PhoneNum: m.to,
            SendStatus: m.status === 'sending' ? 1 : m.status === 'failed' ? 2 : 3,
            ErrCode: m.errCode ?? '',
            TemplateCode: m.template,
            Content: m.text,
            SendDate: shanghai(m.at),
            ReceiveDate: m.status === 'sending' ? '' : shanghai(this.now()),
            OutId: m.outId ?? '',
          })),
        },
      });
    }
    return this.json(res, 404, { RequestId: requestId, Code: 'InvalidAction.NotFound', Message: `${action}` });
  }

  protected receiptBody(ms: DomesticMessage[]): unknown {
    return ms.map((m) => ({
      phone_number: m.to,
      send_time: shanghai(m.at),
      report_time: shanghai(this.now()),
      success: m.status === 'delivered',
      err_code: m.errCode ?? 'DELIVERED',
      err_msg: m.status === 'delivered' ? '用户接收成功' : '用户接收失败',
      sms_size: String(Math.ceil([...m.text].length / 67) || 1),
      biz_id: m.id,
      out_id: m.outId ?? '',
    }));
  }

  protected acknowledged(status: number, body: string): boolean {
    try {
      return status === 200 && (JSON.parse(body) as { code?: unknown }).code === 0;
    } catch {
      return false;
    }
  }
}
