import twilio from 'twilio';
import type { GatewayMessage } from './twilio-gateway';
import { messageJson, smsSegments, statusCallbackParams, twilioError, twilioSignature } from './twilio-wire';

const message = (overrides: Partial<GatewayMessage> = {}): GatewayMessage => ({
  sid: `SM${'a'.repeat(32)}`,
  to: '+8613800138000',
  from: null,
  messagingServiceSid: `MG${'b'.repeat(32)}`,
  body: 'hi',
  status: 'undelivered',
  statusCallback: 'http://127.0.0.1/webhooks/twilio',
  dateCreated: new Date('2026-12-01T01:02:03Z'),
  numSegments: 1,
  history: [{ status: 'undelivered', at: new Date('2026-12-01T01:02:04Z'), errorCode: 30005 }],
  ...overrides,
});

describe('twilio wire format', () => {
  it('signs callbacks so that the twilio SDK accepts them', () => {
    const url = 'https://kefu.example/webhooks/twilio?x=1';
    const params = statusCallbackParams('AC1', message(), 'delivered');
    expect(twilio.validateRequest('token', twilioSignature('token', url, params), url, params)).toBe(true);
    expect(twilio.validateRequest('other', twilioSignature('token', url, params), url, params)).toBe(false);
  });

  it('counts segments as 160/153 GSM and 70/67 UCS-2 characters', () => {
    expect(smsSegments('a'.repeat(160))).toBe(1);
    expect(smsSegments('a'.repeat(161))).toBe(2);
    expect(smsSegments('a'.repeat(307))).toBe(3);
    expect(smsSegments('投'.repeat(70))).toBe(1);
    expect(smsSegments('投'.repeat(71))).toBe(2);
  });

  it('writes the message resource, errors and callbacks with Twilio field names', () => {
    expect(messageJson('AC1', message())).toMatchObject({
      account_sid: 'AC1',
      date_created: 'Tue, 01 Dec 2026 01:02:03 +0000',
      error_code: 30005,
      num_segments: '1',
      uri: `/2010-04-01/Accounts/AC1/Messages/SM${'a'.repeat(32)}.json`,
    });
    expect(twilioError(429, 20429, 'Too Many Requests')).toEqual({
      code: 20429,
      message: 'Too Many Requests',
      more_info: 'https://www.twilio.com/docs/errors/20429',
      status: 429,
    });
    expect(statusCallbackParams('AC1', message(), 'undelivered', 30005)).toMatchObject({
      From: '+8610690000',
      MessageStatus: 'undelivered',
      MessagingServiceSid: `MG${'b'.repeat(32)}`,
      ErrorCode: '30005',
    });
  });
});
