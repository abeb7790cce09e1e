import { z } from 'zod';

const minCases = (d: number) => z.coerce.number().int().min(2).max(1000).default(d);

/**
 * Recurring problems (重复/共性问题, apps/intake/src/case-library/recurring-problems.ts): a unit, building, estate
 * category or problem word is listed when its complaint-like cases within the look-back window reach the count and
 * fall in at least RECURRING_MIN_MONTHS different months, one of them in the period reported.
 */
export const recurringKeys = {
  /** The window a period's recurring problems are counted over: the period's month and this many before it, in all. */
  RECURRING_LOOKBACK_MONTHS: z.coerce.number().int().min(1).max(24).default(6),
  /** Distinct calendar months the cases must fall in ("repeating across months"). */
  RECURRING_MIN_MONTHS: z.coerce.number().int().min(1).max(24).default(2),
  /** Cases on one unit (the same household coming back). */
  RECURRING_UNIT_MIN_CASES: minCases(3),
  /** Cases in one building (a shared defect: a riser, a roof, a lift). */
  RECURRING_BUILDING_MIN_CASES: minCases(5),
  /** Cases of one category in one estate. */
  RECURRING_CATEGORY_MIN_CASES: minCases(10),
  /** Cases whose description holds one problem word (jieba), across estates. */
  RECURRING_WORD_MIN_CASES: minCases(5),
};
