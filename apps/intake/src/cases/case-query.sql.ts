import { unitLabelSql } from '@kefu/shared';
import type { ListCasesQuery } from './case.dto';

/** Overdue: the promised reply date has passed and the customer has had no reply (the queue's filter and the dashboard count alike; cases aliased `c`). */
export const OVERDUE = `(c.promised_reply_at < now() AND c.status IN ('new', 'accepted', 'assigned'))`;

/** A case's queue row (CaseRow): `cases c` with its estate, unit, owner, assignee and department. */
export const CASE_ROW_SELECT = `
  SELECT c.id, c.number, c.type, c.category, c.severity, c.validity, c.channel, c.status, p.code AS "projectCode", p.name AS "projectName",
         CASE WHEN u.id IS NULL THEN NULL ELSE ${unitLabelSql('u', 'b')} END AS "unitLabel",
         o.name AS "ownerName", c.reporter_name AS "reporterName", c.assignee_id AS "assigneeId", s.name AS "assigneeName",
         c.department_id AS "departmentId", d.name AS "departmentName",
         c.escalation_level AS "escalationLevel", c.reply_date_moves AS "replyDateMoves", c.promised_reply_at AS "promisedReplyAt",
         ${OVERDUE} AS overdue,
         c.received_at AS "receivedAt", left(c.description, 120) AS summary
    FROM cases c
    LEFT JOIN projects p ON p.id = c.project_id
    LEFT JOIN units u ON u.id = c.unit_id
    LEFT JOIN buildings b ON b.id = u.building_id
    LEFT JOIN owners o ON o.id = c.owner_id
    LEFT JOIN staff s ON s.id = c.assignee_id
    LEFT JOIN departments d ON d.id = c.department_id`;

/** The case queue's filters as a WHERE clause over `cases c` (empty when none) and its parameters, $1 on. */
export function listCasesFilter(q: ListCasesQuery): { filter: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: (n: string) => string, value: unknown) => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  if (q.status) add((n) => `c.status = ANY(${n}::text[])`, q.status);
  if (q.channel) add((n) => `c.channel = ANY(${n}::text[])`, q.channel);
  if (q.type) add((n) => `c.type = ANY(${n}::text[])`, q.type);
  if (q.category) add((n) => `c.category = ANY(${n}::text[])`, q.category);
  if (q.projectId) add((n) => `c.project_id = ${n}`, q.projectId);
  if (q.assigneeId) add((n) => `c.assignee_id = ${n}`, q.assigneeId);
  if (q.departmentId) add((n) => `c.department_id = ${n}`, q.departmentId);
  if (q.overdue !== undefined) where.push(`${q.overdue ? '' : 'NOT '}${OVERDUE}`);
  if (q.q)
    add(
      (n) => `(c.number ILIKE ${n} OR c.description ILIKE ${n} OR c.reporter_name ILIKE ${n})`,
      `%${q.q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`,
    );
  const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
  return { filter, params };
}
