import type { BusinessCalendar } from '../calendar/business-calendar';
import type { CaseCategory } from '../database/entities/enums';

/** A statement's parameter function: pushes a value, returns its placeholder (`$3`). */
export type SqlParam = (value: unknown) => string;

/**
 * The day whose roster answers for an instant: the business-zone `day` itself (its dated entries come
 * first) and the ISO weekday (1 = Monday … 7 = Sunday) of the working day it falls on — the day itself on a
 * working day (make-up working days 调休 included), else the next working day: a case taken on a holiday
 * goes to whoever is on that day's holiday duty (a dated entry), else to who is on when work resumes.
 */
export interface DutyDay {
  day: string;
  weekday: number;
}

export function dutyDayOf(calendar: BusinessCalendar, at: Date): DutyDay {
  const day = calendar.dayOf(at);
  const working = calendar.isWorkingDay(day) ? day : calendar.nextWorkingDay(day);
  const wd = new Date(`${working}T00:00:00Z`).getUTCDay();
  return { day, weekday: wd === 0 ? 7 : wd };
}

/** How a case found its department: a named staff member's superior, a responsibility rule, or customer service. */
export type RouteVia = 'named_staff' | 'rule' | 'customer_service';
/** How the person within the department was found. */
export type RoutePerson = 'superior' | 'roster' | 'manager';

/** SQL: the first active person on `department`'s roster for the duty day (dated entries first), or no row. */
export function dutyPersonSql(department: string, on: DutyDay, p: SqlParam): string {
  return `SELECT r.staff_id AS id FROM duty_roster r JOIN staff s ON s.id = r.staff_id AND s.active
           WHERE r.department_id = ${department} AND (r.day = ${p(on.day)}::date OR r.weekday = ${p(on.weekday)}::smallint)
           ORDER BY r.day IS NULL, r.position, r.created_at, r.id LIMIT 1`;
}

/** SQL: `department`'s longest-serving active manager, or no row. */
export function departmentManagerSql(department: string): string {
  return `SELECT m.id FROM staff m WHERE m.active AND m.role = 'dept_manager' AND m.department_id = ${department}
           ORDER BY m.created_at, m.id LIMIT 1`;
}

/**
 * SQL expression: `department`'s handler on a duty day, as routing picks one — its duty person, else its manager
 * (NULL when it has neither).
 */
export function departmentHandlerSql(department: string, on: DutyDay, p: SqlParam): string {
  return `COALESCE((${dutyPersonSql(department, on, p)}), (${departmentManagerSql(department)}))`;
}

export interface RouteInput {
  category: CaseCategory | null;
  projectId: string | null;
  /** A staff member the complaint names (002 §5): the case goes to their superior (reports_to). */
  namedStaffId?: string | null;
  on: DutyDay;
}

/**
 * CTEs ending in `route` (no row: nothing routes) — one row: `via`, `department_id`, `rule_id`,
 * `rule_project_id` (null for an any-estate rule), `assignee_id`, `person` — to embed in a statement (intake's
 * case write) or run alone (`WITH … SELECT * FROM route`). The department, first match wins:
 *   1. the named staff member's active superior, and the superior's department (else the named one's);
 *   2. the responsibility rule for the category in the case's estate, else the any-estate rule;
 *   3. the customer-service department.
 * The person: the superior (1); else the department's duty person for the day; else its manager.
 */
export function routeCtes(input: RouteInput, p: SqlParam): string {
  return `rt_named AS (SELECT b.id AS staff_id, COALESCE(b.department_id, n.department_id) AS department_id
                         FROM staff n JOIN staff b ON b.id = n.reports_to_id AND b.active AND b.id <> n.id
                        WHERE n.id = ${p(input.namedStaffId ?? null)}::uuid),
      rt_rule AS (SELECT id, department_id, project_id FROM department_responsibilities
                   WHERE category = ${p(input.category)}::text AND (project_id = ${p(input.projectId)}::uuid OR project_id IS NULL)
                   ORDER BY project_id IS NULL LIMIT 1),
      rt_dept AS (SELECT * FROM (SELECT 1 AS pri, 'named_staff'::text AS via, department_id, staff_id, NULL::uuid AS rule_id, NULL::uuid AS rule_project_id FROM rt_named
                                 UNION ALL SELECT 2, 'rule', department_id, NULL, id, project_id FROM rt_rule
                                 UNION ALL SELECT 3, 'customer_service', id, NULL, NULL, NULL FROM departments WHERE customer_service) x
                   ORDER BY pri LIMIT 1),
      route AS (SELECT d.via, d.department_id, d.rule_id, d.rule_project_id, COALESCE(d.staff_id, duty.id, mgr.id) AS assignee_id,
                       CASE WHEN d.staff_id IS NOT NULL THEN 'superior' WHEN duty.id IS NOT NULL THEN 'roster' WHEN mgr.id IS NOT NULL THEN 'manager' END AS person
                  FROM rt_dept d
                  LEFT JOIN LATERAL (${dutyPersonSql('d.department_id', input.on, p)}) duty ON true
                  LEFT JOIN LATERAL (${departmentManagerSql('d.department_id')}) mgr ON true)`;
}

/** SQL: the `routed` event's details from the `route` CTE (names are resolved where the timeline is read). */
export function routedEventDetailsSql(input: RouteInput, p: SqlParam): string {
  return `jsonb_strip_nulls(jsonb_build_object('via', route.via, 'departmentId', route.department_id, 'assigneeId', route.assignee_id,
            'person', route.person, 'ruleId', route.rule_id,
            'rule', CASE WHEN route.rule_id IS NULL THEN NULL ELSE jsonb_build_object('category', ${p(input.category)}::text, 'projectId', route.rule_project_id, 'estateSpecific', route.rule_project_id IS NOT NULL) END,
            'namedStaffId', ${p(input.namedStaffId ?? null)}::uuid, 'dutyDay', ${p(input.on.day)}::text))`;
}
