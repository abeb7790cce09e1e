import { Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  departmentHandlerSql,
  departmentManagerSql,
  type DutyDay,
  type EscalationChain,
  type EscalationLevel,
  type StaffRole,
} from '@kefu/shared';

export interface ChainStaff {
  id: string;
  name: string;
  role: StaffRole;
  departmentId: string | null;
  reportsToId: string | null;
  email: string | null;
  mobile: string | null;
  /** From atLevel: the chain level whose rule found this person (a level nobody fills passes up to the next). */
  chainLevel?: number;
}

const cols = `id, name, role, department_id AS "departmentId", reports_to_id AS "reportsToId", email, mobile`;
const logger = new Logger('ReminderChain');

/** Rank on the escalation chain: staff 0, department manager 1, vice GM 2, GM 3. */
export const roleRank: Record<StaffRole, number> = {
  operator: 0,
  cs_rep: 0,
  admin: 0,
  dept_manager: 1,
  vice_gm: 2,
  gm: 3,
};
const roleAtRank: Record<number, StaffRole> = { 1: 'dept_manager', 2: 'vice_gm', 3: 'gm' };

async function one(m: EntityManager, where: string, params: unknown[]): Promise<ChainStaff | null> {
  const rows = await m.query<ChainStaff[]>(
    `SELECT ${cols} FROM staff WHERE active AND ${where} ORDER BY created_at, id LIMIT 1`,
    params,
  );
  return rows[0] ?? null;
}

export function staffById(m: EntityManager, id: string): Promise<ChainStaff | null> {
  return one(m, 'id = $1', [id]);
}

/** Active staff by id, in one query (what staffById answers for each). */
export async function staffByIds(m: EntityManager, ids: readonly string[]): Promise<Map<string, ChainStaff>> {
  if (!ids.length) return new Map();
  const rows = await m.query<ChainStaff[]>(`SELECT ${cols} FROM staff WHERE active AND id = ANY($1::uuid[])`, [ids]);
  return new Map(rows.map((s) => [s.id, s]));
}

/** Someone of that rank or the first rank above it that has anyone: a department manager of the department if there is one. */
async function byRank(m: EntityManager, rank: number, departmentId: string | null): Promise<ChainStaff | null> {
  for (let r = Math.max(rank, 1); r <= 3; r++) {
    const role = roleAtRank[r]!;
    const found =
      (r === 1 && departmentId ? await one(m, `role = $1 AND department_id = $2`, [role, departmentId]) : null) ??
      (await one(m, `role = $1`, [role]));
    if (found) return found;
  }
  return null;
}

/** A department's handler on a day, as intake's routing picks one: its duty person, else its manager. */
async function handlerOf(m: EntityManager, department: string, on: DutyDay, params: unknown[]) {
  const p = (v: unknown) => `$${params.push(v)}`;
  return one(m, `id = ${departmentHandlerSql(department, on, p)}`, params);
}

/**
 * Who answers for a case's deadlines: its assignee (intake's routing sets one); else the responsible
 * department's duty person on `on` (the day the reminder goes), else its manager; else the customer-service
 * department's duty person or manager; only then the longest-serving cs_rep, with a warning — routing is
 * not configured (no rule, no customer-service department, no roster).
 */
export async function responsibleFor(
  m: EntityManager,
  c: { assigneeId: string | null; departmentId: string | null; id?: string; caseId?: string },
  on?: DutyDay,
): Promise<ChainStaff | null> {
  if (c.assigneeId) {
    const s = await staffById(m, c.assigneeId);
    if (s) return s;
  }
  if (c.departmentId) {
    const handler = on
      ? await handlerOf(m, '$1::uuid', on, [c.departmentId])
      : await one(m, `role = 'dept_manager' AND department_id = $1`, [c.departmentId]);
    if (handler) return handler;
  }
  if (on) {
    const cs = await handlerOf(m, '(SELECT id FROM departments WHERE customer_service)', on, []);
    if (cs) return cs;
  }
  const rep = await one(m, `role = 'cs_rep'`, []);
  if (rep)
    logger.warn(
      { caseId: c.caseId ?? c.id, departmentId: c.departmentId, staffId: rep.id },
      'no assignee, department handler or customer-service duty person: the longest-serving cs_rep answers (configure routing)',
    );
  return rep ?? byRank(m, 1, c.departmentId);
}

/**
 * The head of the case's responsible department (004 篇2 §5.A): its manager; without a department, the first
 * manager above the person responsible (or that person, if a manager already).
 */
export async function headOf(
  m: EntityManager,
  c: { departmentId: string | null },
  responsible: ChainStaff | null,
): Promise<ChainStaff | null> {
  if (c.departmentId) {
    const head = await one(m, `role = 'dept_manager' AND department_id = $1`, [c.departmentId]);
    if (head) return head;
  }
  if (!responsible) return byRank(m, 1, c.departmentId);
  if (roleRank[responsible.role] >= 1) return responsible;
  return (await above(m, responsible)) ?? responsible;
}

/**
 * One level up by rank: reports_to if set (and active), else by role (dept_manager → vice_gm → gm). Null above the
 * GM. Only for the head of a case without a department (headOf); escalations follow the chain (atLevel).
 */
async function above(m: EntityManager, s: ChainStaff): Promise<ChainStaff | null> {
  if (s.reportsToId) {
    const boss = await staffById(m, s.reportsToId);
    if (boss && boss.id !== s.id) return boss;
  }
  const rank = roleRank[s.role];
  if (rank >= 3) return null;
  return byRank(m, rank + 1, s.departmentId);
}

/** The person a chain level names for a case, or null when nobody active fits. */
async function resolveLevel(
  m: EntityManager,
  l: EscalationLevel,
  c: { departmentId: string | null },
  responsible: ChainStaff | null,
): Promise<ChainStaff | null> {
  switch (l.resolver) {
    case 'role': {
      if (!l.withinCaseDepartment) return one(m, `role = $1`, [l.role]);
      const department = c.departmentId ?? responsible?.departmentId ?? null;
      return department ? one(m, `role = $1 AND department_id = $2`, [l.role, department]) : null;
    }
    case 'department_manager':
      return one(m, `id = (${departmentManagerSql('$1::uuid')})`, [l.departmentId]);
    case 'staff':
      return l.staffId ? staffById(m, l.staffId) : null;
    default: {
      const never: never = l.resolver;
      throw new Error(`unknown escalation resolver ${String(never)}`);
    }
  }
}

/**
 * The person at `level` of the escalation chain (escalation_levels) for a case. Precedence: level 0 is the
 * person responsible; for level 1 the responsible person's `reports_to` (active, not themself) wins where set,
 * as before; otherwise the level's own rule. A level whose rule finds nobody active, or only the responsible
 * person themself, passes to the next level up (as the ranks did: no department manager → the vice GM); at the
 * top with nobody else, the responsible person, or null. Levels above the top are the top.
 */
export async function atLevel(
  m: EntityManager,
  chain: EscalationChain,
  c: { departmentId: string | null },
  responsible: ChainStaff | null,
  level: number,
): Promise<ChainStaff | null> {
  if (level <= 0) return responsible;
  const from = Math.min(level, chain.top);
  if (from === 1 && responsible?.reportsToId) {
    const boss = await staffById(m, responsible.reportsToId);
    if (boss && boss.id !== responsible.id) return { ...boss, chainLevel: 1 };
  }
  let self: ChainStaff | null = null;
  for (const l of chain.levels) {
    if (l.level < from) continue;
    const found = await resolveLevel(m, l, c, responsible);
    if (found && found.id === responsible?.id) self = { ...found, chainLevel: l.level };
    else if (found) return { ...found, chainLevel: l.level };
  }
  return self;
}

/** Is `actorId` the staff member `staffId` or anyone above them (reports_to chain, or a higher role)? */
export async function isAtOrAbove(
  m: EntityManager,
  actorId: string,
  actorRole: StaffRole,
  staffId: string,
): Promise<boolean> {
  if (actorId === staffId || actorRole === 'admin') return true;
  const rows = await m.query<Array<{ id: string }>>(
    `WITH RECURSIVE up AS (SELECT id, reports_to_id, 0 AS depth FROM staff WHERE id = $1
       UNION ALL SELECT s.id, s.reports_to_id, up.depth + 1 FROM staff s JOIN up ON s.id = up.reports_to_id WHERE up.depth < 10)
     SELECT id FROM up WHERE id = $2 LIMIT 1`,
    [staffId, actorId],
  );
  if (rows.length) return true;
  const target = await staffById(m, staffId);
  if (!target) return roleRank[actorRole] >= 2;
  const actor = await staffById(m, actorId);
  // Without a reports_to link: a manager of the same department, or a vice GM / GM, is above.
  return (
    roleRank[actorRole] > roleRank[target.role] &&
    (roleRank[actorRole] >= 2 || (actor?.departmentId != null && actor.departmentId === target.departmentId))
  );
}

/**
 * The assignees of a batch of cases not known yet, in one query: responsibleFor's first answer, for the whole
 * batch, memoised in `people` under `<assigneeId>|<departmentId>`.
 */
type CaseStaffing = { assigneeId: string | null; departmentId: string | null };

export async function prefetchAssignees(
  m: EntityManager,
  rows: CaseStaffing[],
  people: Map<string, Promise<ChainStaff | null>>,
): Promise<void> {
  const key = (r: CaseStaffing) => `${r.assigneeId}|${r.departmentId}`;
  const wanted = rows.filter((r) => r.assigneeId && !people.has(key(r)));
  if (!wanted.length) return;
  const found = await staffByIds(m, [...new Set(wanted.map((r) => r.assigneeId!))]);
  for (const r of wanted) {
    const s = found.get(r.assigneeId!);
    if (s && !people.has(key(r))) people.set(key(r), Promise.resolve(s));
  }
}

export function channelsOf(s: Pick<ChainStaff, 'email' | 'mobile'>): Array<'email' | 'sms'> {
  const out: Array<'email' | 'sms'> = [];
  if (s.email) out.push('email');
  if (s.mobile) out.push('sms');
  return out;
}
