import { addDays, addMonths } from '@kefu/shared';

/** Whole days from `from` to `to` (YYYY-MM-DD), `to` exclusive. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

export interface VisitWindow {
  /** 0-based: the n-th routine visit of the year. */
  seq: number;
  start: string;
  /** Exclusive. */
  end: string;
}

/**
 * A year's routine-visit windows: every household is visited once in each (002 §7.5.2: every four months →
 * January–April, May–August, September–December). An interval that does not divide the year leaves a shorter
 * last window, which ends on 31 December.
 */
export function visitWindows(year: number, intervalMonths: number): VisitWindow[] {
  const yearStart = `${year}-01-01`;
  const yearEnd = `${year + 1}-01-01`;
  const windows: VisitWindow[] = [];
  for (let seq = 0; ; seq++) {
    const start = addMonths(yearStart, seq * intervalMonths);
    if (start >= yearEnd) break;
    const next = addMonths(yearStart, (seq + 1) * intervalMonths);
    windows.push({ seq, start, end: next < yearEnd ? next : yearEnd });
  }
  return windows;
}

/**
 * The day household `rank` (0-based, of `households` in the estate's order) is planned for in a window: the
 * households are spread evenly over the window's days, so each week carries about the same load.
 */
export function spreadDay(window: VisitWindow, rank: number, households: number): string {
  const days = daysBetween(window.start, window.end);
  return addDays(window.start, Math.floor((rank * days) / Math.max(households, 1)));
}

/**
 * Who visits each household: keeps every assignment to a member of staff still on the estate, gives each
 * unassigned household (in the estate's order) to whoever has fewest, then moves households from the busiest
 * to the least busy (the last of the busiest one's, in the estate's order) until no two differ by more than
 * one. Deterministic for the same input; a balanced assignment is returned unchanged, so re-running moves
 * nothing.
 */
export function assignStaff(
  households: readonly string[],
  staff: readonly string[],
  current: ReadonlyMap<string, string>,
): Map<string, string> {
  const out = new Map<string, string>();
  if (!staff.length) return out;
  const load = new Map(staff.map((s) => [s, [] as string[]]));
  const leastLoaded = () => staff.reduce((best, s) => (load.get(s)!.length < load.get(best)!.length ? s : best));
  const mostLoaded = () => staff.reduce((best, s) => (load.get(s)!.length > load.get(best)!.length ? s : best));
  const unassigned: string[] = [];
  for (const h of households) {
    const s = current.get(h);
    if (s && load.has(s)) load.get(s)!.push(h);
    else unassigned.push(h);
  }
  for (const h of unassigned) load.get(leastLoaded())!.push(h);
  for (;;) {
    const from = mostLoaded();
    const to = leastLoaded();
    if (load.get(from)!.length - load.get(to)!.length <= 1) break;
    const order = new Map(households.map((h, i) => [h, i]));
    const mine = load.get(from)!.sort((a, b) => order.get(a)! - order.get(b)!);
    load.get(to)!.push(mine.pop()!);
  }
  for (const [s, hs] of load) for (const h of hs) out.set(h, s);
  return out;
}
