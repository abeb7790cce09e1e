import type { EntityManager } from 'typeorm';
import {
  BuildingEntity,
  DepartmentEntity,
  DepartmentResponsibilityEntity,
  DutyRosterEntity,
  OwnerEntity,
  OwnerUnitEntity,
  ProjectEntity,
  StaffEntity,
  UnitEntity,
  type NotifyChannel,
  type StaffRole,
} from '@kefu/shared';
import { DAY, rng, type Rng } from './random';

export const DEMO_PROJECT_CODE = 'COBZS001';
/**
 * The local SMS gateway's documented "undeliverable" number (+8619900000001, stored as owners store
 * mainland mobiles): an SMS to it ends undelivered, so a must-arrive notice falls back to email, then letter.
 */
export const UNDELIVERABLE_MOBILE = '19900000001';

export const demoStaff: ReadonlyArray<{ login: string; role: StaffRole; name: string }> = [
  { login: 'admin', role: 'admin', name: '系统管理员' },
  { login: 'gm', role: 'gm', name: '总经理 周建华' },
  { login: 'vicegm', role: 'vice_gm', name: '主管副总 吴志强' },
  { login: 'manager', role: 'dept_manager', name: '客服部经理 林静' },
  { login: 'rep', role: 'cs_rep', name: '客服代表 陈敏' },
  { login: 'operator', role: 'operator', name: '热线接线员 张丽' },
];

const surnames = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈';
const given = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超'];
const given2 = ['秀英', '霞', '平', '刚', '桂英', '建华', '志强', '晓东', '海燕'];

export interface DemoOwner {
  id: string;
  name: string;
  mobile: string;
  email: string | null;
  preferredChannels: NotifyChannel[];
}
export interface DemoUnit {
  id: string;
  buildingIndex: number;
  /** As unitLabelSql renders it, e.g. 3栋2单元105. */
  label: string;
  handoverDate: string;
  /** Current owners, primary contact first; empty when unsold. */
  owners: DemoOwner[];
}
export interface DemoStaffMember {
  id: string;
  login: string;
  role: StaffRole;
  name: string;
  email: string;
  mobile: string;
}
export interface DemoEstate {
  projectId: string;
  name: string;
  departments: { cs: string; eng: string; pm: string };
  staff: Record<'admin' | 'gm' | 'vicegm' | 'manager' | 'rep' | 'operator', DemoStaffMember>;
  units: DemoUnit[];
  owners: number;
}

function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/**
 * 碧海云天 (COBZS001): 4 buildings × 2 entrances × 5 floors × 5 rooms handed over across the last six years,
 * owners (some co-owned, some unsold units; mobiles, most with an email under owner.example, postal address),
 * three departments and one staff member per role in one escalation chain.
 */
export async function loadEstate(m: EntityManager, rand: Rng, passwordHash: string, today: Date): Promise<DemoEstate> {
  // Ids from a generator of their own, so two loads on the same day give the same rows, ids included,
  // without shifting `rand`.
  const ids = rng(20261124);
  const project = await m.save(
    m.create(ProjectEntity, {
      id: ids.uuid(),
      code: DEMO_PROJECT_CODE,
      name: '碧海云天',
      city: '深圳',
      address: '深圳市宝安区碧海大道88号',
    }),
  );
  const [cs, eng, pm] = await m.save([
    m.create(DepartmentEntity, { id: ids.uuid(), code: 'CS', name: '客户服务部' }),
    m.create(DepartmentEntity, { id: ids.uuid(), code: 'ENG', name: '工程部' }),
    m.create(DepartmentEntity, { id: ids.uuid(), code: 'PM', name: '物业公司' }),
  ]);
  // The escalation chain: operator → rep → department manager → vice GM → GM.
  const staff: Partial<DemoEstate['staff']> = {};
  let reportsToId: string | null = null;
  for (const s of [...demoStaff].reverse()) {
    const departmentId = s.role === 'gm' || s.role === 'vice_gm' || s.role === 'admin' ? null : cs!.id;
    const seq = demoStaff.indexOf(s) + 1;
    const row: StaffEntity = await m.save(
      m.create(StaffEntity, {
        id: ids.uuid(),
        ...s,
        departmentId,
        reportsToId: s.role === 'admin' ? null : reportsToId,
        mobile: `1370000000${seq}`,
        email: `${s.login}@kefu.example`,
        passwordHash,
        active: true,
      }),
    );
    if (s.role !== 'admin') reportsToId = row.id;
    staff[s.login as keyof DemoEstate['staff']] = {
      id: row.id,
      login: s.login,
      role: s.role,
      name: s.name,
      email: row.email!,
      mobile: row.mobile!,
    };
  }

  // Rows built here and inserted per table in one statement each (hundreds of single-row saves took ~1.5 s).
  const units: DemoUnit[] = [];
  const unitRows: Array<Partial<UnitEntity>> = [];
  const ownerRows: Array<Partial<OwnerEntity>> = [];
  const links: Array<Partial<OwnerUnitEntity>> = [];
  for (const [b, bName] of ['1栋', '2栋', '3栋', 'A座'].entries()) {
    const building = await m.save(m.create(BuildingEntity, { id: ids.uuid(), projectId: project.id, name: bName }));
    for (const entrance of ['1', '2']) {
      for (let floor = 1; floor <= 5; floor += 1) {
        for (let r = 1; r <= 5; r += 1) {
          // Handover dates spread over the last six years, in batches per building and entrance.
          const ageDays = Math.floor((b * 2 + Number(entrance) - 1) * 270 + rand() * 60 + 30);
          const room = `${floor}0${r}`;
          const handoverDate = isoDay(new Date(today.getTime() - ageDays * DAY));
          const unit: DemoUnit = {
            id: ids.uuid(),
            buildingIndex: b,
            label: `${bName}${entrance}单元${room}`,
            handoverDate,
            owners: [],
          };
          units.push(unit);
          unitRows.push({
            id: unit.id,
            projectId: project.id,
            buildingId: building.id,
            entrance,
            room,
            floor,
            handoverDate,
            finish: b % 2 === 0 ? 'fitted' : 'rough',
          });
          if (rand() < 0.08) continue; // unsold
          const coOwned = rand() < 0.25;
          for (let k = 0; k < (coOwned ? 2 : 1); k += 1) {
            const n = ownerRows.length + 1;
            // Owner 8 has the gateway's undeliverable number (and an email and address to fall back on).
            const mobile = n === 8 ? UNDELIVERABLE_MOBILE : `1380013${String(n).padStart(4, '0')}`;
            const email = n === 8 || rand() < 0.75 ? `o${n}@owner.example` : null;
            const preferredChannels: NotifyChannel[] = email && rand() < 0.3 ? ['sms', 'email'] : ['sms'];
            const name = rand.pick(surnames) + (rand() < 0.7 ? rand.pick(given) : rand.pick(given2));
            const id = ids.uuid();
            ownerRows.push({
              id,
              name,
              mobiles: [mobile],
              email,
              postalAddress: `深圳市宝安区碧海大道88号碧海云天${bName}${entrance}单元${room}室`,
              postcode: '518101',
              preferredChannels,
              optOuts: [],
            });
            links.push({
              id: ids.uuid(),
              ownerId: id,
              unitId: unit.id,
              relation: k === 0 ? 'owner' : 'co_owner',
              isPrimaryContact: k === 0,
              since: handoverDate,
              until: null,
            });
            unit.owners.push({ id, name, mobile, email, preferredChannels });
          }
        }
      }
    }
  }
  await m.insert(UnitEntity, unitRows);
  await m.insert(OwnerEntity, ownerRows);
  await m.insert(OwnerUnitEntity, links);
  await seedRouting(m, ids, { project: project.id, cs: cs!.id, eng: eng!.id, pm: pm!.id }, staff, passwordHash);
  return {
    projectId: project.id,
    name: project.name,
    departments: { cs: cs!.id, eng: eng!.id, pm: pm!.id },
    staff: staff as DemoEstate['staff'],
    units,
    owners: ownerRows.length,
  };
}

/**
 * Who answers for what (the routing of new cases): 客户服务部 is the customer-service department, 工程质量 and
 * 规划设计 go to 工程部, 物业管理 in this estate to its 物业公司; each department has a manager and a duty person
 * on working days (客服 陈敏 in 客户服务部). Added after the rest, so the ids above stay as they were.
 */
async function seedRouting(
  m: EntityManager,
  ids: Rng,
  d: { project: string; cs: string; eng: string; pm: string },
  staff: Partial<DemoEstate['staff']>,
  passwordHash: string,
): Promise<void> {
  await m.update(DepartmentEntity, { id: d.cs }, { customerService: true });
  const person = (login: string, role: StaffRole, name: string, departmentId: string, reportsToId: string, n: number) =>
    m.create(StaffEntity, {
      id: ids.uuid(),
      login,
      role,
      name,
      departmentId,
      reportsToId,
      mobile: `1370000010${n}`,
      email: `${login}@kefu.example`,
      passwordHash,
      active: true,
    });
  const engManager = person('eng-manager', 'dept_manager', '工程部经理 王磊', d.eng, staff.vicegm!.id, 1);
  const engDuty = person('eng-duty', 'cs_rep', '工程部 赵工', d.eng, engManager.id, 2);
  const pmManager = person('pm-manager', 'dept_manager', '物业公司经理 刘洋', d.pm, staff.vicegm!.id, 3);
  await m.save([engManager, engDuty, pmManager]);
  await m.insert(DepartmentResponsibilityEntity, [
    { id: ids.uuid(), category: 'engineering_quality', projectId: null, departmentId: d.eng },
    { id: ids.uuid(), category: 'planning_design', projectId: null, departmentId: d.eng },
    { id: ids.uuid(), category: 'property_management', projectId: d.project, departmentId: d.pm },
  ]);
  const weekdays = [1, 2, 3, 4, 5];
  await m.insert(DutyRosterEntity, [
    ...weekdays.map((weekday) => ({
      id: ids.uuid(),
      departmentId: d.cs,
      staffId: staff.rep!.id,
      weekday,
      position: 0,
    })),
    ...weekdays.map((weekday) => ({ id: ids.uuid(), departmentId: d.eng, staffId: engDuty.id, weekday, position: 0 })),
  ]);
}
