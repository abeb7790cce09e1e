import {
  caseCategories,
  caseChannels,
  caseTypes,
  defaultSlaPolicy,
  GENERAL_CASE_PREFIX,
  initialDeadlines,
  type BusinessCalendar,
  type CaseCategory,
  type CaseChannel,
  type CaseSeverity,
  type CaseStatus,
  type CaseType,
  type FirstReplyRule,
  type NotifyChannel,
} from '@kefu/shared';
import { classify } from '../../apps/intake/src/normalise';
import { channelWeights, describe, receivedTime, typeWeights, weighted } from './case-mix';
import { stall, walk } from './workflow';
import { DEMO_PROJECT_CODE, type DemoEstate, type DemoOwner, type DemoUnit } from './estate';
import { DAY, HOUR, MINUTE, type Rng } from './random';

export interface Actor {
  id: string | null;
  label: string;
}
export interface PlannedEvent {
  kind: string;
  at: Date;
  actor: Actor;
  details: Record<string, unknown>;
}

/** One case of the history, as the intake and the case workflow would have left it at `now`. */
export interface PlannedCase {
  id: string;
  intakeRecordId: string;
  prefix: string;
  number?: string;
  type: CaseType;
  category: CaseCategory;
  severity: CaseSeverity;
  channel: CaseChannel;
  projectId: string | null;
  unit: DemoUnit | null;
  owner: DemoOwner | null;
  reporterName: string | null;
  reporterContact: string | null;
  reporterPhone: string | null;
  reporterEmail: string | null;
  description: string;
  classificationRules: string[];
  promisedReplyRule: FirstReplyRule;
  /** The date told at intake; promisedReplyAt is the one in force now (moved with the customer's agreement). */
  initialPromised: Date;
  promisedReplyAt: Date;
  moves: Array<{ at: Date; from: Date; to: Date }>;
  escalationLevel: number;
  departmentId: string | null;
  assigneeId: string | null;
  status: CaseStatus;
  validity: 'pending' | 'valid' | 'invalid';
  receivedAt: Date;
  closedAt: Date | null;
  events: PlannedEvent[];
  /** When the case first reached each status (the scheduler's "step done" test reads the status rank). */
  reached: Partial<Record<CaseStatus, Date>>;
  /** 受理回执 channel (acknowledgementChannel), null for an anonymous slip. */
  ackChannel: NotifyChannel | null;
}

export interface HistoryOptions {
  now: Date;
  calendar: BusinessCalendar;
  timeZone: string;
}

/**
 * About 40 cases a month over the six calendar months ending with `now`'s (fewer in the current one, as
 * far as it has gone), plus a few enquiries from people outside any estate (numbered KF-…). Every
 * channel, type, category and building appears; each case's timeline is cut at `now`, so recent ones are
 * still open, and a few older ones are stalled past their promised reply date (overdue).
 */
export function planCases(rand: Rng, e: DemoEstate, o: HistoryOptions): PlannedCase[] {
  const { now } = o;
  const sold = e.units.filter((u) => u.owners.length > 0);
  const monthStart = (k: number): Date => {
    const [y, mo] = new Intl.DateTimeFormat('en-CA', { timeZone: o.timeZone, year: 'numeric', month: '2-digit' })
      .format(now)
      .split('-')
      .map(Number) as [number, number];
    const idx = y * 12 + (mo - 1) - k;
    // Month starts in Asia/Shanghai (UTC+8, no DST).
    return new Date(Date.UTC(Math.floor(idx / 12), idx % 12, 1) - 8 * HOUR);
  };
  const out: PlannedCase[] = [];
  let i = 0;
  for (let k = 5; k >= 0; k--) {
    const from = monthStart(k).getTime();
    const to = Math.min(monthStart(k - 1).getTime(), now.getTime() - 10 * MINUTE);
    const n = k === 0 ? Math.max(6, Math.round((38 * (to - from)) / (30 * DAY))) : rand.int(34, 44);
    for (let j = 0; j < n; j++, i++) {
      // Coverage first (each channel, type, category, building), then the usual mix.
      const channel = i < caseChannels.length ? caseChannels[i]! : weighted(rand, channelWeights);
      const type = i < caseTypes.length ? caseTypes[i]! : weighted(rand, typeWeights);
      const category = i < caseCategories.length ? caseCategories[i]! : rand.pick(caseCategories);
      const pool = i < 4 ? sold.filter((u) => u.buildingIndex === i) : sold;
      const day = from + Math.floor((rand() * (to - from)) / DAY) * DAY;
      const t = receivedTime(rand, day, channel);
      const receivedAt = new Date(t < to ? t : from + rand() * (to - from));
      // Mail comes from an owner whose address we hold.
      const units = channel === 'email' ? pool.filter((u) => u.owners[0]!.email) : pool;
      out.push(planCase(rand, e, o, { channel, type, category, unit: rand.pick(units), receivedAt }));
    }
  }
  // Prospective buyers' enquiries: no estate, so the general prefix; one gave a landline (its SMS receipt fails).
  for (let j = 0; j < 6; j++) {
    const receivedAt = new Date(receivedTime(rand, now.getTime() - rand.int(2, 170) * DAY - 8 * HOUR, 'web'));
    out.push(
      planCase(rand, e, o, { channel: j % 2 ? 'web' : 'hotline', type: 'enquiry', category: 'sales', receivedAt }, j),
    );
  }
  // A few older complaints and repairs stalled before their reply: open and overdue now. A minor complaint
  // stalls under 10 days: older, the scheduler would have made it major (004 篇2 §1), which the history does not play.
  const stallable = out.filter(
    (c) =>
      c.projectId &&
      (c.type === 'complaint' || c.type === 'repair') &&
      c.validity === 'valid' &&
      now.getTime() - c.receivedAt.getTime() > 3 * DAY &&
      now.getTime() - c.receivedAt.getTime() < (c.type === 'complaint' && c.severity === 'minor' ? 10 : 40) * DAY,
  );
  for (const c of stallable.filter((_, x) => x % 5 === 0).slice(0, 6)) stall(c);
  return out.sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime());
}

interface Shape {
  channel: CaseChannel;
  type: CaseType;
  category: CaseCategory;
  unit?: DemoUnit;
  receivedAt: Date;
}

function planCase(rand: Rng, e: DemoEstate, o: HistoryOptions, s: Shape, outsider?: number): PlannedCase {
  const { staff } = e;
  // Half the slips are anonymous: the estate's box, no unit, no one to acknowledge.
  const anonymous = s.channel === 'suggestion_box' && rand.chance(0.5);
  const unit = anonymous ? null : (s.unit ?? null);
  const owner = unit ? unit.owners[0]! : null;
  const description = describe(rand, s.type, s.category);
  const severity: CaseSeverity = s.type === 'claim' || (s.type === 'complaint' && rand.chance(0.1)) ? 'major' : 'minor';
  // The keyword rules that fired, and the staff's (or channel's) overrides, as the intake records them.
  const auto = classify(description);
  const by =
    s.channel === 'hotline' || s.channel === 'walk_in' || s.channel === 'suggestion_box' ? 'manual' : 'channel';
  const given = { type: s.type, category: s.category, severity };
  const rules = [
    ...auto.rules,
    ...(['type', 'category', 'severity'] as const).filter((f) => given[f] !== auto[f]).map((f) => `${by}.${f}`),
  ];
  const d = initialDeadlines(o.calendar, defaultSlaPolicy, { type: s.type, severity, receivedAt: s.receivedAt });

  let reporterPhone: string | null = null;
  let reporterEmail: string | null = null;
  let reporterName: string | null = owner?.name ?? null;
  if (outsider !== undefined) {
    reporterName = `${'陈林黄郑'[outsider % 4]}先生`;
    reporterPhone = outsider === 0 ? '075586001234' : `1391234${String(5000 + outsider).padStart(4, '0')}`;
  } else if (owner && s.channel === 'email') reporterEmail = owner.email!;
  else if (owner) reporterPhone = owner.mobile;
  const ackChannel: NotifyChannel | null =
    s.channel === 'email' && reporterEmail ? 'email' : reporterPhone ? 'sms' : reporterEmail ? 'email' : null;

  const c: PlannedCase = {
    id: rand.uuid(),
    intakeRecordId: rand.uuid(),
    prefix: s.unit ? DEMO_PROJECT_CODE : GENERAL_CASE_PREFIX,
    type: s.type,
    category: s.category,
    severity,
    channel: s.channel,
    projectId: s.unit ? e.projectId : null,
    unit,
    owner,
    reporterName,
    reporterContact: reporterEmail ?? reporterPhone,
    reporterPhone,
    reporterEmail,
    description,
    classificationRules: rules,
    promisedReplyRule: d.firstReplyRule,
    initialPromised: d.firstReply.at,
    promisedReplyAt: d.firstReply.at,
    moves: [],
    escalationLevel: 0,
    departmentId: null,
    assigneeId: null,
    status: 'new',
    validity: 'pending',
    receivedAt: s.receivedAt,
    closedAt: null,
    events: [],
    reached: { new: s.receivedAt },
    ackChannel,
  };
  const creator: Actor =
    s.channel === 'hotline' || s.channel === 'walk_in'
      ? { id: staff.operator.id, label: staff.operator.name }
      : s.channel === 'suggestion_box'
        ? { id: staff.rep.id, label: staff.rep.name }
        : s.channel === 'web'
          ? { id: null, label: 'owner' }
          : { id: null, label: s.channel };
  c.events.push({
    kind: 'created',
    at: s.receivedAt,
    actor: creator,
    details: {
      channel: s.channel,
      intakeRecordId: c.intakeRecordId,
      match: owner ? 'matched' : 'unmatched',
      classificationRules: rules,
      promisedReplyAt: d.firstReply.at.toISOString(),
      promisedReplyRule: d.firstReplyRule,
    },
  });
  walk(rand, e, c, o.now);
  return c;
}
