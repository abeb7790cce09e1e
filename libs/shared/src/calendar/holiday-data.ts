import bundledChineseDays from 'chinese-days/dist/chinese-days.json';

/**
 * Where public holidays and make-up working days (调休) come from. The calendar only talks to
 * this interface, so the `chinese-days` package can be replaced (or faked in tests).
 */
export interface HolidayDataSource {
  /** An official day off (the weekend days inside a holiday block count too). */
  isHoliday(day: string): boolean;
  /** An announced make-up working day, usually a Saturday or Sunday. */
  isMakeUpWorkday(day: string): boolean;
  /** The holiday a day off or make-up day belongs to, e.g. 国庆节; undefined for ordinary days. */
  holidayName(day: string): string | undefined;
  /** Years the data knows about; `last` is the latest year with any holiday entry. */
  coveredYears(): { first: number; last: number };
}

/** Shape of chinese-days/dist/chinese-days.json: day → "English name,中文名,number". */
export interface ChineseDaysJson {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
  inLieuDays?: Record<string, string>;
}

/** HolidayDataSource over the `chinese-days` package's JSON, parsed once into Maps. */
export class ChineseDaysHolidayData implements HolidayDataSource {
  private readonly holidays: ReadonlyMap<string, string>;
  private readonly workdays: ReadonlyMap<string, string>;
  private readonly years: { first: number; last: number };

  constructor(raw: ChineseDaysJson = bundledChineseDays) {
    this.holidays = parseEntries(raw.holidays);
    this.workdays = parseEntries(raw.workdays);
    const holidayYears = [...this.holidays.keys()].map((d) => Number(d.slice(0, 4)));
    if (holidayYears.length === 0) throw new Error('holiday data has no holidays');
    this.years = { first: Math.min(...holidayYears), last: Math.max(...holidayYears) };
  }

  isHoliday(day: string): boolean {
    return this.holidays.has(day);
  }

  isMakeUpWorkday(day: string): boolean {
    return this.workdays.has(day);
  }

  holidayName(day: string): string | undefined {
    return this.holidays.get(day) ?? this.workdays.get(day);
  }

  coveredYears(): { first: number; last: number } {
    return { ...this.years };
  }
}

/** Keeps the Chinese name ("National Day,国庆节,3" → 国庆节): staff and owners read Chinese. */
function parseEntries(entries: Record<string, string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [day, value] of Object.entries(entries)) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new Error(`holiday data has a malformed day "${day}"`);
    const [english, chinese] = value.split(',');
    out.set(day, chinese?.trim() || english?.trim() || value);
  }
  return out;
}

let bundled: ChineseDaysHolidayData | undefined;

/** The package data, parsed on first use and shared by every calendar in the process. */
export function chineseDaysHolidayData(): ChineseDaysHolidayData {
  bundled ??= new ChineseDaysHolidayData();
  return bundled;
}
