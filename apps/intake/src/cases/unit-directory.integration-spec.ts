import type { INestApplication } from '@nestjs/common';
import { createTestDatabase, factories, startTestApp, testConfig, type TestDatabase } from '@kefu/shared/testing';
import { intakeApp } from '../intake.app';
import { CaseIntakeService } from './case-intake.service';

describe('unit-text matching from the cached unit directory', () => {
  let db: TestDatabase;
  let app: INestApplication;
  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(intakeApp, testConfig({ DATABASE_URL: db.url }));
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('matches a unit added after the estate\'s units were cached', async () => {
    const project = await factories.createProject(db.dataSource);
    const building = await factories.createBuilding(db.dataSource, { projectId: project.id, name: '8栋' });
    const first = await factories.createUnit(db.dataSource, { projectId: project.id, buildingId: building.id, entrance: '1', room: '801' });
    const create = (unitText: string) =>
      app.get(CaseIntakeService).create({
        channel: 'web', source: 'test', externalId: unitText, raw: {}, receivedAt: new Date(), reporter: {}, description: '门锁坏了', unitText, projectId: project.id, actor: { kind: 'owner' },
      });
    expect((await create('8栋1单元801')).caseRow.unitId).toBe(first.id);
    const added = await factories.createUnit(db.dataSource, { projectId: project.id, buildingId: building.id, entrance: '1', room: '802' });
    expect((await create('8栋1单元802')).caseRow.unitId).toBe(added.id);
  });
});
