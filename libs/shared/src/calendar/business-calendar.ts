import type { HolidayDataSource } from './holiday-data';
import { addDays, assertDay, assertTimeZone, parseHhmm, weekday, yearOf, zonedParts, zonedToUtc } from './zoned-time';

export type CalendarOverrideKind = 'workday' | 'day_off';

export type DayReason = 'weekend' | 'holiday' | 'make_up_workday' | 'workday' | 'override_workday' | 'override_day_off';

export interface DayInfo {
  day: string;
  working: boolean;
  reason: DayReason;
  holidayName?: string;
  /** The year is outside the holiday data and no override covers the day: answered by the weekend rule only. */
  provisional: boolean;
}

/** A computed instant, flagged when any day it depended on was provisional. */
export interface CalendarResult {
  at: Date;
  provisional: boolean;
}

export interface WorkingPeriod {
  start: string;
  end: string;
}

export interface BusinessCalendarOptions {
  timeZone: string;
  /** Periods of a working day in the business zone, e.g. 09:00–12:00 and 13:00–18:00. */
  workingHours: readonly WorkingPeriod[];
  data: HolidayDataSource;
  /** Local corrections keyed by 'YYYY-MM-DD'; they win over the data. */
  overrides?: ReadonlyMap<string, CalendarOverrideKind>;
}

// Ten years of consecutive days off cannot happen; stop rather than loop forever on bad overrides.
const MAX_SCAN_DAYS = 3660;
const MS_PER_MINUTE = 60_000;
const MS_PER_HOUR = 3_600_000;

/**
 * Mainland-China working days (DOMAIN.md "Deadlines"): weekends and public holidays off, announced
 * make-up days on, local overrides first. Days are business-zone 'YYYY-MM-DD'; instants are UTC Dates.
 */
export class BusinessCalendar {
  readonly timeZone: string;
  private readonly periods: ReadonlyArray<{ start: number; end: number }>; // minutes after midnight
  private readonly data: HolidayDataSource;
  private readonly overrides: ReadonlyMap<string, CalendarOverrideKind>;
  private readonly covered: { first: number; last: number };

  constructor(opts: BusinessCalendarOptions) {
    assertTimeZone(opts.timeZone);
    this.timeZone = opts.timeZone;
    this.periods = parsePeriods(opts.workingHours);
    this.data = opts.data;
    this.covered = opts.data.coveredYears();
    const overrides = new Map<string, CalendarOverrideKind>();
    for (const [day, kind] of opts.overrides ?? []) {
      assertDay(day);
      if (kind !== 'workday' && kind !== 'day_off')
        throw new RangeError(`override for ${day} has unknown kind "${String(kind)}"`);
      overrides.set(day, kind);
    }
    this.overrides = overrides; // a private copy: later changes to the caller's Map do not leak in
  }

  /** The business-zone calendar day of an instant. */
  dayOf(instant: Date): string {
    return zonedParts(instant, this.timeZone).day;
  }

  dayInfo(day: string): DayInfo {
    assertDay(day);
    const override = this.overrides.get(day);
    const holidayName = this.data.holidayName(day);
    const named = holidayName === undefined ? {} : { holidayName };
    if (override) {
      const working = override === 'workday';
      return { day, working, reason: working ? 'override_workday' : 'override_day_off', ...named, provisional: false };
    }
    const year = yearOf(day);
    const provisional = year > this.covered.last || year < this.covered.first;
    if (this.data.isHoliday(day)) return { day, working: false, reason: 'holiday', ...named, provisional };
    if (this.data.isMakeUpWorkday(day)) return { day, working: true, reason: 'make_up_workday', ...named, provisional };
    const wd = weekday(day);
    const weekend = wd === 0 || wd === 6;
    return { day, working: !weekend, reason: weekend ? 'weekend' : 'workday', provisional };
  }

  isWorkingDay(day: string): boolean {
    return this.dayInfo(day).working;
  }

  /** The first working day strictly after `day`. */
  nextWorkingDay(day: string): string {
    return this.scanWorkingDay(day).day;
  }

  /** The working periods of a day as UTC intervals; empty on a day off. */
  workingPeriods(day: string): Array<{ start: Date; end: Date }> {
    if (!this.isWorkingDay(day)) return [];
    return this.periods.map((p) => ({ start: this.localTime(day, p.start), end: this.localTime(day, p.end) }));
  }

  /** End of working hours (the last period's end) of a day, as a UTC instant. */
  endOfWorkingDay(day: string): Date {
    return this.localTime(day, this.periods[this.periods.length - 1]!.end);
  }

  /**
   * Working days in (a, b]: the start day is not counted, so addWorkingDays(x, n) lands on a day
   * d with workingDaysBetween(dayOf(x), d) === n. Negative when b is before a.
   */
  workingDaysBetween(a: string, b: string): number {
    assertDay(a);
    assertDay(b);
    if (b < a) return -this.workingDaysBetween(b, a);
    let count = 0;
    for (let d = addDays(a, 1); d <= b; d = addDays(d, 1)) if (this.isWorkingDay(d)) count++;
    return count;
  }

  /**
   * End of working hours of the n-th working day after the start day (the start day never
   * counts, 003 §9.3.2). n = 0 gives the end of the start day if it is a working day, else the next one.
   */
  addWorkingDays(start: Date, n: number): CalendarResult {
    assertCount(n, 'working days');
    let day = this.dayOf(start);
    let provisional = false;
    if (n === 0) {
      const info = this.dayInfo(day);
      if (info.working) return { at: this.endOfWorkingDay(day), provisional: info.provisional };
      n = 1;
    }
    for (let i = 0; i < n; i++) {
      const next = this.scanWorkingDay(day);
      day = next.day;
      provisional ||= next.provisional;
    }
    return { at: this.endOfWorkingDay(day), provisional };
  }

  /**
   * The same local wall-clock time n calendar days later; when that day is off, the deadline
   * moves to the end of the next working day (a deadline never falls on a day off).
   */
  addCalendarDays(start: Date, n: number): CalendarResult {
    assertCount(n, 'days');
    const { day, msOfDay } = zonedParts(start, this.timeZone);
    const target = addDays(day, n);
    const info = this.dayInfo(target);
    if (info.working) return { at: zonedToUtc(target, msOfDay, this.timeZone), provisional: info.provisional };
    const next = this.scanWorkingDay(target);
    return { at: this.endOfWorkingDay(next.day), provisional: info.provisional || next.provisional };
  }

  /** Plain elapsed clock time (fractional hours allowed): the 24 h / 12 h windows run round the clock. */
  addHours(start: Date, hours: number): Date {
    if (!Number.isFinite(hours) || hours < 0) throw new RangeError(`hours must be a non-negative number, got ${hours}`);
    return new Date(start.getTime() + Math.round(hours * MS_PER_HOUR));
  }

  /**
   * Counts only time inside working periods of working days. Fractional hours are accepted
   * (10 minutes = 1/6); rounded to the millisecond. A start outside working hours counts from the
   * next period's start; a deadline that uses up a period exactly ends at that period's end.
   */
  addWorkingHours(start: Date, hours: number): CalendarResult {
    if (!Number.isFinite(hours) || hours < 0) throw new RangeError(`hours must be a non-negative number, got ${hours}`);
    return this.addWorkingMs(start, Math.round(hours * MS_PER_HOUR));
  }

  /** addWorkingHours in whole or fractional minutes, for windows such as "10 working minutes". */
  addWorkingMinutes(start: Date, minutes: number): CalendarResult {
    if (!Number.isFinite(minutes) || minutes < 0)
      throw new RangeError(`minutes must be a non-negative number, got ${minutes}`);
    return this.addWorkingMs(start, Math.round(minutes * MS_PER_MINUTE));
  }

  private addWorkingMs(start: Date, ms: number): CalendarResult {
    const from = start.getTime();
    let remaining = ms;
    let provisional = false;
    let day = this.dayOf(start);
    for (let i = 0; i < MAX_SCAN_DAYS; i++, day = addDays(day, 1)) {
      const info = this.dayInfo(day);
      provisional ||= info.provisional;
      if (!info.working) continue;
      for (const p of this.periods) {
        const periodEnd = this.localTime(day, p.end).getTime();
        const begin = Math.max(this.localTime(day, p.start).getTime(), from);
        if (begin > periodEnd || (begin === periodEnd && remaining > 0)) continue;
        if (remaining <= periodEnd - begin) return { at: new Date(begin + remaining), provisional };
        remaining -= periodEnd - begin;
      }
    }
    throw new Error(`no working time found within ${MAX_SCAN_DAYS} days of ${start.toISOString()}`);
  }

  /** The first working day after `day`, and whether any day passed over was provisional. */
  private scanWorkingDay(day: string): { day: string; provisional: boolean } {
    let provisional = false;
    let d = day;
    for (let i = 0; i < MAX_SCAN_DAYS; i++) {
      d = addDays(d, 1);
      const info = this.dayInfo(d);
      provisional ||= info.provisional;
      if (info.working) return { day: d, provisional };
    }
    throw new Error(`no working day within ${MAX_SCAN_DAYS} days after ${day}: check calendar_overrides`);
  }

  private localTime(day: string, minutes: number): Date {
    return zonedToUtc(day, minutes * MS_PER_MINUTE, this.timeZone);
  }
}

function parsePeriods(periods: readonly WorkingPeriod[]): Array<{ start: number; end: number }> {
  if (periods.length === 0) throw new RangeError('at least one working period is required');
  const parsed = periods.map((p) => {
    const out = { start: parseHhmm(p.start), end: parseHhmm(p.end) };
    if (out.start >= out.end) throw new RangeError(`working period ${p.start}-${p.end} ends before it starts`);
    return out;
  });
  parsed.sort((a, b) => a.start - b.start);
  parsed.forEach((p, i) => {
    const prev = parsed[i - 1];
    if (prev && p.start < prev.end) throw new RangeError('working periods overlap');
  });
  return parsed;
}

function assertCount(n: number, what: string): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${what} must be a non-negative integer, got ${n}`);
}
