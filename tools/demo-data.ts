import type { DataSource } from 'typeorm';
import {
  BuildingEntity,
  DepartmentEntity,
  hashPassword,
  OwnerEntity,
  OwnerUnitEntity,
  ProjectEntity,
  StaffEntity,
  UnitEntity,
  type StaffRole,
} from '@kefu/shared';

export const DEMO_PROJECT_CODE = 'COBZS001';

/** Deterministic PRNG (mulberry32): the same demo estate on every machine. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const surnames = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈';
const given = [
  '伟',
  '芳',
  '娜',
  '敏',
  '静',
  '丽',
  '强',
  '磊',
  '军',
  '洋',
  '勇',
  '艳',
  '杰',
  '娟',
  '涛',
  '明',
  '超',
  '秀英',
  '霞',
  '平',
  '刚',
  '桂英',
  '建华',
  '志强',
  '晓东',
  '海燕',
];

function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export interface DemoSummary {
  created: boolean;
  units: number;
  owners: number;
  staff: Array<{ login: string; role: StaffRole; name: string }>;
}

/**
 * Loads the demo estate once: 碧海云天 (COBZS001), 4 buildings, 200 units handed over across the last six
 * years, owners (some co-owned, some unsold units), three departments and one staff member per role,
 * all with `password`. Does nothing if the demo estate exists.
 */
export async function loadDemoData(ds: DataSource, password: string, today = new Date()): Promise<DemoSummary> {
  const staffList: DemoSummary['staff'] = [
    { login: 'admin', role: 'admin', name: '系统管理员' },
    { login: 'gm', role: 'gm', name: '总经理 周建华' },
    { login: 'vicegm', role: 'vice_gm', name: '主管副总 吴志强' },
    { login: 'manager', role: 'dept_manager', name: '客服部经理 林静' },
    { login: 'rep', role: 'cs_rep', name: '客服代表 陈敏' },
    { login: 'operator', role: 'operator', name: '热线接线员 张丽' },
  ];
  if (await ds.getRepository(ProjectEntity).existsBy({ code: DEMO_PROJECT_CODE })) {
    return { created: false, units: 0, owners: 0, staff: staffList };
  }
  const rand = prng(20261123);
  const pick = <T>(xs: ArrayLike<T>): T => xs[Math.floor(rand() * xs.length)]!;
  const hash = await hashPassword(password);

  return ds.transaction(async (m) => {
    const project = await m.save(
      m.create(ProjectEntity, {
        code: DEMO_PROJECT_CODE,
        name: '碧海云天',
        city: '深圳',
        address: '深圳市宝安区碧海大道88号',
      }),
    );
    const [cs] = await m.save([
      m.create(DepartmentEntity, { code: 'CS', name: '客户服务部' }),
      m.create(DepartmentEntity, { code: 'ENG', name: '工程部' }),
      m.create(DepartmentEntity, { code: 'PM', name: '物业公司' }),
    ]);
    // The escalation chain: operator/rep → department manager → vice GM → GM.
    let reportsToId: string | null = null;
    for (const s of [...staffList].reverse()) {
      const departmentId = s.role === 'gm' || s.role === 'vice_gm' || s.role === 'admin' ? null : cs!.id;
      const seq = staffList.indexOf(s) + 1;
      const saved: StaffEntity = await m.save(
        m.create(StaffEntity, {
          ...s,
          departmentId,
          reportsToId: s.role === 'admin' ? null : reportsToId,
          mobile: `1370000000${seq}`,
          email: `${s.login}@kefu.example.com`,
          passwordHash: hash,
          active: true,
        }),
      );
      if (s.role !== 'admin') reportsToId = saved.id;
    }

    let units = 0;
    let owners = 0;
    const dayMs = 86_400_000;
    for (const [b, bName] of ['1栋', '2栋', '3栋', 'A座'].entries()) {
      const building = await m.save(m.create(BuildingEntity, { projectId: project.id, name: bName }));
      for (const entrance of ['1', '2']) {
        for (let floor = 1; floor <= 5; floor += 1) {
          for (let r = 1; r <= 5; r += 1) {
            // Handover dates spread over the last six years, in batches per building and entrance.
            const ageDays = Math.floor((b * 2 + Number(entrance) - 1) * 270 + rand() * 60 + 30);
            const unit = await m.save(
              m.create(UnitEntity, {
                projectId: project.id,
                buildingId: building.id,
                entrance,
                room: `${floor}0${r}`,
                floor,
                handoverDate: isoDay(new Date(today.getTime() - ageDays * dayMs)),
                finish: b % 2 === 0 ? 'fitted' : 'rough',
              }),
            );
            units += 1;
            if (rand() < 0.08) continue; // unsold
            const coOwned = rand() < 0.25;
            for (let k = 0; k < (coOwned ? 2 : 1); k += 1) {
              const n = owners + 1;
              const owner = await m.save(
                m.create(OwnerEntity, {
                  name: pick(surnames) + pick(given),
                  mobiles: [`1380013${String(n).padStart(4, '0')}`],
                  email: rand() < 0.6 ? `owner${n}@example.com` : null,
                  postalAddress: `深圳市宝安区碧海大道88号碧海云天${bName}${entrance}单元${floor}0${r}室`,
                  postcode: '518101',
                  preferredChannels: rand() < 0.3 ? ['sms', 'email'] : ['sms'],
                  optOuts: [],
                }),
              );
              owners += 1;
              await m.save(
                m.create(OwnerUnitEntity, {
                  ownerId: owner.id,
                  unitId: unit.id,
                  relation: k === 0 ? 'owner' : 'co_owner',
                  isPrimaryContact: k === 0,
                  since: unit.handoverDate,
                  until: null,
                }),
              );
            }
          }
        }
      }
    }
    return { created: true, units, owners, staff: staffList };
  });
}
