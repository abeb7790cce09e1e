import type { EntityManager } from 'typeorm';
import { addDays, zonedToUtc } from '@kefu/shared';
import { generateVisitPlan } from '../../apps/scheduler/src/visits/visit-plan';
import type { DemoEstate } from './estate';
import type { Rng } from './random';

const TIME_ZONE = 'Asia/Shanghai';
const METHODS = ['home', 'home', 'phone', 'phone', 'phone', 'office', 'group'] as const;
const TOPICS = ['物业服务', '停车', '绿化', '安全', '装修', '社区活动', '维修进度', '噪音'];

/**
 * The year's visit plan for the demo estate (rep and the department manager share its households, made on
 * 1 January with the configured defaults: every 4 months, handover + 30 days, decoration at 1, 3 and 6 months), and
 * its history up to yesterday: most visits due before today recorded (mostly on time, some late, some owners not
 * reached), the rest left overdue — so the visits page shows due visits and a completion figure that moves.
 */
export async function writeVisits(
  m: EntityManager,
  rand: Rng,
  estate: DemoEstate,
  day: string,
): Promise<{ planned: number; recorded: number }> {
  const year = Number(day.slice(0, 4));
  const visitors = [estate.staff.rep, estate.staff.manager];
  for (const [i, s] of visitors.entries())
    await m.query(`INSERT INTO visit_staff (project_id, staff_id, created_at) VALUES ($1, $2, $3)`, [
      estate.projectId,
      s.id,
      new Date(Date.UTC(year, 0, 1, 0, 0, i)),
    ]);
  const plan = await generateVisitPlan(m, estate.projectId, year, `${year}-01-01`, {
    intervalMonths: 4,
    handoverDays: 30,
    decorationMonths: [1, 3, 6],
  });
  const past = await m.query<
    Array<{ id: string; staff_id: string; unit_id: string; owner_id: string; due_on: string }>
  >(
    `SELECT id, staff_id, unit_id, owner_id, to_char(due_on, 'YYYY-MM-DD') AS due_on FROM owner_visits
     WHERE plan_id = $1 AND status = 'planned' AND due_on < $2::date ORDER BY due_on, unit_id, kind, seq`,
    [plan.planId, day],
  );
  let recorded = 0;
  for (const v of past) {
    if (rand.chance(0.12)) continue; // still to do: overdue
    const late = rand.chance(0.15) ? rand.int(1, 12) : 0;
    const visitedOn = addDays(v.due_on, late) < day ? addDays(v.due_on, late) : v.due_on;
    const visitedAt = zonedToUtc(visitedOn, rand.int(9 * 60, 17 * 60) * 60_000, TIME_ZONE);
    const reached = !rand.chance(0.05);
    const method = rand.pick(METHODS);
    const topics = [rand.pick(TOPICS), ...(rand.chance(0.4) ? [rand.pick(TOPICS)] : [])].filter(
      (t, i, a) => a.indexOf(t) === i,
    );
    const [row] = (await m.query<Array<{ id: string }>>(
      `INSERT INTO visit_records (id, visit_id, project_id, unit_id, owner_id, staff_id, visited_at, method, topics, notes, outcome, recorded_by_id, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::varchar[], $10, $11, $6, $7) RETURNING id`,
      [
        rand.uuid(),
        v.id,
        estate.projectId,
        v.unit_id,
        v.owner_id,
        v.staff_id,
        visitedAt,
        reached ? method : 'phone',
        reached ? topics : [],
        reached ? (rand.chance(0.3) ? '业主对近期服务表示认可。' : null) : '电话无人接听，改日再访。',
        reached ? (rand.chance(0.15) ? 'issues' : 'satisfied') : 'not_reached',
      ],
    )) as [{ id: string }];
    if (!reached) continue;
    await m.query(`UPDATE owner_visits SET status = 'done', done_at = $2, record_id = $3 WHERE id = $1`, [
      v.id,
      visitedAt,
      row.id,
    ]);
    recorded++;
  }
  const [{ n }] = (await m.query<Array<{ n: number }>>(
    `SELECT count(*)::int AS n FROM owner_visits WHERE plan_id = $1`,
    [plan.planId],
  )) as [{ n: number }];
  return { planned: n, recorded };
}
