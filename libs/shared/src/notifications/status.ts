import type { NotificationStatus } from '../database/entities';

/**
 * How far along a notification is. Provider callbacks arrive out of order, so a receipt only moves the
 * status forward: a late "sent" never overwrites "delivered". Terminal outcomes share a rank; among them
 * the first one reported wins, except that a letter's signed_for / returned settle what a scan said before.
 */
const rank: Record<NotificationStatus, number> = {
  pending: 0,
  sending: 1,
  sent: 2,
  undelivered: 3,
  failed: 3,
  bounced: 3,
  delivered: 3,
  returned: 4,
  signed_for: 4,
  cancelled: 5,
};

/** Whether a receipt reporting `to` may move a notification currently at `from`. */
export function isForwardTransition(from: NotificationStatus, to: NotificationStatus): boolean {
  if (from === 'cancelled') return false;
  // A delivery receipt after an interim "undelivered" (carrier retry succeeded) is still news.
  if (from === 'undelivered' && to === 'delivered') return true;
  return rank[to] > rank[from];
}

/** Statuses after which nothing more is sent for this row (fallbacks are new rows). */
export const finalStatuses: readonly NotificationStatus[] = [
  'delivered',
  'failed',
  'bounced',
  'returned',
  'signed_for',
  'cancelled',
];
