import {
  BusinessCalendar,
  chineseDaysHolidayData,
  createBusinessCalendar,
  type CalendarOverrideKind,
  type HolidayDataSource,
} from '.';

const HOURS = [
  { start: '09:00', end: '12:00' },
  { start: '13:00', end: '18:00' },
];
const config = { BUSINESS_TIME_ZONE: 'Asia/Shanghai', WORKING_HOURS: HOURS };
const cal = createBusinessCalendar(config);
/** A Shanghai wall-clock time as a UTC instant. */
const sh = (local: string): Date => new Date(`${local.replace(' ', 'T')}:00+08:00`);
const iso = (d: Date): string => d.toISOString();

function range(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = new Date(`${from}T00:00:00Z`); d <= new Date(`${to}T00:00:00Z`); d.setUTCDate(d.getUTCDate() + 1)) {
    out.push(d.toISOString().slice(0, 10));
  }
  return out;
}

describe('holiday data (chinese-days)', () => {
  it('covers 2004 through 2026', () => {
    expect(chineseDaysHolidayData().coveredYears()).toEqual({ first: 2004, last: 2026 });
  });
});

// State Council notices: 国办发明电〔2024〕12号 (2025) and 国办发明电〔2025〕7号 (2026).
describe.each([
  {
    year: 2025,
    off: [
      ['2025-01-28', '2025-02-04', '春节'],
      ['2025-05-01', '2025-05-05', '劳动节'],
      ['2025-10-01', '2025-10-08', '国庆节|中秋'], // 2025-10-06 is Mid-Autumn inside the National Day block
    ],
    makeUp: ['2025-01-26', '2025-02-08', '2025-04-27', '2025-09-28', '2025-10-11'],
    after: ['2025-02-05', '2025-05-06', '2025-10-09'],
  },
  {
    year: 2026,
    off: [
      ['2026-01-01', '2026-01-03', '元旦'],
      ['2026-02-15', '2026-02-23', '春节'],
      ['2026-05-01', '2026-05-05', '劳动节'],
      ['2026-10-01', '2026-10-07', '国庆节'],
    ],
    makeUp: ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'],
    after: ['2026-01-05', '2026-02-24', '2026-05-06', '2026-10-08'],
  },
])('official calendar $year', ({ off, makeUp, after }) => {
  it.each(off)('%s to %s are days off (%s)', (from, to, name) => {
    for (const day of range(from, to)) {
      expect(cal.dayInfo(day)).toEqual({
        day,
        working: false,
        reason: 'holiday',
        holidayName: expect.stringMatching(`^(${name})$`),
        provisional: false,
      });
    }
  });

  it.each(makeUp)('%s is a make-up working day', (day) => {
    expect(cal.dayInfo(day)).toMatchObject({ working: true, reason: 'make_up_workday', provisional: false });
    expect([0, 6]).toContain(new Date(`${day}T00:00:00Z`).getUTCDay());
  });

  it.each(after)('%s, the day after a holiday block, is an ordinary working day', (day) => {
    expect(cal.dayInfo(day)).toEqual({ day, working: true, reason: 'workday', provisional: false });
  });
});

describe('BusinessCalendar days', () => {
  it('applies the weekend rule to ordinary days', () => {
    expect(cal.dayInfo('2026-03-07')).toEqual({
      day: '2026-03-07',
      working: false,
      reason: 'weekend',
      provisional: false,
    });
    expect(cal.isWorkingDay('2026-03-09')).toBe(true);
  });

  it('reads the day in the business zone', () => {
    expect(cal.dayOf(new Date('2026-09-30T15:59:59Z'))).toBe('2026-09-30');
    expect(cal.dayOf(new Date('2026-09-30T16:00:00Z'))).toBe('2026-10-01');
  });

  it('flags days beyond the data as provisional and answers them by the weekend rule', () => {
    expect(cal.dayInfo('2027-01-01')).toEqual({
      day: '2027-01-01',
      working: true,
      reason: 'workday',
      provisional: true,
    });
    expect(cal.dayInfo('2027-03-06')).toEqual({
      day: '2027-03-06',
      working: false,
      reason: 'weekend',
      provisional: true,
    });
  });

  it('lets an override decide a 2027 day, which is then not provisional', () => {
    const overrides = new Map<string, CalendarOverrideKind>([
      ['2027-01-01', 'day_off'],
      ['2027-02-20', 'workday'],
    ]);
    const withOverrides = createBusinessCalendar(config, overrides);
    expect(withOverrides.dayInfo('2027-01-01')).toEqual({
      day: '2027-01-01',
      working: false,
      reason: 'override_day_off',
      provisional: false,
    });
    expect(withOverrides.dayInfo('2027-02-20')).toMatchObject({
      working: true,
      reason: 'override_workday',
      provisional: false,
    });
    expect(withOverrides.addWorkingDays(sh('2026-12-31 10:00'), 1)).toEqual({
      at: new Date('2027-01-04T10:00:00Z'),
      provisional: true,
    });
  });

  it('lets an override win over the package data', () => {
    const overrides = new Map<string, CalendarOverrideKind>([
      ['2026-10-08', 'day_off'], // e.g. a typhoon closure
      ['2026-10-03', 'workday'],
    ]);
    const c = createBusinessCalendar(config, overrides);
    expect(c.dayInfo('2026-10-08')).toMatchObject({ working: false, reason: 'override_day_off' });
    expect(c.dayInfo('2026-10-03')).toMatchObject({ working: true, reason: 'override_workday', holidayName: '国庆节' });
    overrides.set('2026-10-09', 'day_off'); // the calendar keeps its own copy
    expect(c.isWorkingDay('2026-10-09')).toBe(true);
  });

  it('finds the next working day and counts working days with the start day excluded', () => {
    expect(cal.nextWorkingDay('2026-09-30')).toBe('2026-10-08');
    expect(cal.nextWorkingDay('2026-10-09')).toBe('2026-10-10');
    expect(cal.workingDaysBetween('2026-09-30', '2026-10-09')).toBe(2);
    expect(cal.workingDaysBetween('2026-10-09', '2026-09-30')).toBe(-2);
    expect(cal.workingDaysBetween('2026-03-02', '2026-03-02')).toBe(0);
  });

  it('rejects malformed input', () => {
    expect(() => cal.dayInfo('2026-02-30')).toThrow(RangeError);
    expect(() => cal.dayInfo('2026/10/01')).toThrow(RangeError);
    expect(() => createBusinessCalendar({ ...config, BUSINESS_TIME_ZONE: 'Mars/Olympus' })).toThrow(RangeError);
    expect(() =>
      createBusinessCalendar({ ...config, WORKING_HOURS: [{ start: '09:00', end: '14:00' }, ...HOURS.slice(1)] }),
    ).toThrow('overlap');
    expect(() => cal.addWorkingDays(sh('2026-03-02 10:00'), 1.5)).toThrow(RangeError);
  });
});

describe('BusinessCalendar working-day deadlines', () => {
  it('skips National Day: 2026-09-30 14:00 + 2 working days = end of Fri 2026-10-09 (18:00 Shanghai = 10:00Z)', () => {
    expect(cal.addWorkingDays(sh('2026-09-30 14:00'), 2)).toEqual({
      at: new Date('2026-10-09T10:00:00Z'),
      provisional: false,
    });
  });

  it('counts a make-up Saturday: 2026-10-09 + 1 working day = Sat 2026-10-10', () => {
    expect(iso(cal.addWorkingDays(sh('2026-10-09 10:00'), 1).at)).toBe('2026-10-10T10:00:00.000Z');
  });

  it('skips Spring Festival 2026 and counts its make-up days', () => {
    expect(iso(cal.addWorkingDays(sh('2026-02-13 15:00'), 1).at)).toBe('2026-02-14T10:00:00.000Z');
    expect(iso(cal.addWorkingDays(sh('2026-02-13 15:00'), 2).at)).toBe('2026-02-24T10:00:00.000Z');
  });

  it('never counts the start day, even before working hours or on a day off', () => {
    expect(iso(cal.addWorkingDays(sh('2026-03-02 08:00'), 1).at)).toBe('2026-03-03T10:00:00.000Z');
    expect(iso(cal.addWorkingDays(sh('2026-03-07 10:00'), 1).at)).toBe('2026-03-09T10:00:00.000Z');
    expect(iso(cal.addWorkingDays(sh('2026-03-02 10:00'), 0).at)).toBe('2026-03-02T10:00:00.000Z');
    expect(iso(cal.addWorkingDays(sh('2026-03-07 10:00'), 0).at)).toBe('2026-03-09T10:00:00.000Z');
  });

  it('marks a deadline that reaches into uncovered 2027 as provisional', () => {
    expect(cal.addWorkingDays(sh('2026-12-31 10:00'), 1)).toEqual({
      at: new Date('2027-01-01T10:00:00Z'),
      provisional: true,
    });
  });
});

describe('BusinessCalendar calendar-day and hour deadlines', () => {
  it('keeps the time of day when the target is a working day', () => {
    expect(cal.addCalendarDays(sh('2026-03-02 10:00'), 2)).toEqual({
      at: new Date('2026-03-04T02:00:00Z'),
      provisional: false,
    });
    expect(iso(cal.addCalendarDays(sh('2026-10-09 11:00'), 1).at)).toBe('2026-10-10T03:00:00.000Z');
  });

  it('moves a deadline landing on a holiday or weekend to the end of the next working day', () => {
    expect(iso(cal.addCalendarDays(sh('2026-09-28 10:00'), 3).at)).toBe('2026-10-08T10:00:00.000Z');
    expect(iso(cal.addCalendarDays(sh('2026-03-06 16:00'), 1).at)).toBe('2026-03-09T10:00:00.000Z');
  });

  it('adds elapsed hours round the clock, holidays included', () => {
    expect(iso(cal.addHours(sh('2026-09-30 14:00'), 24))).toBe('2026-10-01T06:00:00.000Z');
    expect(iso(cal.addHours(sh('2026-09-30 14:00'), 12))).toBe('2026-09-30T18:00:00.000Z');
  });

  it('adds working hours across lunch, overnight, weekends and holidays', () => {
    const wh = (local: string, hours: number): string => iso(cal.addWorkingHours(sh(local), hours).at);
    expect(wh('2026-03-02 11:30', 1)).toBe('2026-03-02T05:30:00.000Z'); // 13:30, lunch skipped
    expect(wh('2026-03-02 12:30', 0.5)).toBe('2026-03-02T05:30:00.000Z'); // starts after lunch
    expect(wh('2026-03-02 17:00', 1)).toBe('2026-03-02T10:00:00.000Z'); // exactly 18:00, not next morning
    expect(wh('2026-03-02 17:30', 2)).toBe('2026-03-03T02:30:00.000Z'); // next day 10:30
    expect(wh('2026-03-02 07:00', 1)).toBe('2026-03-02T02:00:00.000Z'); // counts from 09:00
    expect(wh('2026-03-06 17:00', 2)).toBe('2026-03-09T02:00:00.000Z'); // Fri → Mon 10:00
    expect(wh('2026-09-30 17:00', 2)).toBe('2026-10-08T02:00:00.000Z'); // over National Day
    expect(wh('2026-03-02 11:55', 1 / 6)).toBe('2026-03-02T05:05:00.000Z'); // 10 minutes
    expect(iso(cal.addWorkingMinutes(sh('2026-03-02 11:55'), 10).at)).toBe('2026-03-02T05:05:00.000Z');
  });

  it('lists the working periods of a day as UTC intervals', () => {
    expect(cal.workingPeriods('2026-10-01')).toEqual([]);
    expect(cal.workingPeriods('2026-10-10').map((p) => [iso(p.start), iso(p.end)])).toEqual([
      ['2026-10-10T01:00:00.000Z', '2026-10-10T04:00:00.000Z'],
      ['2026-10-10T05:00:00.000Z', '2026-10-10T10:00:00.000Z'],
    ]);
  });
});

describe('BusinessCalendar in a zone with daylight saving', () => {
  const noHolidays: HolidayDataSource = {
    isHoliday: () => false,
    isMakeUpWorkday: () => false,
    holidayName: () => undefined,
    coveredYears: () => ({ first: 2000, last: 2100 }),
  };
  const london = new BusinessCalendar({
    timeZone: 'Europe/London',
    workingHours: [{ start: '09:00', end: '17:30' }],
    data: noHolidays,
  });

  it('converts with the offset in force on each day (BST starts 2026-03-29)', () => {
    expect(iso(london.endOfWorkingDay('2026-03-27'))).toBe('2026-03-27T17:30:00.000Z');
    expect(iso(london.endOfWorkingDay('2026-03-30'))).toBe('2026-03-30T16:30:00.000Z');
    expect(london.dayOf(new Date('2026-03-29T23:30:00Z'))).toBe('2026-03-30');
    expect(iso(london.addCalendarDays(new Date('2026-03-27T10:00:00Z'), 3).at)).toBe('2026-03-30T09:00:00.000Z');
    expect(iso(london.addWorkingHours(new Date('2026-03-27T17:00:00Z'), 1).at)).toBe('2026-03-30T08:30:00.000Z');
  });
});
