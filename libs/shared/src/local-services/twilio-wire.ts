import { createHmac } from 'node:crypto';
import type { GatewayMessage } from './twilio-gateway';

/** X-Twilio-Signature for a POST to `url` with these form params (Twilio's algorithm). */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, k) => acc + k + params[k], url);
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf-8')).digest('base64');
}

const rfc2822 = (d: Date) => d.toUTCString().replace('GMT', '+0000');

/** Twilio's error body: `{code, message, more_info, status}`. */
export function twilioError(status: number, code: number, message: string): Record<string, unknown> {
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
}

/** A message resource as Twilio's REST API returns it. */
export function messageJson(accountSid: string, m: GatewayMessage): Record<string, unknown> {
  const uri = `/2010-04-01/Accounts/${accountSid}/Messages/${m.sid}.json`;
  return {
    account_sid: accountSid,
    api_version: '2010-04-01',
    body: m.body,
    date_created: rfc2822(m.dateCreated),
    date_sent: null,
    date_updated: rfc2822(m.dateCreated),
    direction: 'outbound-api',
    error_code: m.history.findLast((h) => h.errorCode)?.errorCode ?? null,
    error_message: null,
    from: m.from,
    messaging_service_sid: m.messagingServiceSid,
    num_media: '0',
    num_segments: String(m.numSegments),
    price: null,
    price_unit: 'USD',
    sid: m.sid,
    status: m.status,
    subresource_uris: { media: uri.replace('.json', '/Media.json') },
    to: m.to,
    uri,
  };
}

/** Segments of an SMS body: 160 GSM characters (153 per part when split), 70 UCS-2 ones (67 per part). */
export function smsSegments(body: string): number {
  const ucs2 = /[^\x20-\x7E\n\r]/.test(body);
  return ucs2
    ? body.length <= 70
      ? 1
      : Math.ceil(body.length / 67)
    : body.length <= 160
      ? 1
      : Math.ceil(body.length / 153);
}

/** The form parameters of a status callback for `m` at `status` (with Twilio's error code for undelivered/failed). */
export function statusCallbackParams(
  accountSid: string,
  m: GatewayMessage,
  status: string,
  errorCode?: number,
): Record<string, string> {
  return {
    AccountSid: accountSid,
    ApiVersion: '2010-04-01',
    From: m.from ?? '+8610690000',
    MessageSid: m.sid,
    MessageStatus: status,
    SmsSid: m.sid,
    SmsStatus: status,
    To: m.to,
    ...(m.messagingServiceSid ? { MessagingServiceSid: m.messagingServiceSid } : {}),
    ...(errorCode === undefined ? {} : { ErrorCode: String(errorCode) }),
  };
}
