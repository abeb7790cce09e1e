import { z } from 'zod';

const provider = z.enum(['aliyun', 'tencent']);

/**
 * Domestic SMS (mainland carriers take application SMS only through a domestic provider, with a registered
 * signature and approved templates): Alibaba Cloud SMS and Tencent Cloud SMS beside Twilio. +86 mobiles go to
 * SMS_DOMESTIC_PRIMARY (SMS_DOMESTIC_SECONDARY on a provider outage); every other number to Twilio.
 */
export const domesticSmsKeys = {
  /** The domestic provider +86 mobiles go to; unset = every SMS through Twilio. */
  SMS_DOMESTIC_PRIMARY: provider.optional(),
  /** Tried when the primary is down (5xx, network, throttled as a whole); unset = none. */
  SMS_DOMESTIC_SECONDARY: provider.optional(),
  /** JSON file mapping each notification kind to each provider's approved template (README "Domestic SMS"). */
  SMS_TEMPLATES_FILE: z.string().min(1).optional(),
  /** The secret path segment of the receipt URLs /webhooks/sms/{aliyun,tencent}/<token> (receipts are unsigned). */
  SMS_RECEIPT_TOKEN: z.string().min(16, 'must be at least 16 characters (a random token)').optional(),
  /** Source addresses receipts are taken from (comma-separated IPs or CIDRs, the providers' ranges); empty = any. */
  SMS_RECEIPT_ALLOWED_IPS: z
    .string()
    .regex(/^[\s\d.:/a-fA-F,]*$/, 'must be comma-separated IP addresses or CIDRs')
    .default(''),
  /**
   * Per number and template before sending (the providers' own limits, e.g. Alibaba Cloud's 1 a minute, 5 an hour,
   * 10 a day): `count/seconds` pairs, comma-separated. Over a limit the send is deferred, not attempted.
   */
  SMS_DOMESTIC_LIMITS: z
    .string()
    .regex(/^\s*\d+\/\d+\s*(,\s*\d+\/\d+\s*)*$/, 'must be count/seconds pairs such as 1/60,5/3600,10/86400')
    .default('1/60,5/3600,10/86400'),
  /** Alibaba Cloud SMS (dysmsapi 2017-05-25) AccessKey pair and registered signature (签名). */
  ALIYUN_SMS_ACCESS_KEY_ID: z.string().min(1).optional(),
  ALIYUN_SMS_ACCESS_KEY_SECRET: z.string().min(8).optional(),
  ALIYUN_SMS_SIGN_NAME: z.string().min(2).max(20).optional(),
  /** host[:port] instead of dysmsapi.aliyuncs.com (the local fake); with http:// for plain HTTP. */
  ALIYUN_SMS_ENDPOINT: z.string().min(1).optional(),
  /** Tencent Cloud SMS (2021-01-11) SecretId/SecretKey, SMS application (SmsSdkAppId) and signature. */
  TENCENT_SMS_SECRET_ID: z.string().min(1).optional(),
  TENCENT_SMS_SECRET_KEY: z.string().min(8).optional(),
  TENCENT_SMS_SDK_APP_ID: z
    .string()
    .regex(/^\d{10}$/, 'must be the 10-digit SmsSdkAppId such as 1400000000')
    .optional(),
  TENCENT_SMS_SIGN_NAME: z.string().min(2).max(20).optional(),
  TENCENT_SMS_REGION: z.string().min(1).default('ap-guangzhou'),
  /** host[:port] instead of sms.tencentcloudapi.com (the local fake); with http:// for plain HTTP. */
  TENCENT_SMS_ENDPOINT: z.string().min(1).optional(),
};
