import { createTestDatabase, type TestDatabase } from '../testing';
import { unitLabelSql } from './unit-label.sql';

describe('unitLabelSql', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('labels a unit with and without an entrance, under any aliases', async () => {
    const rows = await db.dataSource.query<Array<{ label: string }>>(
      `SELECT ${unitLabelSql('x', 'y')} AS label
         FROM (VALUES ('2', '1502', '3栋'), ('', '0801', '5栋')) v(entrance, room, name)
         CROSS JOIN LATERAL (SELECT v.entrance, v.room) x
         CROSS JOIN LATERAL (SELECT v.name) y
        ORDER BY label`,
    );
    expect(rows.map((r) => r.label)).toEqual(['3栋2单元1502', '5栋0801']);
  });

  it('defaults to the aliases u and b', () => {
    expect(unitLabelSql()).toBe(unitLabelSql('u', 'b'));
    expect(unitLabelSql()).toMatch(/^b\.name \|\| .*u\.entrance.* \|\| u\.room$/);
  });
});
