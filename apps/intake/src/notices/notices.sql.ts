import { unitLabelSql } from '@kefu/shared';

/** A notice with its estate and author; the caller adds WHERE. */
export const SELECT_NOTICE = `SELECT n.id, n.project_id AS "projectId", p.name AS "estateName", n.kind, n.title, n.body, n.audience,
  n.status, n.recipients, n.excluded, n.queued_through AS "queuedThrough", s.name AS "createdBy", n.created_at AS "createdAt",
  n.sent_at AS "sentAt", n.queued_at AS "queuedAt", n.finished_at AS "finishedAt"
  FROM notices n JOIN projects p ON p.id = n.project_id LEFT JOIN staff s ON s.id = n.created_by_id`;

/** A page of a notice's recipients ($1 notice, $2 limit, $3 offset) with their notification; `filter` is a fixed AND clause. */
export function recipientsSql(filter: string): string {
  return `SELECT r.seq, r.owner_id AS "ownerId", o.name AS "ownerName", r.unit_id AS "unitId", ${unitLabelSql()} AS "unitLabel",
              o.mobiles[1] AS mobile, r.excluded, n.status, n.channel
         FROM notice_recipients r JOIN owners o ON o.id = r.owner_id JOIN units u ON u.id = r.unit_id
         JOIN buildings b ON b.id = u.building_id
         LEFT JOIN notifications n ON n.idempotency_key = 'notice:' || r.notice_id || ':' || r.owner_id || ':' || r.unit_id
        WHERE r.notice_id = $1 ${filter} ORDER BY r.seq LIMIT $2 OFFSET $3`;
}

/** Every recipient of notice $1 with the notification that got furthest (the original or a fallback) and its letter. */
export function signOffSql(): string {
  return `SELECT r.seq, ${unitLabelSql()} AS unit, o.name AS owner, r.excluded, best.channel, best.status, best.to_address,
              best.sent_at, best.delivered_at, l.signer, l.signed_at, best.error_code AS error
         FROM notice_recipients r
         CROSS JOIN LATERAL (SELECT 'notice:' || r.notice_id || ':' || r.owner_id || ':' || r.unit_id AS key) k
         JOIN owners o ON o.id = r.owner_id JOIN units u ON u.id = r.unit_id
         JOIN buildings b ON b.id = u.building_id
         LEFT JOIN LATERAL (
           SELECT x.* FROM notifications x
            WHERE x.idempotency_key IN (k.key, k.key || '/fallback:email', k.key || '/fallback:letter')
            ORDER BY CASE x.status WHEN 'signed_for' THEN 0 WHEN 'delivered' THEN 0 WHEN 'sent' THEN 1 WHEN 'sending' THEN 2
                     WHEN 'pending' THEN 3 ELSE 4 END, x.created_at DESC
            LIMIT 1
         ) best ON true
         LEFT JOIN letters l ON l.notification_id = best.id
        WHERE r.notice_id = $1 ORDER BY r.seq`;
}
