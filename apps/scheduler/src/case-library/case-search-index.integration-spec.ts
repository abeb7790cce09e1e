import type { INestApplication } from '@nestjs/common';
import { searchCases, staleCaseSearchCount } from '@kefu/shared';
import { createTestDatabase, factories, startTestApp, testConfig, type TestDatabase } from '@kefu/shared/testing';
import { schedulerApp } from '../scheduler.app';
import { CaseSearchIndexService } from './case-search-index.service';

describe('the case search index tick (案例库)', () => {
  let db: TestDatabase;
  let app: INestApplication;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(schedulerApp, testConfig({ DATABASE_URL: db.url }));
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('indexes what changed since the last tick, so the index alone finds it', async () => {
    const tick = () => app.get(CaseSearchIndexService).tick();
    await tick();
    const c = await factories.createCase(db.dataSource, { description: '地下车库积水严重' });
    // Nothing indexed yet: the bare index query does not find it.
    expect((await searchCases(db.dataSource, { query: '积水' })).total).toBe(0);
    // (The app's own worker may run the task meanwhile: what is asserted is the index's state, not who did it.)
    await tick();
    expect(await staleCaseSearchCount(db.dataSource)).toBe(0);
    expect((await searchCases(db.dataSource, { query: '车库 积水' })).hits.map((h) => h.caseId)).toEqual([c.id]);
    expect(await tick()).toBe(0);
    // A reply with text makes it stale again.
    await db.dataSource.query(
      `INSERT INTO case_events (case_id, kind, actor_label, details) VALUES ($1, 'replied', 't', $2)`,
      [c.id, { content: '已安排抽水泵排水' }],
    );
    await db.dataSource.query(
      `INSERT INTO case_events (case_id, kind, actor_label, details) VALUES ($1, 'accepted', 't', '{}')`,
      [c.id],
    );
    await tick();
    expect(await staleCaseSearchCount(db.dataSource)).toBe(0);
    expect((await searchCases(db.dataSource, { query: '抽水泵' })).total).toBe(1);
  });
});
