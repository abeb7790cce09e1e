import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import { createTestDatabase, factories, startTestApp, testConfig, type TestDatabase } from '@kefu/shared/testing';
import { intakeApp } from '../intake.app';
import { CaseIntakeService } from './case-intake.service';
import type { NewCaseInput } from './case-intake.types';

/**
 * The look-ups before a case is written: one statement for matching, one for the recent cases of the
 * keys matching decided on (owner, unit, number), then the case statement. The duplicate check must find
 * the earlier case whichever way the unit was found.
 */
describe("possible duplicates and the intake's round trips", () => {
  let db: TestDatabase;
  let app: INestApplication;
  let projectId: string;
  const units: Record<string, string> = {};
  let seq = 0;

  const create = (o: Partial<NewCaseInput>) =>
    app.get(CaseIntakeService).create({
      channel: 'hotline',
      source: 'dup-test',
      externalId: `d${++seq}`,
      raw: {},
      receivedAt: new Date(),
      reporter: {},
      description: '卫生间漏水',
      actor: { kind: 'system', label: 'test' },
      ...o,
    });
  const links = async (caseId: string) =>
    (
      await db.dataSource.query<Array<{ linked_case_id: string }>>(
        `SELECT linked_case_id FROM case_links WHERE case_id = $1`,
        [caseId],
      )
    ).map((r) => r.linked_case_id);

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(intakeApp, testConfig({ DATABASE_URL: db.url }));
    projectId = (await factories.createProject(db.dataSource, { code: 'DUP001' })).id;
    const building = await factories.createBuilding(db.dataSource, { projectId, name: '7栋' });
    for (const room of ['701', '702', '703', '704', '705'])
      units[room] = (
        await factories.createUnit(db.dataSource, { projectId, buildingId: building.id, entrance: '1', room })
      ).id;
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('takes two statements for a matched call: the matching read (with the recent cases of every key it can end up with) and the case', async () => {
    const owner = await factories.createOwner(db.dataSource, { mobiles: ['13700000001'] });
    await factories.linkOwner(db.dataSource, owner.id, units['701']!);
    await create({ description: '路灯坏了' }); // the business calendar is loaded now
    const earlier = await factories.createCase(db.dataSource, {
      projectCode: 'DUP001',
      projectId,
      unitId: units['701'],
      description: '客厅墙面开裂，裂缝越来越大',
    });
    const spy = jest.spyOn(Client.prototype, 'query');
    try {
      const { caseRow } = await create({ reporter: { phones: ['13700000001'] }, description: '客厅墙面开裂' });
      expect(caseRow.unitId).toBe(units['701']);
      // The outbox relay, kicked by the commits, runs its own statements meanwhile.
      const text = (q: unknown) => (typeof q === 'string' ? q : (q as { text: string }).text);
      const ours = spy.mock.calls
        .map(([q]) => text(q))
        .filter((sql) => !/\boutbox\b|^(START TRANSACTION|COMMIT|ROLLBACK)$/.test(sql) || /WITH rec AS/.test(sql));
      expect(ours).toHaveLength(2);
      // …and the duplicate check still found the unit's earlier case among the candidates read ahead.
      expect(await links(caseRow.id)).toEqual([earlier.id]);
    } finally {
      spy.mockRestore();
    }
  });

  it('finds an earlier case of a unit named in the text that the reporter does not own (the estate known only from the owner)', async () => {
    const owner = await factories.createOwner(db.dataSource, { mobiles: ['13700000002'] });
    await factories.linkOwner(db.dataSource, owner.id, units['702']!);
    const earlier = await factories.createCase(db.dataSource, {
      projectCode: 'DUP001',
      projectId,
      unitId: units['703'],
      description: '7栋1单元703卫生间漏水，楼下天花板渗水',
    });
    const { caseRow } = await create({
      reporter: { phones: ['13700000002'] },
      description: '7栋1单元703卫生间漏水，楼下天花板也渗水了',
    });
    expect(caseRow.unitId).toBe(units['703']);
    expect(await links(caseRow.id)).toEqual([earlier.id]);
  });

  it('finds an earlier case of a unit named in the text from the cached directory when the estate is given', async () => {
    await create({ projectId, unitText: '7栋1单元701', description: '门锁坏了' }); // the directory is loaded now
    const earlier = await factories.createCase(db.dataSource, {
      projectCode: 'DUP001',
      projectId,
      unitId: units['704'],
      description: '阳台窗户关不严，漏风',
    });
    const spy = jest.spyOn(Client.prototype, 'query');
    try {
      const { caseRow } = await create({
        channel: 'web',
        projectId,
        unitText: '7栋1单元704',
        description: '阳台窗户关不严，一直漏风',
        actor: { kind: 'owner' },
      });
      expect(caseRow.unitId).toBe(units['704']);
      expect(await links(caseRow.id)).toEqual([earlier.id]);
      // The unit was matched ahead in the cached directory: its recent cases came with the matching read.
      const text = (q: unknown) => (typeof q === 'string' ? q : (q as { text: string }).text);
      expect(
        spy.mock.calls.map(([q]) => text(q)).filter((sql) => /FROM cases/.test(sql) && !/WITH rec AS/.test(sql)),
      ).toHaveLength(1);
    } finally {
      spy.mockRestore();
    }
  });

  it("finds the earlier case of the named unit among many more recent cases of the reporter's other unit", async () => {
    const owner = await factories.createOwner(db.dataSource, { mobiles: ['13700000003'] });
    await factories.linkOwner(db.dataSource, owner.id, units['704']!);
    await factories.linkOwner(db.dataSource, owner.id, units['705']!);
    const earlier = await factories.createCase(db.dataSource, {
      projectCode: 'DUP001',
      projectId,
      unitId: units['704'],
      description: '厨房下水道堵塞，污水倒灌',
      receivedAt: new Date(Date.now() - 3600_000),
    });
    // 250 newer cases of the owner's other unit, none of them the owner's own or from the number.
    await db.dataSource.query(
      `INSERT INTO cases (number, type, channel, description, received_at, unit_id, project_id)
       SELECT 'DUPFILL-' || g, 'complaint', 'hotline', '无关的事情' || g, now() - g * interval '1 second', $1, $2 FROM generate_series(1, 250) g`,
      [units['705'], projectId],
    );
    const { caseRow } = await create({
      reporter: { phones: ['13700000003'] },
      description: '7栋1单元704厨房下水道堵塞，污水倒灌到地面',
    });
    expect(caseRow.unitId).toBe(units['704']);
    expect(await links(caseRow.id)).toEqual([earlier.id]);
  });
});
