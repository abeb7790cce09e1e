import type { NoticeKind, NotificationKind, NotifyChannel } from '../database/entities';

/**
 * How each kind of estate-wide notice is sent. Safety alerts are urgent: SMS first, no quiet hours, no marketing
 * opt-out, and (estate_notice is a must-arrive kind) email then an EMS letter when the SMS fails. Greetings go on
 * the owner's own channel, respect the marketing opt-out and wait out the SMS quiet hours. A handover notice is an
 * EMS letter (000 §4.1.1); official notices must arrive; construction progress goes once on the owner's channel.
 */
export interface NoticePolicy {
  notificationKind: Extract<NotificationKind, 'estate_notice' | 'estate_update'>;
  /** Null: the notifier picks from the owner's preferences and opt-outs. */
  channel: NotifyChannel | null;
  urgent: boolean;
  /** Marketing: owners who opted out of marketing are left out. */
  marketing: boolean;
}

export const noticePolicies: Record<NoticeKind, NoticePolicy> = {
  safety_alert: { notificationKind: 'estate_notice', channel: 'sms', urgent: true, marketing: false },
  handover: { notificationKind: 'estate_notice', channel: 'letter', urgent: false, marketing: false },
  official: { notificationKind: 'estate_notice', channel: null, urgent: false, marketing: false },
  construction_progress: { notificationKind: 'estate_update', channel: null, urgent: false, marketing: false },
  holiday_greeting: { notificationKind: 'estate_update', channel: null, urgent: false, marketing: true },
};

export const noticeKindNames: Record<NoticeKind, string> = {
  handover: '交付通知书',
  construction_progress: '楼盘进度通报',
  safety_alert: '台风/暴雨预警',
  holiday_greeting: '节日问候',
  official: '正式通知',
};

/** The reference printed on the notice, its messages and its sign-off record: GG + 12 hex digits of the id. */
export const noticeReference = (id: string): string => `GG${id.replace(/-/g, '').slice(0, 12).toUpperCase()}`;
/** SQL: the same reference from an id expression. */
export const noticeReferenceSql = (id: string) => `'GG' || upper(substr(replace(${id}::text, '-', ''), 1, 12))`;
