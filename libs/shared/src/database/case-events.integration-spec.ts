import { CaseEventEntity } from './entities';
import { createTestDatabase, factories, type TestDatabase } from '../testing';

describe('case_events', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('is append-only: the database refuses updates and deletes', async () => {
    const c = await factories.createCase(db.dataSource);
    const repo = db.dataSource.getRepository(CaseEventEntity);
    const [event] = await repo.findBy({ caseId: c.id });
    expect(event?.kind).toBe('created');
    await expect(repo.update({ id: event!.id }, { kind: 'tampered' })).rejects.toThrow(/append-only: UPDATE refused/);
    await expect(repo.delete({ id: event!.id })).rejects.toThrow(/append-only: DELETE refused/);
    await repo.insert({
      caseId: c.id,
      kind: 'note',
      actorId: null,
      actorLabel: 'system',
      details: { text: 'still possible' },
    });
    expect(await repo.countBy({ caseId: c.id })).toBe(2);
  });
});
