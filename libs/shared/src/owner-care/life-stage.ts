import { addMonths } from '../calendar';

/**
 * Owners' life stages (001 客户满意度管理程序 §3): 准业主 bought, not yet moved in; 磨合期 the first year
 * after moving in; 稳定期 1–2 years; 老业主 over 2 years. One definition, in TypeScript and in SQL (the
 * function owner_life_stage, migration OwnerLifeStage), tested against each other.
 */
export const lifeStages = ['prospective', 'settling', 'stable', 'established'] as const;
export type LifeStage = (typeof lifeStages)[number];

export const lifeStageNames: Record<LifeStage, string> = {
  prospective: '准业主',
  settling: '磨合期',
  stable: '稳定期',
  established: '老业主',
};

/**
 * The day an owner moved in: the recorded move-in date (owner_units.moved_in_on), else the later of the unit's
 * handover and the day the owner's ownership began (owner_units.since — the contract for a first buyer, the
 * transfer for a resale buyer, who moves into a unit already handed over). Null: not moved in (no handover yet).
 */
export function movedInOn(link: {
  since: string | null;
  handoverDate: string | null;
  movedInOn: string | null;
}): string | null {
  if (link.movedInOn) return link.movedInOn;
  if (!link.handoverDate) return null;
  return link.since && link.since > link.handoverDate ? link.since : link.handoverDate;
}

/** The owner's life stage on `today` (YYYY-MM-DD), from the day they moved in (movedInOn). */
export function lifeStage(movedIn: string | null, today: string): LifeStage {
  if (!movedIn || movedIn > today) return 'prospective';
  if (today < addMonths(movedIn, 12)) return 'settling';
  if (today < addMonths(movedIn, 24)) return 'stable';
  return 'established';
}

/**
 * SQL for the same: the move-in day of owner_units row `ou` of unit `u`, and the life stage on `today` (a SQL
 * date expression). Both call the functions the migration created, so reports and audiences cannot disagree.
 */
export const movedInOnSql = (ou = 'ou', u = 'u') =>
  `owner_moved_in_on(${ou}.since, ${u}.handover_date, ${ou}.moved_in_on)`;
export const lifeStageSql = (today: string, ou = 'ou', u = 'u') => `owner_life_stage(${movedInOnSql(ou, u)}, ${today})`;
