import { randomBytes } from 'node:crypto';
import type { DataSource, DeepPartial, EntityTarget, ObjectLiteral } from 'typeorm';
import { hashPassword } from '../auth/password';
import { allocateCaseNumber } from '../cases/case-number';
import {
  BuildingEntity,
  CaseEntity,
  CaseEventEntity,
  DepartmentEntity,
  OwnerEntity,
  OwnerUnitEntity,
  ProjectEntity,
  StaffEntity,
  UnitEntity,
} from '../database/entities';

const uniq = (n = 4) => randomBytes(n).toString('hex');
let mobileSeq = 0;
/** A syntactically valid, distinct mainland mobile (139 + pid-independent counter). */
export const fakeMobile = () =>
  `139${String(Date.now() % 10_000).padStart(4, '0')}${String(++mobileSeq % 10_000).padStart(4, '0')}`;

async function save<T extends ObjectLiteral>(
  ds: DataSource,
  target: EntityTarget<T>,
  row: DeepPartial<NoInfer<T>>,
): Promise<T> {
  const repo = ds.getRepository(target);
  return repo.save(repo.create(row));
}

/** Factories: `build*` returns valid defaults merged with overrides; `create*` also saves. Tests override only what they assert. */
export const factories = {
  buildProject: (o: Partial<ProjectEntity> = {}): Partial<ProjectEntity> => ({
    code: `P${uniq(3).toUpperCase()}`,
    name: '测试花园',
    city: '深圳',
    address: null,
    ...o,
  }),
  createProject: (ds: DataSource, o: Partial<ProjectEntity> = {}) => save(ds, ProjectEntity, factories.buildProject(o)),

  createBuilding: async (ds: DataSource, o: Partial<BuildingEntity> = {}) =>
    save(ds, BuildingEntity, {
      name: `${uniq(2)}栋`,
      ...o,
      projectId: o.projectId ?? (await factories.createProject(ds)).id,
    }),

  createUnit: async (ds: DataSource, o: Partial<UnitEntity> = {}) => {
    const building = o.buildingId
      ? await ds.getRepository(BuildingEntity).findOneByOrFail({ id: o.buildingId })
      : await factories.createBuilding(ds, o.projectId ? { projectId: o.projectId } : {});
    return save(ds, UnitEntity, {
      entrance: '1',
      room: String(100 + (parseInt(uniq(2), 16) % 3000)),
      floor: 1,
      handoverDate: '2022-06-30',
      finish: 'rough',
      ...o,
      buildingId: building.id,
      projectId: building.projectId,
    });
  },

  buildOwner: (o: Partial<OwnerEntity> = {}): Partial<OwnerEntity> => ({
    name: '张三',
    mobiles: [fakeMobile()],
    email: `owner-${uniq()}@example.com`,
    postalAddress: '深圳市南山区测试路1号',
    postcode: '518000',
    preferredChannels: ['sms'],
    optOuts: [],
    ...o,
  }),
  createOwner: (ds: DataSource, o: Partial<OwnerEntity> = {}) => save(ds, OwnerEntity, factories.buildOwner(o)),

  linkOwner: (ds: DataSource, ownerId: string, unitId: string, o: Partial<OwnerUnitEntity> = {}) =>
    save(ds, OwnerUnitEntity, {
      ownerId,
      unitId,
      relation: 'owner',
      isPrimaryContact: true,
      since: '2022-06-30',
      until: null,
      ...o,
    }),

  createDepartment: (ds: DataSource, o: Partial<DepartmentEntity> = {}) =>
    save(ds, DepartmentEntity, { code: `D${uniq(3)}`, name: '工程部', ...o }),

  /** A staff member; pass `password` to make them able to log in. */
  createStaff: async (ds: DataSource, o: Partial<StaffEntity> & { password?: string } = {}) => {
    const { password, ...rest } = o;
    return save(ds, StaffEntity, {
      login: `staff-${uniq()}`,
      name: '李四',
      role: 'cs_rep',
      mobile: fakeMobile(),
      email: `staff-${uniq()}@example.com`,
      active: true,
      ...rest,
      passwordHash: password ? await hashPassword(password) : (rest.passwordHash ?? null),
    });
  },

  /** A case with its number allocated and its `created` event, in one transaction (as intake does). */
  createCase: (ds: DataSource, o: Partial<CaseEntity> & { projectCode?: string | null } = {}) =>
    ds.transaction(async (m) => {
      const { projectCode, ...rest } = o;
      const receivedAt = rest.receivedAt ?? new Date();
      const number = await allocateCaseNumber(m, {
        projectCode: projectCode ?? null,
        at: receivedAt,
        timeZone: 'Asia/Shanghai',
      });
      const repo = m.getRepository(CaseEntity);
      const row = await repo.save(
        repo.create({ number, type: 'complaint', channel: 'hotline', description: '楼上漏水', receivedAt, ...rest }),
      );
      await m.getRepository(CaseEventEntity).insert({
        caseId: row.id,
        kind: 'created',
        actorId: null,
        actorLabel: 'system',
        details: { channel: row.channel },
      });
      return row;
    }),
};
