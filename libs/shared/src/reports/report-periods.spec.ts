import { createBusinessCalendar } from '../calendar';
import {
  lastFinishedPeriod,
  parsePeriod,
  periodContaining,
  previousPeriod,
  ReportPeriodError,
  reportDueDay,
  samePeriodLastYear,
} from './report-periods';

const cal = createBusinessCalendar({
  BUSINESS_TIME_ZONE: 'Asia/Shanghai',
  WORKING_HOURS: [{ start: '09:00', end: '18:00' }],
});

describe('report periods', () => {
  it('names each kind of period by its key, as business-zone days [from, to)', () => {
    expect(parsePeriod('monthly', '2026-10')).toEqual({
      kind: 'monthly',
      key: '2026-10',
      from: '2026-10-01',
      to: '2026-11-01',
      label: '2026年10月',
    });
    expect(parsePeriod('weekly', '2026-W40')).toMatchObject({
      from: '2026-09-28',
      to: '2026-10-05',
      label: '2026年第40周（9月28日—10月4日）',
    });
    expect(parsePeriod('quarterly', '2026-Q4')).toMatchObject({ from: '2026-10-01', to: '2027-01-01' });
    expect(parsePeriod('yearly', '2025')).toMatchObject({ from: '2025-01-01', to: '2026-01-01', label: '2025年' });
    // An ISO week may start in the year before and end in the year after.
    expect(parsePeriod('weekly', '2026-W53')).toMatchObject({ from: '2026-12-28', to: '2027-01-04' });
    expect(periodContaining('weekly', '2027-01-03').key).toBe('2026-W53');
    expect(periodContaining('weekly', '2027-01-04').key).toBe('2027-W01');
    expect(periodContaining('quarterly', '2026-12-31').key).toBe('2026-Q4');
  });

  it('refuses a malformed or impossible key, naming it', () => {
    for (const [kind, key] of [
      ['monthly', '2026-13'],
      ['weekly', '2025-W53'],
      ['quarterly', '2026-Q5'],
      ['yearly', '26'],
    ] as const) {
      expect(() => parsePeriod(kind, key)).toThrow(ReportPeriodError);
      expect(() => parsePeriod(kind, key)).toThrow(key);
    }
  });

  it('compares with the previous period and the same period last year', () => {
    const oct = parsePeriod('monthly', '2026-10');
    expect([previousPeriod(oct).key, samePeriodLastYear(oct).key]).toEqual(['2026-09', '2025-10']);
    const jan = parsePeriod('monthly', '2026-01');
    expect(previousPeriod(jan).key).toBe('2025-12');
    const q1 = parsePeriod('quarterly', '2026-Q1');
    expect([previousPeriod(q1).key, samePeriodLastYear(q1).key]).toEqual(['2025-Q4', '2025-Q1']);
    const w1 = parsePeriod('weekly', '2027-W01');
    expect(previousPeriod(w1).key).toBe('2026-W53');
    // 2025 has no week 53: its last week stands in.
    expect(samePeriodLastYear(parsePeriod('weekly', '2026-W53')).key).toBe('2025-W52');
    expect(lastFinishedPeriod('weekly', '2026-12-07').key).toBe('2026-W49');
    expect(lastFinishedPeriod('yearly', '2026-12-07').key).toBe('2025');
  });

  it('is filed on the first working day after the period: National Day, Spring Festival and make-up days counted', () => {
    const due = (kind: Parameters<typeof parsePeriod>[0], key: string) => reportDueDay(parsePeriod(kind, key), cal);
    // September and Q3 end on 30 September: 1–7 October are the National Day holiday.
    expect(due('monthly', '2026-09')).toBe('2026-10-08');
    expect(due('quarterly', '2026-Q3')).toBe('2026-10-08');
    expect(due('weekly', '2026-W40')).toBe('2026-10-08');
    // October ends on a Saturday: filed on Monday 2 November.
    expect(due('monthly', '2026-10')).toBe('2026-11-02');
    // Spring Festival 2026 (15–23 February).
    expect(due('weekly', '2026-W07')).toBe('2026-02-24');
    // New Year 2026: 1–3 January off, Sunday 4 January a make-up working day.
    expect(due('yearly', '2025')).toBe('2026-01-04');
    // A plain month: the 1st when it is a working day.
    expect(due('monthly', '2026-11')).toBe('2026-12-01');
  });
});
