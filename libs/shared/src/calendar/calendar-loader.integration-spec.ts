import { createTestDatabase, type TestDatabase } from '../testing';
import { loadBusinessCalendar, loadCalendarOverrides } from '.';

const config = { BUSINESS_TIME_ZONE: 'Asia/Shanghai', WORKING_HOURS: [{ start: '09:00', end: '18:00' }] };

describe('calendar overrides from the database', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('loads calendar_overrides as YYYY-MM-DD keys and lets them win', async () => {
    await db.dataSource.query(
      `INSERT INTO calendar_overrides (day, kind, note) VALUES ('2027-01-01', 'day_off', '元旦 2027'), ('2026-10-03', 'workday', 'stock-take')`,
    );
    expect(await loadCalendarOverrides(db.dataSource)).toEqual(
      new Map([
        ['2027-01-01', 'day_off'],
        ['2026-10-03', 'workday'],
      ]),
    );
    const calendar = await loadBusinessCalendar(config, db.dataSource);
    expect(calendar.dayInfo('2027-01-01')).toMatchObject({
      working: false,
      reason: 'override_day_off',
      provisional: false,
    });
    expect(calendar.isWorkingDay('2026-10-03')).toBe(true);
  });

  it('refuses a row it cannot read', async () => {
    const fake = { query: jest.fn().mockResolvedValue([{ day: '2027-01-02', kind: 'holiday' }]) };
    await expect(loadCalendarOverrides(fake)).rejects.toThrow('bad row');
  });
});
