import type { DataSource } from 'typeorm';
import type { AppConfig, Clock } from '@kefu/shared';
import type { TwilioSmsSender } from '../notifications/twilio-sms.sender';
import { AliyunSmsSender } from './aliyun-sms.sender';
import type { DomesticSmsSender } from './domestic-sms.sender';
import type { SmsFrequencyLimiter } from './sms-frequency-limiter';
import { SmsRouter } from './sms-router.sender';
import { loadTemplateMapping, type DomesticProvider } from './sms-templates';
import { TencentSmsSender } from './tencent-sms.sender';

/**
 * The SMS router when a domestic provider is configured (SMS_DOMESTIC_PRIMARY), else null (Twilio alone).
 * Start-up fails, naming what is missing, when a named provider has no credentials or the template mapping
 * does not fit the notification kinds.
 */
export function createSmsRouter(
  config: AppConfig,
  ds: DataSource,
  clock: Clock,
  twilio: TwilioSmsSender | null,
  limiter: SmsFrequencyLimiter,
): SmsRouter | null {
  const wanted = [config.SMS_DOMESTIC_PRIMARY, config.SMS_DOMESTIC_SECONDARY].filter((p): p is DomesticProvider => !!p);
  if (!wanted.length) return null;
  const problems: string[] = [];
  const senders = new Map<DomesticProvider, DomesticSmsSender>();
  for (const p of wanted) {
    if (p === 'aliyun') {
      if (AliyunSmsSender.configured(config)) senders.set(p, new AliyunSmsSender(config));
      else
        problems.push('aliyun needs ALIYUN_SMS_ACCESS_KEY_ID, ALIYUN_SMS_ACCESS_KEY_SECRET and ALIYUN_SMS_SIGN_NAME');
    } else if (TencentSmsSender.configured(config)) senders.set(p, new TencentSmsSender(config, () => clock.now()));
    else
      problems.push(
        'tencent needs TENCENT_SMS_SECRET_ID, TENCENT_SMS_SECRET_KEY, TENCENT_SMS_SDK_APP_ID and TENCENT_SMS_SIGN_NAME',
      );
  }
  if (!config.SMS_TEMPLATES_FILE) problems.push('SMS_TEMPLATES_FILE is required with SMS_DOMESTIC_PRIMARY');
  if (!config.SMS_RECEIPT_TOKEN)
    problems.push('SMS_RECEIPT_TOKEN is required with SMS_DOMESTIC_PRIMARY (receipt URLs)');
  if (problems.length) throw new Error(`Domestic SMS is not configured:\n  - ${problems.join('\n  - ')}`);
  const mapping = loadTemplateMapping(config.SMS_TEMPLATES_FILE);
  return new SmsRouter(ds, config, twilio, senders, mapping, limiter);
}
