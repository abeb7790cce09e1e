/** Value types of environment variables shared by the *.keys.ts groups. */
import { z } from 'zod';

export const port = z.coerce.number().int().min(1).max(65535);
// z.coerce.boolean() reads "false" as true; environment booleans are spelled out.
export const bool = z.enum(['true', 'false']).transform((v) => v === 'true');

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const hhmm = /^([01]\d|2[0-3]):[0-5]\d$/;
/** "09:00-12:00,13:00-18:00": the working periods of a working day, business time zone. */
export const workingHours = z.string().transform((s, ctx) => {
  const periods = s
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => p.split('-'));
  const out: Array<{ start: string; end: string }> = [];
  for (const period of periods) {
    const [start, end] = period;
    if (period.length !== 2 || !start || !end || !hhmm.test(start) || !hhmm.test(end) || start >= end) {
      ctx.addIssue({ code: 'custom', message: `"${period.join('-')}" is not a period like 09:00-12:00` });
      return z.NEVER;
    }
    out.push({ start, end });
  }
  if (out.length === 0) {
    ctx.addIssue({ code: 'custom', message: 'at least one period such as 09:00-18:00 is required' });
    return z.NEVER;
  }
  return out;
});

export const jsonObject = z.string().transform((s, ctx) => {
  try {
    const v: unknown = JSON.parse(s);
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // reported below
  }
  ctx.addIssue({ code: 'custom', message: 'must be a JSON object' });
  return z.NEVER;
});

/** "host:port,host:port" (port optional). */
export const nodeList = z
  .string()
  .regex(/^\s*[^\s,:]+(:\d{1,5})?\s*(,\s*[^\s,:]+(:\d{1,5})?\s*)*$/, 'must be host:port,host:port');

export const configSchema = z;
