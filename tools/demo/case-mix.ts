import type { CaseCategory, CaseChannel, CaseType } from '@kefu/shared';
import type { DemoEstate } from './estate';
import { DAY, HOUR, type Rng } from './random';

/** What the demo's owners write about, per category (the keyword classifier reads these as a real item). */
export const topics: Record<CaseCategory, string[]> = {
  engineering_quality: [
    '卫生间漏水，楼下天花板有水渍',
    '客厅墙面开裂，裂缝约一米长',
    '窗户密封不严，下雨天渗水',
    '入户门变形关不严',
    '厨房瓷砖空鼓脱落',
  ],
  planning_design: ['小区车位规划不足，晚上停车困难', '楼间距太近，低层采光受影响', '垃圾站离住宅楼太近有异味'],
  sales: ['购房合同约定的赠送面积未兑现', '交房时间比合同约定晚了两个月', '销售承诺的学位至今没有落实'],
  property_management: [
    '地下车库路灯坏了好几盏',
    '电梯经常停运',
    '小区绿化带长期无人修剪',
    '夜间保安巡逻不到位',
    '楼道垃圾没人清理',
  ],
  customer_service: ['热线电话打了三次都没人接', '上次反映的问题答应回电一直没有回复', '前台客服人员态度不好'],
  other: ['附近工地夜间施工噪音很大', '小区外道路下雨积水严重', '快递柜数量不够用'],
};

export function describe(rand: Rng, type: CaseType, category: CaseCategory): string {
  const topic = rand.pick(topics[category]);
  switch (type) {
    case 'complaint':
      return `投诉：${topic}，已经反映多次仍未解决，请尽快处理。`;
    case 'repair':
      return `报修：${topic}，请派人上门维修。`;
    case 'enquiry':
      return `咨询：${topic}，请问什么时候能处理？`;
    case 'suggestion':
      return `建议：${topic}，希望尽快改进。`;
    case 'claim':
      return `${topic}，造成家具损坏，要求赔偿损失。`;
  }
}

export const weighted = <T>(rand: Rng, xs: ReadonlyArray<readonly [T, number]>): T => {
  let x = rand() * xs.reduce((s, [, w]) => s + w, 0);
  for (const [v, w] of xs) if ((x -= w) < 0) return v;
  return xs[xs.length - 1]![0];
};
export const channelWeights = [
  ['hotline', 40],
  ['email', 14],
  ['web', 16],
  ['fax', 4],
  ['suggestion_box', 10],
  ['walk_in', 16],
] as const;
export const typeWeights = [
  ['complaint', 40],
  ['repair', 32],
  ['enquiry', 14],
  ['suggestion', 8],
  ['claim', 6],
] as const;

/** Where a valid case of each category is handled. */
export function departmentOf(e: DemoEstate, category: CaseCategory): string {
  if (category === 'engineering_quality' || category === 'planning_design') return e.departments.eng;
  if (category === 'property_management') return e.departments.pm;
  return e.departments.cs;
}

const LOCAL = 8 * HOUR; // Asia/Shanghai: UTC+8 all year
const localMs = (t: number) => (((t + LOCAL) % DAY) + DAY) % DAY;

/**
 * When an item comes in on the day starting at `dayStart` (local midnight): calls, visits and slips between
 * 08:00 and 21:00; web forms and mail mostly in the day, some at night.
 */
export function receivedTime(rand: Rng, dayStart: number, channel: CaseChannel): number {
  const online = channel === 'web' || channel === 'email' || channel === 'fax';
  const hours = online && rand.chance(0.2) ? rand() * 24 : 8 + rand() * 13;
  return dayStart + Math.floor(hours * HOUR);
}

/** Staff act in the day: an instant outside 08:30–20:00 local time moves to the next morning. */
export function staffTime(rand: Rng, t: number): number {
  const local = localMs(t);
  if (local >= 8.5 * HOUR && local < 20 * HOUR) return t;
  const morning = t - local + (local >= 20 * HOUR ? DAY : 0) + 8.5 * HOUR;
  return morning + Math.floor(rand() * 90) * 60_000;
}
