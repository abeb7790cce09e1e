/**
 * Time-zone arithmetic with Intl only (no date library). Days are 'YYYY-MM-DD' strings of the
 * business zone; instants are epoch milliseconds / JS Dates in UTC. Offsets are read from
 * Intl.DateTimeFormat at the instant concerned, so zones with daylight saving work too.
 */

const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    // hourCycle h23: some ICU builds print midnight as "24" with hour12:false.
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Throws a RangeError for an unknown IANA zone. */
export function assertTimeZone(timeZone: string): void {
  formatter(timeZone);
}

export interface ZonedParts {
  /** The business-zone calendar day, 'YYYY-MM-DD'. */
  day: string;
  /** Milliseconds since local midnight of that day. */
  msOfDay: number;
}

function numericParts(ms: number, timeZone: string): [number, number, number, number, number, number] {
  const out: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) {
    if (p.type !== 'literal') out[p.type] = Number(p.value);
  }
  return [out.year ?? NaN, out.month ?? NaN, out.day ?? NaN, out.hour ?? NaN, out.minute ?? NaN, out.second ?? NaN];
}

function offsetFromIntl(ms: number, timeZone: string): number {
  const [y, mo, d, h, mi, s] = numericParts(ms, timeZone);
  const wholeSeconds = Math.floor(ms / 1000) * 1000; // Intl drops the milliseconds
  return Date.UTC(y, mo - 1, d, h, mi, s) - wholeSeconds;
}

/** Offsets by zone and quarter hour, where the offset is the same at both ends of it (formatToParts is slow: ~20 µs). */
const offsets = new Map<string, number>();
const BUCKET_MS = 15 * 60_000;
const MAX_OFFSETS = 50_000;

/**
 * Local wall-clock minus UTC at an instant, in ms (+8 h = 28_800_000 for Asia/Shanghai). Cached per
 * quarter hour when the offset at its first and last millisecond agree: zones change offset at most
 * twice a year and never twice within 15 minutes, so the offset is constant between; a quarter hour
 * holding a change (and historic offsets in seconds) is never cached.
 */
export function zoneOffsetMs(ms: number, timeZone: string): number {
  const bucket = Math.floor(ms / BUCKET_MS);
  const key = `${timeZone} ${bucket}`;
  const hit = offsets.get(key);
  if (hit !== undefined) return hit;
  const start = offsetFromIntl(bucket * BUCKET_MS, timeZone);
  if (offsetFromIntl(bucket * BUCKET_MS + BUCKET_MS - 1, timeZone) !== start) return offsetFromIntl(ms, timeZone);
  if (offsets.size >= MAX_OFFSETS) offsets.clear();
  offsets.set(key, start);
  return start;
}

/** The business-zone day and time of day of an instant. */
export function zonedParts(instant: Date, timeZone: string): ZonedParts {
  const ms = instant.getTime();
  const localAsUtc = ms + zoneOffsetMs(ms, timeZone);
  const midnight = Math.floor(localAsUtc / MS_PER_DAY) * MS_PER_DAY;
  return { day: formatDay(midnight), msOfDay: localAsUtc - midnight };
}

/**
 * The UTC instant of a local wall-clock time. Two passes settle the offset; in a DST gap the
 * time is read with the offset before the change (02:30 in a spring-forward gap → 03:30).
 */
export function zonedToUtc(day: string, msOfDay: number, timeZone: string): Date {
  const localAsUtc = dayStartUtc(day) + msOfDay;
  let t = localAsUtc - zoneOffsetMs(localAsUtc, timeZone);
  const second = zoneOffsetMs(t, timeZone);
  if (localAsUtc - t !== second) t = localAsUtc - second;
  return new Date(t);
}

/** Epoch ms of 00:00 UTC on the day: used for plain day arithmetic, not as an instant. */
function dayStartUtc(day: string): number {
  const m = DAY_RE.exec(day);
  if (!m) throw new RangeError(`"${day}" is not a day like 2026-10-01`);
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (formatDay(ms) !== day) throw new RangeError(`"${day}" is not a calendar date`);
  return ms;
}

function formatDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Validates a 'YYYY-MM-DD' string (2026-02-30 is rejected). */
export function assertDay(day: string): void {
  dayStartUtc(day);
}

export function addDays(day: string, n: number): string {
  return formatDay(dayStartUtc(day) + n * MS_PER_DAY);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(day: string): number {
  return new Date(dayStartUtc(day)).getUTCDay();
}

export function yearOf(day: string): number {
  return Number(day.slice(0, 4));
}

/** Adds calendar months to a day, clamping to the month's last day (2026-03-31 − 1 month = 2026-02-28). */
export function addMonths(day: string, n: number): string {
  const start = new Date(dayStartUtc(day));
  const firstOfTarget = Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + n, 1);
  const target = new Date(firstOfTarget);
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  return formatDay(firstOfTarget + (Math.min(start.getUTCDate(), lastDay) - 1) * MS_PER_DAY);
}

/** 'HH:MM' → minutes after midnight. */
export function parseHhmm(s: string): number {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(s);
  if (!m) throw new RangeError(`"${s}" is not a time like 09:00`);
  return Number(m[1]) * 60 + Number(m[2]);
}
