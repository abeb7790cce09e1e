import type { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import {
  notificationKeys,
  requestNotifications,
  zonedParts,
  type AppConfig,
  type NotificationVariables,
} from '@kefu/shared';

/**
 * A domestic provider refused our signature or a template (isv.TEMPLATE_MISSING_PARAMETERS, FailedOperation.
 * TemplateIncorrectOrUnapproved…): every SMS of that kind will be refused until someone fixes the mapping or the
 * provider console, so the administrators are told by email, once per provider, template and business day. The
 * message itself already moved on to the next channel. Alerting never fails the send: a problem is logged.
 */
export async function alertTemplateRefused(
  ds: DataSource,
  config: AppConfig,
  logger: Logger,
  v: NotificationVariables<'sms_template_refused'>,
): Promise<void> {
  logger.error(
    { provider: v.provider, template: v.template, kind: v.refusedKind, code: v.code },
    `the ${v.provider} SMS template for ${v.refusedKind} was refused; administrators are told by email`,
  );
  try {
    const admins = await ds.query<Array<{ id: string }>>(
      `SELECT id FROM staff WHERE active AND role = 'admin' AND email IS NOT NULL ORDER BY id`,
    );
    const day = zonedParts(new Date(), config.BUSINESS_TIME_ZONE).day;
    await requestNotifications(
      ds,
      admins.map((a) => ({
        idempotencyKey: notificationKeys.smsTemplateRefused({
          provider: v.provider,
          template: v.template,
          day,
          staffId: a.id,
        }),
        kind: 'sms_template_refused' as const,
        recipient: { staffId: a.id },
        channel: 'email' as const,
        variables: v,
      })),
    );
  } catch (err) {
    logger.error({ err: (err as Error).message }, 'could not tell the administrators about a refused SMS template');
  }
}
