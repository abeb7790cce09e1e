import { mayHaveArrived, type SendOutcome } from '../channels/channel-sender';

/**
 * A domestic provider's refusal. `outage`: the provider itself cannot take messages now (5xx, refused
 * connection, its own throttling, arrears, our credentials rejected) — the router tries the secondary; the
 * request certainly did not become an SMS. `badTemplate`: our signature/template/parameters were refused —
 * the notification falls back to the next channel and staff are alerted (logged at error level).
 */
export type DomesticFailure = Exclude<SendOutcome, { kind: 'sent' }> & { outage?: boolean; badTemplate?: boolean };

// Our signature, template or parameters refused.
const ALIYUN_BAD_TEMPLATE = new Set(
  [
    'TEMPLATE_MISSING_PARAMETERS',
    'SMS_TEMPLATE_ILLEGAL',
    'SMS_SIGNATURE_ILLEGAL',
    'SMS_SIGN_ILLEGAL',
    'PARAM_LENGTH_LIMIT',
    'INVALID_JSON_PARAM',
    'TEMPLATE_PARAMS_ILLEGAL',
    'BLACK_KEY_CONTROL_LIMIT',
    'PARAM_NOT_SUPPORT_URL',
  ].map((c) => `isv.${c}`),
);
// Prefixes: the provider cannot take messages from us now.
const ALIYUN_OUTAGE = [
  'isp.',
  'Throttling',
  'ServiceUnavailable',
  'InternalError',
  'SignatureDoesNotMatch',
  'InvalidAccessKeyId',
  'Forbidden.RAM',
  'isv.OUT_OF_SERVICE',
  'isv.AMOUNT_NOT_ENOUGH',
  'isv.ACCOUNT_ABNORMAL',
  'isv.ACCOUNT_NOT_EXISTS',
];
const TENCENT_BAD_TEMPLATE = new Set([
  'FailedOperation.TemplateIncorrectOrUnapproved',
  'FailedOperation.SignatureIncorrectOrUnapproved',
  'FailedOperation.TemplateParamSetNotMatchApprovedTemplate',
  'FailedOperation.ContainSensitiveWord',
  'FailedOperation.MissingTemplateToModify',
  'InvalidParameterValue.TemplateParameterLengthLimit',
  'InvalidParameterValue.TemplateParameterFormatError',
  'InvalidParameterValue.ProhibitedUseUrlInTemplateParameter',
]);
const TENCENT_OUTAGE = [
  'InternalError',
  'RequestLimitExceeded',
  'AuthFailure',
  'UnauthorizedOperation',
  'FailedOperation.InsufficientBalanceInSmsPackage',
  'FailedOperation.InvalidSdkAppId',
];

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const badTemplate = (code: string, message: string): DomesticFailure => ({
  kind: 'failed',
  code,
  message: `template or signature refused (check the mapping and the provider console): ${message}`,
  badTemplate: true,
});
const outage = (code: string, message: string): DomesticFailure => ({ kind: 'retry', code, message, outage: true });

/** An SDK error with no answer from the provider. */
export interface SdkError {
  code?: string | null;
  message?: string;
  status?: number;
  /** No answer came: the connection failed, timed out or dropped (describeSdkError sets it). */
  network?: boolean;
}

/**
 * No answer: a connection that never opened is an outage (try the secondary; nothing was sent); one that timed out or
 * dropped may have become an SMS, so it is unconfirmed — the reconciler asks the provider by the attempt's out id.
 */
function noAnswer(code: string, message: string): DomesticFailure {
  return mayHaveArrived(code)
    ? { kind: 'unconfirmed', code, message: `no answer from the provider: ${message}` }
    : outage(code, message);
}

/** Alibaba Cloud SendSms answers (Code ≠ OK) and API errors (SDK exceptions: code, statusCode). */
export function classifyAliyunError(e: SdkError): DomesticFailure {
  const code = e.code || (e.status ? `http_${e.status}` : 'network_error');
  const message = e.message ?? code;
  if (e.network) return noAnswer(code, message);
  if (code === 'isv.BUSINESS_LIMIT_CONTROL' || code === 'isv.DAY_LIMIT_CONTROL')
    return {
      kind: 'retry',
      code,
      message: `provider frequency limit: ${message}`,
      retryAfterMs: /天|day/i.test(message) ? 24 * HOUR : /小时|hour/i.test(message) ? HOUR : MINUTE,
    };
  if (code === 'isv.MOBILE_NUMBER_ILLEGAL' || code === 'isv.MOBILE_COUNT_OVER_LIMIT')
    return { kind: 'failed', code, message: `invalid number: ${message}` };
  if (ALIYUN_BAD_TEMPLATE.has(code)) return badTemplate(code, message);
  if (ALIYUN_OUTAGE.some((p) => code.startsWith(p)) || (e.status ?? 0) >= 500 || code === 'ECONNREFUSED')
    return outage(code, message);
  if (!e.status && !code.includes('.')) return { kind: 'retry', code, message };
  return { kind: 'failed', code, message };
}

/** Tencent Cloud: a SendStatusSet code (per number) or an API error (SDK exception code). */
export function classifyTencentError(e: SdkError): DomesticFailure {
  const code = e.code || 'network_error';
  const message = e.message ?? code;
  if (e.network) return noAnswer(code, message);
  if (code === 'FailedOperation.PhoneNumberInBlacklist')
    return { kind: 'failed', code, message: `recipient opted out (TD): ${message}`, optOut: true };
  if (code === 'InvalidParameterValue.IncorrectPhoneNumber' || code === 'FailedOperation.PhoneNumberParseFail')
    return { kind: 'failed', code, message: `invalid number: ${message}` };
  if (code.startsWith('LimitExceeded.PhoneNumber') || code === 'LimitExceeded.DeliveryFrequencyLimit')
    return {
      kind: 'retry',
      code,
      message: `provider frequency limit: ${message}`,
      retryAfterMs: /Daily/.test(code) ? 24 * HOUR : /OneHour/.test(code) ? HOUR : MINUTE,
    };
  if (TENCENT_BAD_TEMPLATE.has(code)) return badTemplate(code, message);
  if (TENCENT_OUTAGE.some((p) => code.startsWith(p)) || (e.status ?? 0) >= 500 || code === 'ECONNREFUSED')
    return outage(code, message);
  if (code === 'network_error' || !code.includes('.')) return { kind: 'retry', code, message };
  return { kind: 'failed', code, message };
}

/**
 * An SDK exception's code and message (both SDKs put the provider's Code in `code`; network errors an errno code or
 * none). `network`: no answer came from the provider. The request's query string (Alibaba Cloud's SDK puts the
 * URL, phone number included, in its message) is cut from the message, which is stored and logged.
 */
export function describeSdkError(err: unknown): SdkError & { code: string; message: string } {
  const e = err as {
    code?: unknown;
    message?: unknown;
    statusCode?: unknown;
    requestId?: unknown;
    data?: { Code?: unknown };
  };
  const code = typeof e.data?.Code === 'string' ? e.data.Code : typeof e.code === 'string' ? e.code : 'network_error';
  const message = (typeof e.message === 'string' ? e.message : String(err)).replace(/\?\S*/g, '').slice(0, 500);
  // A connection refused never reached the provider: as certain a refusal as a 5xx answer.
  if (/ECONNREFUSED/.test(message) || (err as { cause?: { code?: string } })?.cause?.code === 'ECONNREFUSED')
    return { code: 'ECONNREFUSED', message, network: true };
  const answered =
    typeof e.data?.Code === 'string' ||
    typeof e.statusCode === 'number' ||
    (typeof e.requestId === 'string' && e.requestId !== '') ||
    (typeof e.code === 'string' && !/^(E[A-Z0-9_]+|ERR_[A-Z0-9_]+)$/.test(e.code));
  return { code, message, ...(typeof e.statusCode === 'number' ? { status: e.statusCode } : {}), network: !answered };
}
