import type { EntityManager } from 'typeorm';
import { zonedParts } from '../calendar/zoned-time';

/** Prefix of cases that belong to no estate (general enquiries, anonymous slips). */
export const GENERAL_CASE_PREFIX = 'KF';

/** The calendar year of an instant in the business time zone (a call at 2026-12-31 23:30 Shanghai is 2026). */
export function businessYear(at: Date, timeZone: string): number {
  return Number(zonedParts(at, timeZone).day.slice(0, 4));
}

/** The next value of a prefix's counter for a year ($1 prefix, $2 year); locks the counter row until commit. */
const COUNTER_UPSERT = `INSERT INTO case_number_counters (prefix, year, last_value) VALUES ($1, $2, 1)
  ON CONFLICT (prefix, year) DO UPDATE SET last_value = case_number_counters.last_value + 1
  RETURNING last_value`;

export function formatCaseNumber(prefix: string, year: number, seq: number): string {
  return `${prefix}-${year}-${String(seq).padStart(5, '0')}`;
}

/**
 * Allocates the next case number for a project (or the general prefix) and year, e.g. COBZS001-2026-00017.
 * Must run inside the transaction that inserts the case: the upsert locks the counter row until commit,
 * so concurrent creators queue behind each other, and a rolled-back case gives its number back (no gaps).
 */
export async function allocateCaseNumber(
  manager: EntityManager,
  opts: { projectCode: string | null; at: Date; timeZone: string },
): Promise<string> {
  if (!manager.queryRunner?.isTransactionActive)
    throw new Error('allocateCaseNumber must run inside the transaction that creates the case');
  const prefix = opts.projectCode ?? GENERAL_CASE_PREFIX;
  const year = businessYear(opts.at, opts.timeZone);
  const rows = await manager.query<Array<{ last_value: number }>>(COUNTER_UPSERT, [prefix, year]);
  return formatCaseNumber(prefix, year, rows[0]!.last_value);
}
