import { createBusinessCalendar } from '../calendar';
import { configSchema } from '../config/config.schema';
import {
  computeDeadline,
  defaultSlaPolicy,
  initialDeadlines,
  resolveSlaPolicy,
  SlaPolicyError,
  warrantyNoticeDay,
} from '.';

const calendar = createBusinessCalendar({
  BUSINESS_TIME_ZONE: 'Asia/Shanghai',
  WORKING_HOURS: [
    { start: '09:00', end: '12:00' },
    { start: '13:00', end: '18:00' },
  ],
});
const sh = (local: string): Date => new Date(`${local.replace(' ', 'T')}:00+08:00`);
const iso = (d: { at: Date } | undefined): string | undefined => d?.at.toISOString();

/** SLA_POLICY as it arrives from the environment, through the real config schema. */
const fromEnv = (json: string): Record<string, unknown> | undefined => configSchema.shape.SLA_POLICY.parse(json);

describe('SLA policy', () => {
  it('defaults to the figures of DOMAIN.md', () => {
    expect(resolveSlaPolicy()).toEqual({
      transferToCs: { amount: 1, unit: 'working_days' },
      selfHandledFiling: { amount: 2, unit: 'working_days' },
      departmentPlan: { amount: 2, unit: 'working_days' },
      minor: {
        firstFeedback: { amount: 24, unit: 'hours' },
        departmentAnalysis: { amount: 1, unit: 'hours' },
        upgradeToMajor: { amount: 10, unit: 'days' },
      },
      major: { reportToHead: { amount: 10, unit: 'minutes' }, solution: { amount: 12, unit: 'hours' } },
      repair: {
        engineerContact: { amount: 24, unit: 'hours' },
        siteSurvey: { amount: 2, unit: 'working_days' },
        inspectionNotice: { amount: 2, unit: 'days' },
        returnVisit: { amount: 7, unit: 'days' },
      },
      complaintReturnVisit: { amount: 24, unit: 'hours' },
      maxReplyDateMoves: 2,
      reminder: {
        acknowledge: { amount: 2, unit: 'working_hours' },
        acknowledgeMajor: { amount: 10, unit: 'minutes' },
      },
      warrantyNoticeLead: { amount: 2, unit: 'months' },
    });
    expect(resolveSlaPolicy({})).toEqual(defaultSlaPolicy);
    expect(Object.isFrozen(defaultSlaPolicy.repair.siteSurvey)).toBe(true);
  });

  it('takes a figure from the SLA_POLICY JSON and keeps the rest', () => {
    const policy = resolveSlaPolicy(
      fromEnv('{"repair":{"siteSurvey":{"amount":3}},"minor":{"firstFeedback":{"amount":1,"unit":"working_days"}}}'),
    );
    expect(policy.repair.siteSurvey).toEqual({ amount: 3, unit: 'working_days' });
    expect(policy.minor.firstFeedback).toEqual({ amount: 1, unit: 'working_days' });
    expect(policy.repair.engineerContact).toEqual(defaultSlaPolicy.repair.engineerContact);
    expect(policy.departmentPlan).toEqual(defaultSlaPolicy.departmentPlan);
    expect(defaultSlaPolicy.repair.siteSurvey.amount).toBe(2);
  });

  it('lists every bad key of an override at once', () => {
    const bad = {
      repair: { siteSurvey: { unit: 'weeks' }, inspectionNotice: { amount: 1.5 } },
      major: { reportToHeadd: { amount: 5, unit: 'minutes' } },
      maxReplyDateMoves: 3,
      departmentPlan: { amount: -1 },
    };
    let error: unknown;
    try {
      resolveSlaPolicy(bad);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SlaPolicyError);
    const problems = (error as SlaPolicyError).problems;
    expect(problems).toHaveLength(5);
    for (const key of [
      'repair.siteSurvey.unit',
      'repair.inspectionNotice.amount',
      'major.reportToHeadd: unknown key',
      'maxReplyDateMoves',
      'departmentPlan.amount',
    ]) {
      expect((error as Error).message).toContain(key);
    }
  });
});

describe('warrantyNoticeLead', () => {
  it('is the default lead of new catalogue items, so it must be whole months (warranty_items.months_ahead)', () => {
    expect(resolveSlaPolicy({ warrantyNoticeLead: { amount: 3 } }).warrantyNoticeLead).toEqual({
      amount: 3,
      unit: 'months',
    });
    expect(() => resolveSlaPolicy({ warrantyNoticeLead: { amount: 60, unit: 'days' } })).toThrow(
      'warrantyNoticeLead.unit: must be months: catalogue items hold months_ahead in months',
    );
    expect(() => resolveSlaPolicy({ warrantyNoticeLead: { amount: 25 } })).toThrow('warrantyNoticeLead.amount');
  });
});

describe('deadlines', () => {
  it('computes each unit against the calendar', () => {
    const start = sh('2026-09-30 17:30');
    expect(iso(computeDeadline(calendar, start, { amount: 10, unit: 'minutes' }))).toBe('2026-09-30T09:40:00.000Z');
    expect(iso(computeDeadline(calendar, start, { amount: 24, unit: 'hours' }))).toBe('2026-10-01T09:30:00.000Z');
    expect(iso(computeDeadline(calendar, start, { amount: 2, unit: 'working_hours' }))).toBe(
      '2026-10-08T02:30:00.000Z',
    );
    expect(iso(computeDeadline(calendar, start, { amount: 2, unit: 'days' }))).toBe('2026-10-08T10:00:00.000Z');
    expect(iso(computeDeadline(calendar, start, { amount: 1, unit: 'working_days' }))).toBe('2026-10-08T10:00:00.000Z');
  });

  it('schedules a repair site survey across National Day', () => {
    const d = initialDeadlines(calendar, defaultSlaPolicy, {
      type: 'repair',
      severity: 'minor',
      receivedAt: sh('2026-09-30 14:00'),
    });
    expect(d.siteSurvey).toEqual({ at: new Date('2026-10-09T10:00:00Z'), provisional: false });
    expect(iso(d.engineerContact)).toBe('2026-10-01T06:00:00.000Z');
    expect(d.firstReplyRule).toBe('repair.engineerContact');
    expect(d.firstReply).toEqual(d.engineerContact);
  });

  it('promises a minor complaint the 24 h first feedback', () => {
    const d = initialDeadlines(calendar, defaultSlaPolicy, {
      type: 'complaint',
      severity: 'minor',
      receivedAt: sh('2026-03-02 10:00'),
    });
    expect(d.firstReplyRule).toBe('minor.firstFeedback');
    expect(iso(d.firstReply)).toBe('2026-03-03T02:00:00.000Z');
    expect(iso(d.departmentAnalysis)).toBe('2026-03-02T03:00:00.000Z');
    expect(iso(d.departmentPlan)).toBe('2026-03-04T10:00:00.000Z');
    expect(d.reportToHead).toBeUndefined();
    expect(d.engineerContact).toBeUndefined();
  });

  it('gives a major complaint the head report and the 12 h solution as its promise', () => {
    const d = initialDeadlines(calendar, defaultSlaPolicy, {
      type: 'complaint',
      severity: 'major',
      receivedAt: sh('2026-03-02 10:00'),
    });
    expect(iso(d.reportToHead)).toBe('2026-03-02T02:10:00.000Z');
    expect(iso(d.solution)).toBe('2026-03-02T14:00:00.000Z');
    expect(d.firstReplyRule).toBe('major.solution');
    expect(d.firstReply).toEqual(d.solution);
  });

  it('promises enquiries the department reply, and never promises later than the plan', () => {
    const enquiry = initialDeadlines(calendar, defaultSlaPolicy, {
      type: 'enquiry',
      severity: 'minor',
      receivedAt: sh('2026-09-30 14:00'),
    });
    expect(enquiry.firstReplyRule).toBe('departmentPlan');
    expect(iso(enquiry.firstReply)).toBe('2026-10-09T10:00:00.000Z');
    const slow = resolveSlaPolicy({ minor: { firstFeedback: { amount: 5, unit: 'working_days' } } });
    const complaint = initialDeadlines(calendar, slow, {
      type: 'complaint',
      severity: 'minor',
      receivedAt: sh('2026-03-02 10:00'),
    });
    expect(complaint.firstReplyRule).toBe('departmentPlan');
  });

  it('flags deadlines that reach into years the holiday data does not cover', () => {
    const d = initialDeadlines(calendar, defaultSlaPolicy, {
      type: 'repair',
      severity: 'minor',
      receivedAt: sh('2026-12-30 10:00'),
    });
    expect(d.siteSurvey?.provisional).toBe(true);
    expect(d.engineerContact?.provisional).toBe(false);
  });

  it('counts the warranty notice back in calendar months', () => {
    expect(warrantyNoticeDay('2028-06-30', defaultSlaPolicy.warrantyNoticeLead)).toBe('2028-04-30');
    expect(warrantyNoticeDay('2028-04-30', { amount: 2, unit: 'months' })).toBe('2028-02-29');
    expect(warrantyNoticeDay('2028-04-30', { amount: 30, unit: 'days' })).toBe('2028-03-31');
  });
});
