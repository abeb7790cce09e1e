import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { CaseCategory, CaseStatus, CaseType, CaseValidity } from '@kefu/shared';
import {
  createTestDatabase,
  factories,
  startTestApp,
  testConfig,
  tokenFor,
  type TestDatabase,
} from '@kefu/shared/testing';
import { intakeApp } from '../intake.app';

describe('reports API (manager dashboard)', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let gm: string;
  const http = () => request(app.getHttpServer());
  const as = (token: string) => ({ Authorization: `Bearer ${token}` });
  let A: { id: string; code: string };
  let B: { id: string; code: string };

  interface Seed {
    project?: { id: string; code: string } | null;
    category: CaseCategory | null;
    type?: CaseType;
    validity: CaseValidity;
    status: CaseStatus;
    /** UTC instant */
    receivedAt: string;
    promised?: string;
    events?: Array<[kind: string, at: string, details?: Record<string, unknown>]>;
    /** return_visits rows, round 1, 2…: satisfied and the 1–5 rating. */
    visits?: Array<[satisfied: boolean, rating: number]>;
  }
  const seed = async (s: Seed) => {
    const c = await factories.createCase(db.dataSource, {
      projectId: s.project?.id ?? null,
      projectCode: s.project?.code ?? null,
      category: s.category,
      type: s.type ?? 'complaint',
      validity: s.validity,
      status: s.status,
      receivedAt: new Date(s.receivedAt),
      promisedReplyAt: s.promised ? new Date(s.promised) : null,
      closedAt: s.status === 'closed' ? new Date(s.receivedAt) : null,
    });
    for (const [kind, at, details] of s.events ?? []) {
      await db.dataSource.query(
        `INSERT INTO case_events (case_id, kind, actor_id, actor_label, occurred_at, details) VALUES ($1, $2, NULL, '测试', $3, $4)`,
        [c.id, kind, at, details ?? {}],
      );
    }
    for (const [i, [satisfied, rating]] of (s.visits ?? []).entries()) {
      await db.dataSource.query(
        `INSERT INTO return_visits (case_id, round, via, satisfied, rating) VALUES ($1, $2, 'phone', $3, $4)`,
        [c.id, i + 1, satisfied, rating],
      );
    }
    return c;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(intakeApp, testConfig({ DATABASE_URL: db.url }));
    gm = await tokenFor(app, 'gm');
    A = await factories.createProject(db.dataSource, { code: 'PA', name: '阳光花园' });
    B = await factories.createProject(db.dataSource, { code: 'PB', name: '翠湖苑' });
    const past = '2020-01-01T00:00:00Z';
    const future = '2099-01-01T00:00:00Z';

    // March 2026 (Asia/Shanghai): [2026-02-28T16:00Z, 2026-03-31T16:00Z)
    // 1: received 00:30 on 1 March Beijing time (still 28 Feb UTC); replied before the promise; closed.
    await seed({
      project: A,
      category: 'engineering_quality',
      validity: 'valid',
      status: 'closed',
      receivedAt: '2026-02-28T16:30:00Z',
      promised: '2026-03-03T10:00:00Z',
      events: [
        ['accept', '2026-02-28T17:00:00Z'],
        ['reply', '2026-03-02T10:00:00Z'],
        ['resolve', '2026-03-04T10:00:00Z'],
        ['return_visit', '2026-03-05T10:00:00Z'],
        ['close', '2026-03-05T11:00:00Z'],
      ],
      // Unsatisfied the first time, satisfied after the second round: the latest answer counts.
      visits: [
        [false, 2],
        [true, 5],
      ],
    });
    // 2: a repair, first reply a day after the promise; return-visited.
    await seed({
      project: A,
      category: 'engineering_quality',
      type: 'repair',
      validity: 'valid',
      status: 'return_visited',
      receivedAt: '2026-03-10T02:00:00Z',
      promised: '2026-03-11T02:00:00Z',
      events: [
        ['accept', '2026-03-10T03:00:00Z'],
        ['reply', '2026-03-12T02:00:00Z'],
        ['reply', '2026-03-13T01:00:00Z'],
        ['resolve', '2026-03-13T02:00:00Z'],
        ['return_visit', '2026-03-14T02:00:00Z'],
      ],
      visits: [[true, 4]],
    });
    // 3: replied after the promise, and only then the date was moved: still late (judged against the date in force at the reply).
    await seed({
      project: B,
      category: 'property_management',
      validity: 'valid',
      status: 'resolved',
      receivedAt: '2026-03-15T01:00:00Z',
      promised: '2026-03-20T00:00:00Z',
      events: [
        ['accept', '2026-03-15T02:00:00Z'],
        ['reply', '2026-03-16T05:00:00Z'],
        [
          'reply_date_moved',
          '2026-03-17T00:00:00Z',
          { from: '2026-03-16T00:00:00.000Z', to: '2026-03-20T00:00:00.000Z' },
        ],
        ['resolve', '2026-03-18T00:00:00Z'],
      ],
      // Resolved again after an unsatisfied answer: that answer is still the latest.
      visits: [[false, 2]],
    });
    // 4: a claim whose date was moved (with agreement) before the reply: on time against the moved date.
    await seed({
      project: B,
      category: 'property_management',
      type: 'claim',
      validity: 'valid',
      status: 'replied',
      receivedAt: '2026-03-20T01:00:00Z',
      promised: '2026-03-25T00:00:00Z',
      events: [
        ['accept', '2026-03-20T02:00:00Z'],
        [
          'reply_date_moved',
          '2026-03-20T12:00:00Z',
          { from: '2026-03-21T00:00:00.000Z', to: '2026-03-25T00:00:00.000Z' },
        ],
        ['reply', '2026-03-24T00:00:00Z'],
      ],
    });
    // 5: 23:59 on 31 March Beijing time: March. Accepted, not answered, promise passed → overdue.
    await seed({
      project: A,
      category: 'sales',
      validity: 'valid',
      status: 'accepted',
      receivedAt: '2026-03-31T15:59:00Z',
      promised: past,
      events: [['accept', '2026-03-31T15:59:30Z']],
    });
    // 6: 00:10 on 1 April Beijing time: April, not March.
    await seed({
      project: A,
      category: 'sales',
      validity: 'valid',
      status: 'accepted',
      receivedAt: '2026-03-31T16:10:00Z',
      promised: past,
      events: [['accept', '2026-03-31T16:20:00Z']],
    });
    // Not valid complaints of March: an enquiry, an invalid complaint, one still pending.
    await seed({
      project: A,
      category: 'engineering_quality',
      type: 'enquiry',
      validity: 'valid',
      status: 'closed',
      receivedAt: '2026-03-05T01:00:00Z',
      events: [['accept', '2026-03-05T02:00:00Z']],
    });
    await seed({
      project: B,
      category: 'other',
      validity: 'invalid',
      status: 'rejected',
      receivedAt: '2026-03-06T01:00:00Z',
      events: [['reject', '2026-03-06T02:00:00Z']],
    });
    await seed({
      project: null,
      category: null,
      validity: 'pending',
      status: 'new',
      receivedAt: '2026-03-07T01:00:00Z',
      promised: future,
    });
    // Earlier months: February closed; October 2025 still open and overdue; September 2025 outside the 6 months.
    await seed({
      project: A,
      category: 'engineering_quality',
      validity: 'valid',
      status: 'closed',
      receivedAt: '2026-02-10T01:00:00Z',
    });
    await seed({
      project: A,
      category: 'engineering_quality',
      validity: 'valid',
      status: 'accepted',
      receivedAt: '2025-10-05T01:00:00Z',
      promised: past,
    });
    await seed({
      project: B,
      category: 'sales',
      validity: 'valid',
      status: 'closed',
      receivedAt: '2025-09-05T01:00:00Z',
    });
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it("gives the month's valid complaints, closure, on-time reply and return-visit rates, by category and estate, with 6 months of trend", async () => {
    const res = await http().get('/api/v1/reports/monthly').query({ month: '2026-03' }).set(as(gm)).expect(200);
    const b = res.body;
    expect(b).toMatchObject({ month: '2026-03', timeZone: 'Asia/Shanghai', projectId: null });
    expect(b.totals).toEqual({
      validComplaints: 5,
      closed: 1,
      closureRate: 0.2,
      replied: 4,
      repliedOnTime: 2,
      onTimeReplyRate: 0.5,
      finished: 3,
      returnVisited: 2,
      returnVisitRate: 2 / 3,
      visitAnswered: 3,
      satisfied: 2,
      satisfactionRate: 2 / 3,
    });
    expect(b.byCategory).toEqual([
      {
        category: 'engineering_quality',
        validComplaints: 2,
        closed: 1,
        closureRate: 0.5,
        replied: 2,
        repliedOnTime: 1,
        onTimeReplyRate: 0.5,
        finished: 2,
        returnVisited: 2,
        returnVisitRate: 1,
        visitAnswered: 2,
        satisfied: 2,
        satisfactionRate: 1,
      },
      {
        category: 'property_management',
        validComplaints: 2,
        closed: 0,
        closureRate: 0,
        replied: 2,
        repliedOnTime: 1,
        onTimeReplyRate: 0.5,
        finished: 1,
        returnVisited: 0,
        returnVisitRate: 0,
        visitAnswered: 1,
        satisfied: 0,
        satisfactionRate: 0,
      },
      {
        category: 'sales',
        validComplaints: 1,
        closed: 0,
        closureRate: 0,
        replied: 0,
        repliedOnTime: 0,
        onTimeReplyRate: null,
        finished: 0,
        returnVisited: 0,
        returnVisitRate: null,
        visitAnswered: 0,
        satisfied: 0,
        satisfactionRate: null,
      },
    ]);
    expect(b.byEstate).toEqual([
      {
        projectId: A.id,
        projectCode: 'PA',
        projectName: '阳光花园',
        validComplaints: 3,
        closed: 1,
        closureRate: 1 / 3,
        replied: 2,
        repliedOnTime: 1,
        onTimeReplyRate: 0.5,
        finished: 2,
        returnVisited: 2,
        returnVisitRate: 1,
        visitAnswered: 2,
        satisfied: 2,
        satisfactionRate: 1,
      },
      {
        projectId: B.id,
        projectCode: 'PB',
        projectName: '翠湖苑',
        validComplaints: 2,
        closed: 0,
        closureRate: 0,
        replied: 2,
        repliedOnTime: 1,
        onTimeReplyRate: 0.5,
        finished: 1,
        returnVisited: 0,
        returnVisitRate: 0,
        visitAnswered: 1,
        satisfied: 0,
        satisfactionRate: 0,
      },
    ]);
    const trend = b.trend as Array<{
      month: string;
      validComplaints: number;
      closureRate: number | null;
      onTimeReplyRate: number | null;
    }>;
    expect(trend.map((m) => [m.month, m.validComplaints, m.closureRate])).toEqual([
      ['2025-10', 1, 0],
      ['2025-11', 0, null],
      ['2025-12', 0, null],
      ['2026-01', 0, null],
      ['2026-02', 1, 1],
      ['2026-03', 5, 0.2],
    ]);
    expect(trend[5]).toEqual({ month: '2026-03', ...b.totals });
  });

  it('puts a case received just after midnight Beijing time into the new month, and filters by estate', async () => {
    const april = await http().get('/api/v1/reports/monthly?month=2026-04').set(as(gm)).expect(200);
    expect(april.body.totals).toMatchObject({ validComplaints: 1, closed: 0, closureRate: 0 });
    expect(april.body.trend.map((m: { month: string }) => m.month)).toEqual([
      '2025-11',
      '2025-12',
      '2026-01',
      '2026-02',
      '2026-03',
      '2026-04',
    ]);
    const onlyB = await http()
      .get('/api/v1/reports/monthly')
      .query({ month: '2026-03', projectId: B.id })
      .set(as(gm))
      .expect(200);
    expect(onlyB.body.totals).toMatchObject({
      validComplaints: 2,
      closed: 0,
      replied: 2,
      repliedOnTime: 1,
      finished: 1,
      returnVisited: 0,
    });
    expect(onlyB.body.byEstate).toHaveLength(1);
    const january = await http().get('/api/v1/reports/monthly?month=2026-01').set(as(gm)).expect(200);
    expect(january.body.totals).toEqual({
      validComplaints: 0,
      closed: 0,
      closureRate: null,
      replied: 0,
      repliedOnTime: 0,
      onTimeReplyRate: null,
      finished: 0,
      returnVisited: 0,
      returnVisitRate: null,
      visitAnswered: 0,
      satisfied: 0,
      satisfactionRate: null,
    });
    expect(january.body.byCategory).toEqual([]);
  });

  it('counts open and overdue cases (promise passed, not yet answered) by category and estate', async () => {
    const res = await http().get('/api/v1/reports/open-cases').set(as(gm)).expect(200);
    expect(res.body.totals).toEqual({ open: 7, overdue: 3 });
    expect(res.body.byCategory).toEqual(
      expect.arrayContaining([
        { category: 'engineering_quality', open: 2, overdue: 1 },
        { category: 'property_management', open: 2, overdue: 0 },
        { category: 'sales', open: 2, overdue: 2 },
        { category: null, open: 1, overdue: 0 },
      ]),
    );
    expect(res.body.byCategory).toHaveLength(4);
    expect(res.body.byEstate).toEqual([
      { projectId: A.id, projectCode: 'PA', projectName: '阳光花园', open: 4, overdue: 3 },
      { projectId: B.id, projectCode: 'PB', projectName: '翠湖苑', open: 2, overdue: 0 },
      { projectId: null, projectCode: null, projectName: null, open: 1, overdue: 0 },
    ]);
    const onlyA = await http().get('/api/v1/reports/open-cases').query({ projectId: A.id }).set(as(gm)).expect(200);
    expect(onlyA.body.totals).toEqual({ open: 4, overdue: 3 });
    // The queue's overdue filter agrees.
    const queue = await http().get('/api/v1/cases').query({ overdue: 'true' }).set(as(gm)).expect(200);
    expect(queue.body.total).toBe(3);
  });

  it('is for managers only: operators and reps get 403, department managers, vice GMs and admins get in', async () => {
    for (const role of ['operator', 'cs_rep'] as const) {
      const token = await tokenFor(app, role);
      const res = await http().get('/api/v1/reports/monthly?month=2026-03').set(as(token)).expect(403);
      expect(res.body.error.code).toBe('forbidden');
      await http().get('/api/v1/reports/open-cases').set(as(token)).expect(403);
    }
    for (const role of ['dept_manager', 'vice_gm', 'admin'] as const) {
      await http()
        .get('/api/v1/reports/open-cases')
        .set(as(await tokenFor(app, role)))
        .expect(200);
    }
    await http().get('/api/v1/reports/open-cases').expect(401);
  });

  it('refuses a bad month or estate with 400 naming the field', async () => {
    for (const month of ['2026-13', '2026-3', 'march', '2026-03-01']) {
      const res = await http().get('/api/v1/reports/monthly').query({ month }).set(as(gm)).expect(400);
      expect(res.body.error.details.fields.map((f: { field: string }) => f.field)).toEqual(['month']);
    }
    const res = await http().get('/api/v1/reports/open-cases?projectId=nope').set(as(gm)).expect(400);
    expect(res.body.error.details.fields[0].field).toBe('projectId');
  });

  it('defaults to the current month in Beijing time', async () => {
    const res = await http().get('/api/v1/reports/monthly').set(as(gm)).expect(200);
    const now = new Intl.DateTimeFormat('en-CA', {
      timeZone: 'Asia/Shanghai',
      year: 'numeric',
      month: '2-digit',
    }).format(new Date());
    expect(res.body.month).toBe(now.slice(0, 7));
  });
});
