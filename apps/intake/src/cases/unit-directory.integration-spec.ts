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

  it("matches a unit added after the estate's units were cached", async () => {
    const project = await factories.createProject(db.dataSource);
    const building = await factories.createBuilding(db.dataSource, { projectId: project.id, name: '8栋' });
    const first = await factories.createUnit(db.dataSource, {
      projectId: project.id,
      buildingId: building.id,
      entrance: '1',
      room: '801',
    });
    const create = (unitText: string) =>
      app.get(CaseIntakeService).create({
        channel: 'web',
        source: 'test',
        externalId: unitText,
        raw: {},
        receivedAt: new Date(),
        reporter: {},
        description: '门锁坏了',
        unitText,
        projectId: project.id,
        actor: { kind: 'owner' },
      });
    expect((await create('8栋1单元801')).caseRow.unitId).toBe(first.id);
    const added = await factories.createUnit(db.dataSource, {
      projectId: project.id,
      buildingId: building.id,
      entrance: '1',
      room: '802',
    });
    expect((await create('8栋1单元802')).caseRow.unitId).toBe(added.id);
  });

  it('matches at once after a building is renamed (the unit count did not change)', async () => {
    const project = await factories.createProject(db.dataSource);
    const building = await factories.createBuilding(db.dataSource, { projectId: project.id, name: '9栋' });
    const unit = await factories.createUnit(db.dataSource, {
      projectId: project.id,
      buildingId: building.id,
      entrance: '1',
      room: '901',
    });
    const create = (unitText: string) =>
      app.get(CaseIntakeService).create({
        channel: 'web',
        source: 'test',
        externalId: `${project.id}-${unitText}`,
        raw: {},
        receivedAt: new Date(),
        reporter: {},
        description: '门锁坏了',
        unitText,
        projectId: project.id,
        actor: { kind: 'owner' },
      });
    expect((await create('9栋1单元901')).caseRow.unitId).toBe(unit.id);
    await db.dataSource.query(`UPDATE buildings SET name = 'A座' WHERE id = $1`, [building.id]);
    const after = await create('A座1单元901');
    expect(after.caseRow.unitId).toBe(unit.id);
  });

  it("bumps an estate's units_version once per statement that changes its units or buildings", async () => {
    const project = await factories.createProject(db.dataSource);
    const other = await factories.createProject(db.dataSource);
    const version = async (id: string) =>
      Number(
        (
          await db.dataSource.query<Array<{ v: string }>>(`SELECT units_version AS v FROM projects WHERE id = $1`, [id])
        )[0]!.v,
      );
    const building = await factories.createBuilding(db.dataSource, { projectId: project.id, name: '1栋' });
    const v0 = await version(project.id);
    await db.dataSource.query(
      `INSERT INTO units (project_id, building_id, entrance, room, floor) SELECT $1, $2, '1', r::text, 1 FROM generate_series(101, 600) r`,
      [project.id, building.id],
    );
    expect(await version(project.id)).toBe(v0 + 1);
    await db.dataSource.query(`UPDATE units SET room = room || 'A' WHERE project_id = $1 AND room = '101'`, [
      project.id,
    ]);
    await db.dataSource.query(`DELETE FROM units WHERE project_id = $1 AND room = '102'`, [project.id]);
    expect(await version(project.id)).toBe(v0 + 3);
    expect(await version(other.id)).toBe(0);
  });
});
