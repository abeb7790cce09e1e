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
export async function allocateCaseNumber(manager: EntityManager, opts: { projectCode: string | null; at: Date; timeZone: string }): Promise<string> {
  if (!manager.queryRunner?.isTransactionActive) throw new Error('allocateCaseNumber must run inside the transaction that creates the case');
  const prefix = opts.projectCode ?? GENERAL_CASE_PREFIX;
  const year = businessYear(opts.at, opts.timeZone);
  const rows = await manager.query<Array<{ last_value: number }>>(
    COUNTER_UPSERT,
    [prefix, year],
  );
  return formatCaseNumber(prefix, year, rows[0]!.last_value);
}

/**
 * Gives an inserted case (carrying a placeholder number) its real number, as the LAST statement before
 * COMMIT: the counter row is then locked only for this statement and the commit, not for the whole
 * transaction — concurrent intakes of one estate otherwise queue behind each other's inserts.
 * Same guarantees as allocateCaseNumber: unique, per prefix and business year, gap-free.
 */
export async function assignCaseNumber(m: EntityManager, caseId: string, opts: { projectCode: string | null; at: Date; timeZone: string }): Promise<string> {
  const runner = m.queryRunner;
  if (!runner?.isTransactionActive) throw new Error('assignCaseNumber must run inside the transaction that creates the case');
  const prefix = opts.projectCode ?? GENERAL_CASE_PREFIX;
  const year = businessYear(opts.at, opts.timeZone);
  // Structured result: for an UPDATE, TypeORM's plain query() answers [rows, count], not the rows.
  const result: { records: Array<{ number: string }> } = await runner.query(
    `WITH n AS (${COUNTER_UPSERT})
     UPDATE cases SET number = $1 || '-' || $2 || '-' || lpad(n.last_value::text, 5, '0') FROM n WHERE cases.id = $3
     RETURNING cases.number`,
    [prefix, year, caseId],
    true,
  );
  const row = result.records[0];
  if (!row) throw new Error(`case ${caseId} is not in this transaction`);
  return row.number;
}

/** A unique stand-in until assignCaseNumber runs, in the same transaction (never visible outside it). */
export const placeholderCaseNumber = (caseId: string) => `PENDING-${caseId.slice(0, 30)}`;
