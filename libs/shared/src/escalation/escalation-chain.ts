import type { EntityManager } from 'typeorm';
import type { EscalationResolver } from '../database/entities/escalation-level.entity';
import type { StaffRole } from '../database/entities/enums';

/** One level of the escalation chain as stored in `escalation_levels` (this module is its only writer). */
export interface EscalationLevel {
  /** 1 = the first step above the person responsible; the last level is the top. */
  level: number;
  /** What staff see: 部门经理, 市场部经理, 总经办客户代表, 主管副总, 总经理. */
  name: string;
  resolver: EscalationResolver;
  role: StaffRole | null;
  withinCaseDepartment: boolean;
  departmentId: string | null;
  staffId: string | null;
}

export interface EscalationChain {
  levels: EscalationLevel[];
  /** The last level: where a case goes "straight to the GM" (002 §7.4.2) and escalation stops. */
  top: number;
}

/** The chain the migration seeds and the code had before it was data (002 §7.3.2's ranks by role). */
export const DEFAULT_ESCALATION_LEVELS: readonly EscalationLevel[] = [
  {
    level: 1,
    name: '部门经理',
    resolver: 'role',
    role: 'dept_manager',
    withinCaseDepartment: true,
    departmentId: null,
    staffId: null,
  },
  {
    level: 2,
    name: '主管副总',
    resolver: 'role',
    role: 'vice_gm',
    withinCaseDepartment: false,
    departmentId: null,
    staffId: null,
  },
  {
    level: 3,
    name: '总经理',
    resolver: 'role',
    role: 'gm',
    withinCaseDepartment: false,
    departmentId: null,
    staffId: null,
  },
];

const cols = `level, name, resolver, role, within_case_department AS "withinCaseDepartment", department_id AS "departmentId",
              staff_id AS "staffId"`;

/** The chain in order; the default one if the table is empty (it never is after the migration and the API). */
export async function loadEscalationChain(m: EntityManager): Promise<EscalationChain> {
  const rows = await m.query<EscalationLevel[]>(`SELECT ${cols} FROM escalation_levels ORDER BY level`);
  const levels = rows.length ? rows : [...DEFAULT_ESCALATION_LEVELS];
  return { levels, top: levels[levels.length - 1]!.level };
}

/** A level's name; levels above the top are the top (a chain shortened after a case went up). */
export function levelName(chain: EscalationChain, level: number): string | null {
  if (level <= 0) return null;
  const l = Math.min(level, chain.top);
  return chain.levels.find((x) => x.level === l)?.name ?? null;
}

/**
 * Replaces the whole chain in the caller's transaction: `levels[i]` becomes level i + 1. The caller has
 * checked the ids exist and the length is 1..MAX_ESCALATION_LEVEL.
 */
export async function replaceEscalationChain(
  m: EntityManager,
  levels: ReadonlyArray<Omit<EscalationLevel, 'level'>>,
  updatedById: string | null,
): Promise<void> {
  await m.query(`DELETE FROM escalation_levels`);
  await m.query(
    `INSERT INTO escalation_levels (level, name, resolver, role, within_case_department, department_id, staff_id, updated_by_id)
     SELECT ord, name, resolver, role, within, department_id, staff_id, $7
     FROM unnest($1::text[], $2::text[], $3::text[], $4::boolean[], $5::uuid[], $6::uuid[]) WITH ORDINALITY
          AS l(name, resolver, role, within, department_id, staff_id, ord)`,
    [
      levels.map((l) => l.name),
      levels.map((l) => l.resolver),
      levels.map((l) => l.role),
      levels.map((l) => l.withinCaseDepartment),
      levels.map((l) => l.departmentId),
      levels.map((l) => l.staffId),
      updatedById,
    ],
  );
}
