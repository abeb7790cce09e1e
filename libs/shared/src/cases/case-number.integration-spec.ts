import { CaseEntity } from '../database/entities';
import { createTestDatabase, factories, type TestDatabase } from '../testing';
import { allocateCaseNumber, businessYear, formatCaseNumber } from './case-number';

describe('case numbers', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('stay unique and gap-free under 50 concurrent creations', async () => {
    const project = await factories.createProject(db.dataSource, { code: 'COBZS001' });
    const at = new Date('2026-03-02T02:00:00Z');
    const created = await Promise.all(
      Array.from({ length: 50 }, () =>
        factories.createCase(db.dataSource, { projectId: project.id, projectCode: project.code, receivedAt: at }),
      ),
    );
    const numbers = created.map((c) => c.number).sort();
    expect(new Set(numbers).size).toBe(50);
    expect(numbers).toEqual(Array.from({ length: 50 }, (_, i) => formatCaseNumber('COBZS001', 2026, i + 1)));
  });

  it('count per project and per business year; cases with no project use the general prefix', async () => {
    const a = await factories.createProject(db.dataSource, { code: 'AAA001' });
    const create = (iso: string) =>
      factories.createCase(db.dataSource, { projectId: a.id, projectCode: a.code, receivedAt: new Date(iso) });
    // 15:30Z on 31 December is 23:30 in Shanghai, still 2026; 16:00Z is already New Year's Day there.
    expect((await create('2026-12-31T15:30:00Z')).number).toBe('AAA001-2026-00001');
    expect((await create('2026-12-31T16:00:00Z')).number).toBe('AAA001-2027-00001');
    expect((await create('2026-12-31T16:05:00Z')).number).toBe('AAA001-2027-00002');
    const general = await factories.createCase(db.dataSource, { receivedAt: new Date('2026-05-01T01:00:00Z') });
    expect(general.number).toMatch(/^KF-2026-\d{5}$/);
    expect(businessYear(new Date('2026-12-31T16:00:00Z'), 'Asia/Shanghai')).toBe(2027);
    expect(businessYear(new Date('2026-12-31T16:00:00Z'), 'UTC')).toBe(2026);
  });

  it('gives a rolled-back number back, and refuses to run outside a transaction', async () => {
    const p = await factories.createProject(db.dataSource, { code: 'RBK001' });
    const at = new Date('2026-06-01T01:00:00Z');
    await expect(
      db.dataSource.transaction(async (m) => {
        await allocateCaseNumber(m, { projectCode: p.code, at, timeZone: 'Asia/Shanghai' });
        throw new Error('insert failed');
      }),
    ).rejects.toThrow('insert failed');
    const c = await factories.createCase(db.dataSource, { projectId: p.id, projectCode: p.code, receivedAt: at });
    expect(c.number).toBe('RBK001-2026-00001');
    await expect(
      allocateCaseNumber(db.dataSource.manager, { projectCode: p.code, at, timeZone: 'Asia/Shanghai' }),
    ).rejects.toThrow(/inside the transaction/);
    expect(await db.dataSource.getRepository(CaseEntity).countBy({ projectId: p.id })).toBe(1);
  });
});
