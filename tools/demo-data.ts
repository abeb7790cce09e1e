import type { DataSource } from 'typeorm';
import {
  createBusinessCalendar,
  hashPassword,
  loadCalendarOverrides,
  ProjectEntity,
  zonedParts,
  type StaffRole,
} from '@kefu/shared';
import { DEMO_PROJECT_CODE, demoStaff, loadEstate } from './demo/estate';
import { writeCaseHistory } from './demo/history';
import { writeCertificateBatch, writeWarrantyNotices } from './demo/notices';
import { writeHistoricMessages } from './demo/notifications';
import { writeDraftNotices } from './demo/estate-notices';
import { rng } from './demo/random';
import { writeVisits } from './demo/visits';
import { writeSurveys } from './demo/surveys';

export { DEMO_PROJECT_CODE, UNDELIVERABLE_MOBILE } from './demo/estate';

export interface DemoSummary {
  created: boolean;
  units: number;
  owners: number;
  staff: Array<{ login: string; role: StaffRole; name: string }>;
  /** The history (zero when nothing was loaded). */
  cases: number;
  caseEvents: number;
  reminders: number;
  notifications: number;
  warrantyNotices: number;
  certificateUnits: number;
  certificatesCollected: number;
  /** The year's owner-visit plan and the visits recorded before today. */
  visitsPlanned: number;
  visitsRecorded: number;
  /** Last month's survey round, and the owners the survey scan invites today. */
  surveyInvitations: number;
  surveyAnswers: number;
  surveysDueToday: number;
}

/** The business time zone and working hours the demo history is computed in (the config's defaults). */
const TIME_ZONE = 'Asia/Shanghai';
const WORKING_HOURS = [
  { start: '09:00', end: '12:00' },
  { start: '13:00', end: '18:00' },
];

/**
 * Loads the demo estate once: 碧海云天 (COBZS001), 4 buildings, 200 units handed over across the last six
 * years, owners (some co-owned, some unsold units), three departments and one staff member per role, all
 * with `password` — and six months of history before `today`: cases of every channel, type and category with
 * their timelines, deadlines, reminders and escalations, acknowledgements and notices with their receipts, a
 * certificate batch half collected and the warranty notices sent. Deterministic for a given `today`; does
 * nothing if the demo estate exists. One transaction.
 */
export async function loadDemoData(ds: DataSource, password: string, today = new Date()): Promise<DemoSummary> {
  const staff = demoStaff.map((s) => ({ ...s }));
  const empty = { units: 0, owners: 0, cases: 0, caseEvents: 0, reminders: 0, notifications: 0 };
  const none = {
    ...empty,
    warrantyNotices: 0,
    certificateUnits: 0,
    certificatesCollected: 0,
    visitsPlanned: 0,
    visitsRecorded: 0,
    surveyInvitations: 0,
    surveyAnswers: 0,
    surveysDueToday: 0,
  };
  if (await ds.getRepository(ProjectEntity).existsBy({ code: DEMO_PROJECT_CODE })) {
    return { created: false, staff, ...none };
  }
  const rand = rng(20261123);
  const hash = await hashPassword(password);
  const calendar = createBusinessCalendar(
    { BUSINESS_TIME_ZONE: TIME_ZONE, WORKING_HOURS },
    await loadCalendarOverrides(ds),
  );
  const day = zonedParts(today, TIME_ZONE).day;

  return ds.transaction(async (m) => {
    // Two loads racing: the second waits here and then finds the estate.
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('kefu-demo-data'))`);
    if (await m.getRepository(ProjectEntity).existsBy({ code: DEMO_PROJECT_CODE })) {
      return { created: false, staff, ...none };
    }
    const estate = await loadEstate(m, rand, hash, today);
    const history = await writeCaseHistory(m, rand, estate, { now: today, calendar, timeZone: TIME_ZONE });
    const batch = await writeCertificateBatch(m, rand, estate, day);
    const warranty = await writeWarrantyNotices(m, rand, estate, day);
    // A generator of its own, so the visits do not shift the history's.
    const visits = await writeVisits(m, rng(20261207), estate, day);
    const surveys = await writeSurveys(m, rand, estate, day);
    const notifications = await writeHistoricMessages(m, rand, [
      ...history.messages,
      ...batch.messages,
      ...warranty.messages,
    ]);
    await writeDraftNotices(m, estate, day);
    return {
      created: true,
      units: estate.units.length,
      owners: estate.owners,
      staff,
      cases: history.cases,
      caseEvents: history.events,
      reminders: history.reminders,
      notifications,
      warrantyNotices: warranty.notices,
      certificateUnits: batch.units,
      certificatesCollected: batch.collected,
      visitsPlanned: visits.planned,
      visitsRecorded: visits.recorded,
      surveyInvitations: surveys.invitations,
      surveyAnswers: surveys.answers,
      surveysDueToday: surveys.dueToday,
    };
  });
}
