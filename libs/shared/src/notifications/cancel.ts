import type { EntityManager } from 'typeorm';
import type { NotificationSourceType } from './notification-rows.sql';

/**
 * Withdraws the messages asked for by these sources that the notifier has not started on (status
 * pending; it skips rows that are not). Returns how many were cancelled.
 */
export async function cancelNotifications(
  m: Pick<EntityManager, 'query'>,
  source: { type: NotificationSourceType; ids: readonly string[] },
): Promise<number> {
  if (!source.ids.length) return 0;
  // TypeORM answers UPDATE with [rows, affected].
  const [, affected] = await m.query<[unknown[], number]>(
    `UPDATE notifications SET status = 'cancelled', updated_at = now()
     WHERE source_type = $1 AND source_id = ANY($2::uuid[]) AND status = 'pending'`,
    [source.type, source.ids],
  );
  return affected;
}
