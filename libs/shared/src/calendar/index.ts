export * from './holiday-data';
export * from './business-calendar';
export * from './calendar-loader';
export { zonedParts, zonedToUtc, zoneOffsetMs, addDays, addMonths, type ZonedParts } from './zoned-time';
export * from './calendar.service';
