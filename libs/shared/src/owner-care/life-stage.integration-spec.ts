import { createTestDatabase, type TestDatabase } from '../testing';
import { lifeStage, lifeStageSql, movedInOn, movedInOnSql } from './life-stage';

describe('owners’ life stages (001 客户满意度管理程序 §3)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  // [since (contract or transfer), handover, told move-in, today, expected move-in, expected stage]
  const cases: Array<[string | null, string | null, string | null, string, string | null, string]> = [
    ['2025-03-01', null, null, '2026-12-07', null, 'prospective'], // bought, nothing handed over
    ['2025-03-01', '2027-01-10', null, '2026-12-07', '2027-01-10', 'prospective'], // handover still to come
    ['2025-03-01', '2026-06-30', null, '2026-12-07', '2026-06-30', 'settling'],
    ['2025-03-01', '2025-12-07', null, '2026-12-06', '2025-12-07', 'settling'], // the last day of the first year
    ['2025-03-01', '2025-12-07', null, '2026-12-07', '2025-12-07', 'stable'], // one year to the day
    ['2023-03-01', '2024-12-08', null, '2026-12-07', '2024-12-08', 'stable'],
    ['2023-03-01', '2024-12-07', null, '2026-12-07', '2024-12-07', 'established'], // two years to the day
    ['2026-05-01', '2019-06-01', null, '2026-12-07', '2026-05-01', 'settling'], // a resale buyer: from the transfer
    ['2025-03-01', '2025-06-01', '2026-10-01', '2026-12-07', '2026-10-01', 'settling'], // moved in later than handover
    [null, '2024-02-29', null, '2025-02-28', '2024-02-29', 'stable'], // a leap day: a year on is 28 February
  ];

  it.each(cases)('since %s, handover %s, moved in %s, on %s', async (since, handover, told, today, inOn, stage) => {
    expect(movedInOn({ since, handoverDate: handover, movedInOn: told })).toBe(inOn);
    expect(lifeStage(inOn, today)).toBe(stage);
    const [row] = await db.dataSource.query<Array<{ moved_in_on: string | null; stage: string }>>(
      `SELECT to_char(${movedInOnSql()}, 'YYYY-MM-DD') AS moved_in_on, ${lifeStageSql('$4::date')} AS stage
         FROM (SELECT $1::date AS since, $3::date AS moved_in_on) ou, (SELECT $2::date AS handover_date) u`,
      [since, handover, told, today],
    );
    expect(row).toEqual({ moved_in_on: inOn, stage });
  });
});
