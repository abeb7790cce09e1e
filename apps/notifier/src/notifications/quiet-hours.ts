import { zonedParts, zonedToUtc, addDays } from '@kefu/shared';

/**
 * When a non-urgent SMS may go: `null` if now is outside the quiet period (HH:MM-HH:MM local, may
 * cross midnight), else the end of the period as an instant.
 */
export function quietUntil(now: Date, period: string, timeZone: string): Date | null {
  const [start, end] = period.split('-').map((t) => (Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5))) * 60_000) as [
    number,
    number,
  ];
  const { day, msOfDay } = zonedParts(now, timeZone);
  if (start === end) return null;
  if (start < end) return msOfDay >= start && msOfDay < end ? zonedToUtc(day, end, timeZone) : null;
  if (msOfDay >= start) return zonedToUtc(addDays(day, 1), end, timeZone);
  if (msOfDay < end) return zonedToUtc(day, end, timeZone);
  return null;
}
