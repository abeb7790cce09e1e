import { loadConfig } from './load-config';

const valid = {
  DATABASE_URL: 'postgres://u:p@localhost:5432/kefu',
  REDIS_URL: 'redis://localhost:6379',
  AUTH_TOKEN_SECRET: 'x'.repeat(32),
};

describe('owner-visit settings', () => {
  it('defaults to the seeds: every 4 months (002 §7.5.2), handover + 30 days, decoration at 1, 3 and 6 months', () => {
    expect(loadConfig(valid)).toMatchObject({
      VISIT_INTERVAL_MONTHS: 4,
      VISIT_HANDOVER_DAYS: 30,
      VISIT_DECORATION_MONTHS: [1, 3, 6],
      VISIT_REMINDER_LEAD_DAYS: 7,
    });
  });

  it('reads decoration months in any order, once each; none means none', () => {
    expect(loadConfig({ ...valid, VISIT_DECORATION_MONTHS: ' 6, 2,2 ' }).VISIT_DECORATION_MONTHS).toEqual([2, 6]);
    expect(loadConfig({ ...valid, VISIT_DECORATION_MONTHS: 'none' }).VISIT_DECORATION_MONTHS).toEqual([]);
    // Empty is unset (compose passes empty variables): the default.
    expect(loadConfig({ ...valid, VISIT_DECORATION_MONTHS: '' }).VISIT_DECORATION_MONTHS).toEqual([1, 3, 6]);
  });

  it('names the variable that is wrong', () => {
    expect(() => loadConfig({ ...valid, VISIT_DECORATION_MONTHS: '1,three' })).toThrow(
      /VISIT_DECORATION_MONTHS: must be months after handover separated by commas/,
    );
    expect(() => loadConfig({ ...valid, VISIT_DECORATION_MONTHS: '0,30' })).toThrow(
      /VISIT_DECORATION_MONTHS: each month must be 1–24/,
    );
    expect(() => loadConfig({ ...valid, VISIT_INTERVAL_MONTHS: '13' })).toThrow(/VISIT_INTERVAL_MONTHS/);
  });
});
