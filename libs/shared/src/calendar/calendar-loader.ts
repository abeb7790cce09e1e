import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config/config.schema';
import { BusinessCalendar, type CalendarOverrideKind } from './business-calendar';
import { chineseDaysHolidayData, type HolidayDataSource } from './holiday-data';

/** The business calendar of the configured zone and working hours, over the `chinese-days` data by default. */
export function createBusinessCalendar(
  config: Pick<AppConfig, 'BUSINESS_TIME_ZONE' | 'WORKING_HOURS'>,
  overrides: ReadonlyMap<string, CalendarOverrideKind> = new Map(),
  data: HolidayDataSource = chineseDaysHolidayData(),
): BusinessCalendar {
  return new BusinessCalendar({
    timeZone: config.BUSINESS_TIME_ZONE,
    workingHours: config.WORKING_HOURS,
    data,
    overrides,
  });
}

/**
 * Reads calendar_overrides into a Map (no Nest needed, so CLI tools and tests can use it).
 * `day::text` keeps the date as 'YYYY-MM-DD': pg would otherwise turn it into a local-midnight Date.
 */
export async function loadCalendarOverrides(
  dataSource: Pick<DataSource, 'query'>,
): Promise<Map<string, CalendarOverrideKind>> {
  const rows: unknown = await dataSource.query('SELECT day::text AS day, kind FROM calendar_overrides');
  if (!Array.isArray(rows)) throw new Error('calendar_overrides query did not return rows');
  const out = new Map<string, CalendarOverrideKind>();
  for (const row of rows as Array<{ day?: unknown; kind?: unknown }>) {
    const { day, kind } = row;
    if (typeof day !== 'string' || (kind !== 'workday' && kind !== 'day_off')) {
      throw new Error(`calendar_overrides has a bad row: ${JSON.stringify(row)}`);
    }
    out.set(day, kind);
  }
  return out;
}

/** Convenience for apps: overrides from the database plus the configured zone and hours. */
export async function loadBusinessCalendar(
  config: Pick<AppConfig, 'BUSINESS_TIME_ZONE' | 'WORKING_HOURS'>,
  dataSource: Pick<DataSource, 'query'>,
): Promise<BusinessCalendar> {
  return createBusinessCalendar(config, await loadCalendarOverrides(dataSource));
}
