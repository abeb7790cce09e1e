import type { NotifyChannel } from '../database/entities';

/**
 * One key format, two renderings from the same definition: `format(values)` builds the key in
 * TypeScript; `format.sql(expressions)` builds the SQL text expression that yields the same key from
 * SQL expressions (each cast to text, so pass dates already formatted, e.g. `to_char(d, 'YYYY-MM-DD')`).
 */
export interface KeyFormat<P extends string> {
  (values: Record<P, string>): string;
  sql(expressions: Record<P, string>): string;
}

function keyFormat<const P extends readonly string[]>(prefix: string, parts: P): KeyFormat<P[number]> {
  const format = (values: Record<P[number], string>): string =>
    [prefix, ...parts.map((p: P[number]) => values[p])].join(':');
  format.sql = (expressions: Record<P[number], string>): string =>
    [`'${prefix}'`, ...parts.map((p: P[number]) => `(${expressions[p]})::text`)].join(` || ':' || `);
  return format;
}

/**
 * WARNING: persisted in notifications.idempotency_key (unique): changing a format re-sends every
 * message already asked for under the old one. Add a new format instead.
 */
export const notificationKeys = {
  /** 受理回执: one per case. */
  caseAck: keyFormat('case-ack', ['caseId']),
  /** 答复: the n-th reply staff gave on a case (1, 2… — a reopened case is answered again). */
  caseReply: keyFormat('case-reply', ['caseId', 'reply']),
  /** 回访 request: per case and round (the n-th resolution). */
  returnVisit: keyFormat('return-visit', ['caseId', 'round']),
  /** A reminder or escalation, per channel. */
  reminder: keyFormat('reminder', ['reminderId', 'channel']),
  /** A manager's digest, per business day (YYYY-MM-DD). */
  digest: keyFormat('digest', ['staffId', 'day']),
  /** 保修期满提醒: per unit, item, expiry date (YYYY-MM-DD) and current owner; a buyer hears what the seller heard. */
  warranty: keyFormat('warranty', ['unitId', 'itemCode', 'expiresOn', 'ownerId']),
  /** 办证通知: per batch, unit, owner, stage and channel. */
  certificate: keyFormat('cert', ['batchId', 'unitId', 'ownerId', 'stage', 'channel']),
  /** 拜访提醒: a member of staff's due visits, per business day (YYYY-MM-DD). */
  visitDue: keyFormat('visit-due', ['staffId', 'day']),
  /** 满意度调查: the invitation (stage `invite`) and the reminder to a non-responder (stage `reminder`). */
  survey: keyFormat('survey', ['invitationId', 'stage']),
  /** An estate-wide notice: per notice, owner and the unit they are reached about (sent once, even after a restart). */
  notice: keyFormat('notice', ['noticeId', 'ownerId', 'unitId']),
  /** 典型案例分享: a write-up shared with a department, once per member of its staff. */
  writeupShare: keyFormat('writeup-share', ['writeupId', 'departmentId', 'staffId']),
  /** A domestic provider refused a template: once per provider, template, business day and administrator. */
  smsTemplateRefused: keyFormat('sms-template-refused', ['provider', 'template', 'day', 'staffId']),
} as const;

const FALLBACK_SUFFIX = /\/fallback:[a-z]+$/;

/** The row that replaces a failed one on the next channel: `<original key>/fallback:<channel>`, once per channel. */
export function fallbackKey(failedKey: string, next: NotifyChannel): string {
  return `${failedKey.replace(FALLBACK_SUFFIX, '')}/fallback:${next}`;
}

/**
 * The outbox dedupe key of a notification's `notification-requested` job (addToOutbox's default for
 * that payload). WARNING: persisted in outbox.dedupe_key.
 */
export const notificationOutboxKey = keyFormat('notification-requested', ['notificationId']);

/**
 * The outbox dedupe key of the `notifications-requested` job for a batch of notifications asked for in one
 * statement, named by the batch's first id (each notification is in one batch). WARNING: persisted in
 * outbox.dedupe_key.
 */
export const notificationBatchOutboxKey = keyFormat('notifications-requested', ['firstNotificationId']);
