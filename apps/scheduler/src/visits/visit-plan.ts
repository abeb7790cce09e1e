import type { EntityManager } from 'typeorm';
import { addDays, addMonths, type VisitKind } from '@kefu/shared';
import { assignStaff, spreadDay, visitWindows } from './visit-schedule';

export interface VisitPlanRules {
  /** VISIT_INTERVAL_MONTHS: a new plan's routine interval (a plan keeps the interval it was made with). */
  intervalMonths: number;
  /** VISIT_HANDOVER_DAYS: the return visit after handover, this many days after it. */
  handoverDays: number;
  /** VISIT_DECORATION_MONTHS: visits to 毛坯 units this many months after handover. */
  decorationMonths: readonly number[];
}

export interface VisitPlanResult {
  planId: string;
  projectId: string;
  year: number;
  /** Households (units with current owners) and the staff who share them. */
  households: number;
  staff: number;
  added: number;
  /** Planned visits given to another member of staff or addressed to the household's new contact. */
  reassigned: number;
  /** Planned visits ended: the household left (no current owner), or a handover / decoration visit moved away. */
  ended: number;
}

interface Household {
  unit_id: string;
  owner_id: string;
  handover_date: string | null;
  finish: string;
}

interface Desired {
  unit_id: string;
  owner_id: string;
  staff_id: string;
  kind: VisitKind;
  seq: number;
  due_on: string;
}

type Queryable = Pick<EntityManager, 'query'>;

/**
 * Makes (or brings up to date) an estate's visit plan for a calendar year, as of `today`, in the caller's
 * transaction. The only writer of visit_plans and of owner_visits' planned rows.
 *
 * - A **household** is a unit with current owners (owner_units.until IS NULL), visited once per window and
 *   addressed to its primary contact (else its longest-standing owner): one visit to a home reaches its co-owners
 *   together (002 §7.5.2 个别或集体访问), coverage counts homes, and a sale hands the household's remaining visits to
 *   the buyer instead of restarting its cycle.
 * - **Routine** visits: one per household in each of the year's windows of `intervalMonths`, spread evenly over
 *   the window's days in the estate's order (building, entrance, room). Windows that ended before today (or before
 *   the plan began) are not planned; a household that joins mid-window is planned from today.
 * - **Handover** return visit `handoverDays` after the unit's handover (000 §6.4.2) and **decoration** visits
 *   `decorationMonths` after the handover of 毛坯 units (000 §6.5.2), when they fall in the year and not before
 *   the plan began; moved when the handover date moves, ended when they move out of the year.
 * - **Staff**: the estate's visit_staff (active), balanced (assignStaff); planned visits follow the household's
 *   member of staff and contact; done ones keep who did them.
 * - Households that left: their planned visits are ended. Re-running changes nothing (unique plan, unit, kind, seq).
 */
export async function generateVisitPlan(
  m: Queryable,
  projectId: string,
  year: number,
  today: string,
  rules: VisitPlanRules,
): Promise<VisitPlanResult> {
  const yearStart = `${year}-01-01`;
  const yearEnd = `${year + 1}-01-01`;
  await m.query(
    `INSERT INTO visit_plans (project_id, year, starts_on, interval_months, generated_at)
     VALUES ($1, $2, GREATEST($3::date, $4::date), $5, now()) ON CONFLICT (project_id, year) DO NOTHING`,
    [projectId, year, yearStart, today, rules.intervalMonths],
  );
  // Two generations of one plan (the daily task, a manager's button) take turns here.
  const [plan] = await m.query<Array<{ id: string; starts_on: string; interval_months: number }>>(
    `SELECT id, to_char(starts_on, 'YYYY-MM-DD') AS starts_on, interval_months FROM visit_plans
     WHERE project_id = $1 AND year = $2 FOR UPDATE`,
    [projectId, year],
  );
  await m.query(`UPDATE visit_plans SET generated_at = now() WHERE id = $1`, [plan!.id]);
  const from = plan!.starts_on > today ? plan!.starts_on : today;

  const staff = (
    await m.query<Array<{ id: string }>>(
      `SELECT s.id FROM visit_staff vs JOIN staff s ON s.id = vs.staff_id
       WHERE vs.project_id = $1 AND s.active ORDER BY vs.created_at, s.id`,
      [projectId],
    )
  ).map((s) => s.id);
  const none = { planId: plan!.id, projectId, year, staff: 0, added: 0, reassigned: 0, ended: 0 };
  // No one to visit with: the plan is left as it is (its visits stay with whoever had them) until staff are named.
  if (!staff.length) return { ...none, households: 0 };
  const households = await m.query<Household[]>(
    `SELECT u.id AS unit_id, to_char(u.handover_date, 'YYYY-MM-DD') AS handover_date, u.finish, c.owner_id
     FROM units u JOIN buildings b ON b.id = u.building_id
     CROSS JOIN LATERAL (
       SELECT ou.owner_id FROM owner_units ou WHERE ou.unit_id = u.id AND ou.until IS NULL
       ORDER BY ou.is_primary_contact DESC, ou.since NULLS LAST, ou.owner_id LIMIT 1) c
     WHERE u.project_id = $1
     ORDER BY b.name, u.entrance, length(u.room), u.room, u.id`,
    [projectId],
  );
  // Whose each household is: the member of staff of its latest visit (done ones count: a household visited this
  // window is still its person's, even with nothing left to plan in it).
  const current = new Map(
    (
      await m.query<Array<{ unit_id: string; staff_id: string }>>(
        `SELECT DISTINCT ON (unit_id) unit_id, staff_id FROM owner_visits
         WHERE plan_id = $1 AND status <> 'ended' AND staff_id IS NOT NULL ORDER BY unit_id, due_on DESC`,
        [plan!.id],
      )
    ).map((r) => [r.unit_id, r.staff_id]),
  );
  const assigned = assignStaff(
    households.map((h) => h.unit_id),
    staff,
    current,
  );

  const windows = visitWindows(year, plan!.interval_months).filter((w) => w.end > from);
  const desired: Desired[] = [];
  households.forEach((h, rank) => {
    const staffId = assigned.get(h.unit_id);
    if (!staffId) return; // no staff on the estate: nothing can be planned
    const base = { unit_id: h.unit_id, owner_id: h.owner_id, staff_id: staffId };
    for (const w of windows) {
      const day = spreadDay(w, rank, households.length);
      desired.push({ ...base, kind: 'routine', seq: w.seq, due_on: day < from ? from : day });
    }
    if (!h.handover_date) return;
    const fixed: Array<[VisitKind, number, string]> = [['handover', 0, addDays(h.handover_date, rules.handoverDays)]];
    if (h.finish === 'rough')
      for (const months of rules.decorationMonths)
        fixed.push(['decoration', months, addMonths(h.handover_date, months)]);
    for (const [kind, seq, due] of fixed)
      if (due >= yearStart && due < yearEnd && due >= plan!.starts_on)
        desired.push({ ...base, kind, seq, due_on: due });
  });

  const params = [plan!.id, JSON.stringify(households.map((h) => ({ ...h, staff_id: assigned.get(h.unit_id) })))];
  const [followed] = await m.query<Array<{ n: number }>>(
    `WITH h AS (SELECT * FROM jsonb_to_recordset($2::jsonb) AS h(unit_id uuid, owner_id uuid, staff_id uuid)),
     upd AS (
       UPDATE owner_visits v SET owner_id = h.owner_id, staff_id = COALESCE(h.staff_id, v.staff_id), updated_at = now()
       FROM h WHERE v.plan_id = $1 AND v.status = 'planned' AND v.unit_id = h.unit_id
         AND (v.owner_id IS DISTINCT FROM h.owner_id OR v.staff_id IS DISTINCT FROM COALESCE(h.staff_id, v.staff_id))
       RETURNING 1)
     SELECT count(*)::int AS n FROM upd`,
    params,
  );
  const [inserted] = await m.query<Array<{ added: number; moved: number }>>(
    `WITH d AS (SELECT * FROM jsonb_to_recordset($2::jsonb)
                AS d(unit_id uuid, owner_id uuid, staff_id uuid, kind text, seq int, due_on date)),
     -- only what is new or changes: a conflicting row would be locked even when the update's WHERE is false
     todo AS (
       SELECT d.* FROM d LEFT JOIN owner_visits v ON v.plan_id = $1 AND v.unit_id = d.unit_id AND v.kind = d.kind AND v.seq = d.seq
       WHERE v.id IS NULL OR v.status = 'ended' AND v.end_reason = 'household_left'
          OR v.status = 'planned' AND v.kind <> 'routine' AND v.due_on <> d.due_on),
     ins AS (
       INSERT INTO owner_visits (plan_id, project_id, unit_id, owner_id, staff_id, kind, seq, due_on)
       SELECT $1, $3, unit_id, owner_id, staff_id, kind, seq, due_on FROM todo
       ON CONFLICT (plan_id, unit_id, kind, seq) DO UPDATE
         SET status = 'planned', ended_at = NULL, end_reason = NULL, due_on = EXCLUDED.due_on, updated_at = now()
         -- a household back after leaving gets its visits again; a moved handover date moves its visits
         WHERE owner_visits.status = 'ended' AND owner_visits.end_reason = 'household_left'
            OR owner_visits.status = 'planned' AND owner_visits.kind <> 'routine' AND owner_visits.due_on <> EXCLUDED.due_on
       RETURNING (xmax = 0) AS added)
     SELECT count(*) FILTER (WHERE added)::int AS added, count(*) FILTER (WHERE NOT added)::int AS moved FROM ins`,
    [plan!.id, JSON.stringify(desired), projectId],
  );
  const [ended] = await m.query<Array<{ n: number }>>(
    `WITH h AS (SELECT unit_id FROM jsonb_to_recordset($2::jsonb) AS h(unit_id uuid)),
     d AS (SELECT * FROM jsonb_to_recordset($3::jsonb) AS d(unit_id uuid, kind text, seq int)),
     upd AS (
       UPDATE owner_visits v
       SET status = 'ended', ended_at = now(), updated_at = now(),
           end_reason = CASE WHEN v.unit_id IN (SELECT unit_id FROM h) THEN 'rescheduled' ELSE 'household_left' END
       WHERE v.plan_id = $1 AND v.status = 'planned'
         AND (v.unit_id NOT IN (SELECT unit_id FROM h)
              OR v.kind <> 'routine' AND NOT EXISTS (
                SELECT 1 FROM d WHERE d.unit_id = v.unit_id AND d.kind = v.kind AND d.seq = v.seq))
       RETURNING 1)
     SELECT count(*)::int AS n FROM upd`,
    [
      plan!.id,
      JSON.stringify(households.map((h) => ({ unit_id: h.unit_id }))),
      JSON.stringify(
        desired.filter((d) => d.kind !== 'routine').map(({ unit_id, kind, seq }) => ({ unit_id, kind, seq })),
      ),
    ],
  );
  return {
    planId: plan!.id,
    projectId,
    year,
    households: households.length,
    staff: staff.length,
    added: inserted!.added,
    reassigned: followed!.n + inserted!.moved,
    ended: ended!.n,
  };
}
