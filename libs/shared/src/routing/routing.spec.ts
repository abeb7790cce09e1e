import { createBusinessCalendar } from '../calendar';
import { dutyDayOf } from './routing.sql';

const cal = createBusinessCalendar({
  BUSINESS_TIME_ZONE: 'Asia/Shanghai',
  WORKING_HOURS: [
    { start: '09:00', end: '12:00' },
    { start: '13:00', end: '18:00' },
  ],
});
const sh = (local: string): Date => new Date(`${local.replace(' ', 'T')}:00+08:00`);

describe('the duty day of the roster (by the working calendar)', () => {
  it('a working day uses its own weekday; the day is the business-zone date', () => {
    expect(dutyDayOf(cal, sh('2026-10-12 10:00'))).toEqual({ day: '2026-10-12', weekday: 1 });
    // 23:30 UTC on Sunday is Monday morning in Shanghai.
    expect(dutyDayOf(cal, new Date('2026-10-11T23:30:00Z'))).toEqual({ day: '2026-10-12', weekday: 1 });
  });

  it('a weekend or holiday keeps its date (for dated duty) and takes the next working day’s weekday', () => {
    expect(dutyDayOf(cal, sh('2026-10-17 10:00'))).toEqual({ day: '2026-10-17', weekday: 1 }); // Saturday → Monday
    const holiday = dutyDayOf(cal, sh('2026-10-03 10:00'));
    const resume = cal.nextWorkingDay('2026-10-03');
    expect(holiday.day).toBe('2026-10-03');
    expect(holiday.weekday).toBe(((new Date(`${resume}T00:00:00Z`).getUTCDay() + 6) % 7) + 1);
  });

  it('a make-up working day (调休) on a weekend uses its own weekday, 6 or 7', () => {
    const days = Array.from({ length: 365 }, (_, i) => new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 10));
    const makeUp = days.find((d) => cal.dayInfo(d).reason === 'make_up_workday');
    expect(makeUp).toBeDefined();
    expect([6, 7]).toContain(dutyDayOf(cal, sh(`${makeUp!} 10:00`)).weekday);
  });
});
