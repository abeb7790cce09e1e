import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import {
  AuthService,
  JobRouter,
  notificationVariables,
  type CaseEntity,
  type FakeClock,
  type NotificationKind,
  type StaffEntity,
} from '@kefu/shared';
import {
  createTestDatabase,
  factories,
  startTestApp,
  testConfig,
  useFakeClock,
  type TestDatabase,
} from '@kefu/shared/testing';
import { SchedulerWorker } from '../jobs/scheduler.worker';
import { schedulerApp } from '../scheduler.app';
import { ReminderQueryService } from './reminder-query.service';
import { ReminderService } from './reminder.service';

const sh = (local: string): Date => new Date(`${local.replace(' ', 'T')}:00+08:00`);

interface Row {
  key: string;
  kind: NotificationKind;
  channel: string;
  staffId: string;
  late: boolean;
  status: string;
  variables: Record<string, unknown>;
}

describe('deadline reminders', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let clock: FakeClock;
  let reminders: ReminderService;
  let gm: StaffEntity,
    vicegm: StaffEntity,
    manager: StaffEntity,
    rep: StaffEntity,
    emailOnly: StaffEntity,
    otherRep: StaffEntity;
  let departmentId: string;
  const tokens = new Map<string, string>();

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(
      schedulerApp,
      testConfig({ DATABASE_URL: db.url, SCHEDULER_PUBLIC_URL: 'https://kefu.example.com/scheduler' }),
    );
    // The background clock ticks would race the test's own scans; the tests drive every scan themselves.
    await app.get(SchedulerWorker).worker.pause();
    clock = useFakeClock(app, '2026-10-12T09:00:00+08:00');
    reminders = app.get(ReminderService);
    const ds = db.dataSource;
    departmentId = (await factories.createDepartment(ds, { code: 'ENG', name: '工程部' })).id;
    gm = await factories.createStaff(ds, { role: 'gm', name: '总经理' });
    vicegm = await factories.createStaff(ds, { role: 'vice_gm', name: '副总', reportsToId: gm.id });
    manager = await factories.createStaff(ds, {
      role: 'dept_manager',
      name: '工程部经理',
      departmentId,
      reportsToId: vicegm.id,
    });
    rep = await factories.createStaff(ds, { role: 'cs_rep', name: '王工', departmentId, reportsToId: manager.id });
    emailOnly = await factories.createStaff(ds, {
      role: 'cs_rep',
      name: '只有邮箱',
      departmentId,
      mobile: null,
      reportsToId: manager.id,
    });
    otherRep = await factories.createStaff(ds, { role: 'cs_rep', name: '旁人', mobile: null });
    for (const s of [gm, vicegm, manager, rep, emailOnly, otherRep])
      tokens.set(s.id, (await app.get(AuthService).issue({ id: s.id, role: s.role, name: s.name })).accessToken);
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  const http = () => request(app.getHttpServer());
  const as = (s: StaffEntity) => ({ Authorization: `Bearer ${tokens.get(s.id)}` });
  const newCase = async (o: Partial<CaseEntity>): Promise<CaseEntity> => {
    const c = await factories.createCase(db.dataSource, {
      type: 'complaint',
      severity: 'minor',
      status: 'assigned',
      assigneeId: rep.id,
      departmentId,
      ...o,
    });
    await app.get(JobRouter).dispatch({ name: 'case-received', data: { caseId: c.id } } as never);
    return c;
  };
  const sentFor = (caseId: string) =>
    db.dataSource.query<Row[]>(
      `SELECT idempotency_key AS key, kind, channel, staff_id AS "staffId", late, status, variables FROM notifications WHERE case_id = $1 ORDER BY created_at, idempotency_key`,
      [caseId],
    );
  const remindersOf = (caseId: string) =>
    db.dataSource.query<
      Array<{
        id: string;
        step: string;
        kind: string;
        level: number;
        sendAt: Date;
        sentAt: Date | null;
        cancelledAt: Date | null;
        late: boolean;
        recipient: string | null;
        ackDueAt: Date | null;
      }>
    >(
      `SELECT r.id, d.step, r.kind, r.level, r.send_at AS "sendAt", r.sent_at AS "sentAt", r.cancelled_at AS "cancelledAt", r.late, r.recipient_staff_id AS recipient, r.ack_due_at AS "ackDueAt"
       FROM reminders r JOIN case_deadlines d ON d.id = r.deadline_id WHERE r.case_id = $1 ORDER BY r.send_at, d.step, r.kind, r.level`,
      [caseId],
    );
  const deadlinesOf = (caseId: string) =>
    db.dataSource.query<Array<{ step: string; round: number; dueAt: Date; state: string }>>(
      `SELECT step, round, due_at AS "dueAt", state FROM case_deadlines WHERE case_id = $1 ORDER BY due_at, step`,
      [caseId],
    );
  const scanAt = async (local: string) => {
    clock.set(sh(local));
    return reminders.scan();
  };

  it("plans a case's deadlines from the SLA policy on case-received, once however often the job runs", async () => {
    const c = await newCase({ severity: 'major', status: 'new', assigneeId: null, receivedAt: sh('2026-10-12 10:00') });
    await app.get(JobRouter).dispatch({ name: 'case-received', data: { caseId: c.id } } as never);
    expect(await reminders.planCase(c.id)).toBe(0);
    const d = await deadlinesOf(c.id);
    expect(d.map((x) => [x.step, x.dueAt.toISOString()])).toEqual([
      ['reportToHead', '2026-10-12T02:10:00.000Z'],
      ['firstReply', '2026-10-12T14:00:00.000Z'], // the 12 h solution is the promise; not planned twice as "solution"
      ['departmentPlan', '2026-10-14T10:00:00.000Z'],
    ]);
    const r = await remindersOf(c.id);
    // 004 篇2 §5.A: the head is told at once (the report), and again at the 10-minute deadline if not acknowledged.
    expect(r.filter((x) => x.step === 'reportToHead').map((x) => [x.kind, x.sendAt.toISOString()])).toEqual([
      ['before', '2026-10-12T02:00:00.000Z'],
      ['due', '2026-10-12T02:10:00.000Z'],
    ]);
    // 80 % of the working time of 10:00 → 22:00 (7 working hours): 16:36.
    expect(r.find((x) => x.step === 'firstReply' && x.kind === 'before')?.sendAt.toISOString()).toBe(
      '2026-10-12T08:36:00.000Z',
    );
    expect(r).toHaveLength(6);
    // The report goes to the department's head.
    await scanAt('2026-10-12 10:00');
    const sent = await sentFor(c.id);
    expect(sent.map((s) => [s.kind, s.staffId, s.channel, s.variables.step])).toEqual([
      ['staff_reminder', manager.id, 'email', 'reportToHead'],
      ['staff_reminder', manager.id, 'sms', 'reportToHead'],
    ]);
    // Accepting the case is not the report: only the head's acknowledgement is.
    await db.dataSource.query(`UPDATE cases SET status = 'accepted' WHERE id = $1`, [c.id]);
    await scanAt('2026-10-12 10:05');
    expect((await deadlinesOf(c.id)).find((x) => x.step === 'reportToHead')?.state).toBe('open');
    const report = (await remindersOf(c.id)).find((x) => x.step === 'reportToHead' && x.kind === 'before')!;
    await http().post(`/api/v1/reminders/${report.id}/ack`).set(as(manager)).expect(200);
    await scanAt('2026-10-12 10:11');
    expect(await sentFor(c.id)).toHaveLength(2);
    expect((await deadlinesOf(c.id)).find((x) => x.step === 'reportToHead')?.state).toBe('met');

    // First seen after its reply date was already moved once: the moved date and every other step.
    const moved = await newCase({
      receivedAt: sh('2026-10-12 10:00'),
      promisedReplyAt: sh('2026-10-14 12:00'),
      replyDateMoves: 1,
    });
    expect((await deadlinesOf(moved.id)).map((x) => [x.step, x.round])).toEqual([
      ['departmentAnalysis', 0],
      ['firstReply', 1],
      ['departmentPlan', 0],
    ]);
  });

  it("reminds the assignee by email and SMS with a signed link, per the notifier's variable contract", async () => {
    const c = await newCase({ receivedAt: sh('2026-10-12 09:00') });
    const c2 = await newCase({ receivedAt: sh('2026-10-12 09:00'), assigneeId: emailOnly.id });
    // Planned before anyone answered for the case: the sender records who does when it reminds them.
    await db.dataSource.query(`UPDATE case_deadlines SET responsible_staff_id = NULL WHERE case_id = ANY($1::uuid[])`, [
      [c.id, c2.id],
    ]);
    await scanAt('2026-10-12 09:49'); // departmentAnalysis (1 h): before at 09:48
    const responsible = await db.dataSource.query<Array<{ case_id: string; responsible_staff_id: string | null }>>(
      `SELECT case_id, responsible_staff_id FROM case_deadlines WHERE step = 'departmentAnalysis' AND case_id = ANY($1::uuid[])`,
      [[c.id, c2.id]],
    );
    expect(Object.fromEntries(responsible.map((d) => [d.case_id, d.responsible_staff_id]))).toEqual({
      [c.id]: rep.id,
      [c2.id]: emailOnly.id,
    });
    const rows = await sentFor(c.id);
    const [first] = await remindersOf(c.id);
    expect(rows.map((r) => r.key)).toEqual([`reminder:${first!.id}:email`, `reminder:${first!.id}:sms`]);
    for (const r of rows) {
      expect(() => notificationVariables[r.kind].parse(r.variables)).not.toThrow();
      expect(r).toMatchObject({
        staffId: rep.id,
        late: false,
        variables: { step: 'departmentAnalysis', overdue: false, dueAt: '2026-10-12T02:00:00.000Z' },
      });
      expect(r.variables.ackUrl).toMatch(/^https:\/\/kefu\.example\.com\/scheduler\/ack\/[\w-]+\.[\w-]{43}$/);
    }
    expect((await sentFor(c2.id)).map((r) => r.channel)).toEqual(['email']);

    // In the reminder list, until acknowledged.
    const mine = await http().get('/api/v1/reminders?state=unacknowledged').set(as(rep)).expect(200);
    expect(mine.body.map((r: { id: string }) => r.id)).toContain(first!.id);
    expect(mine.body.find((r: { id: string }) => r.id === first!.id)).toMatchObject({
      caseNumber: c.number,
      stepLabel: expect.any(String),
      recipient: { id: rep.id },
    });
    const team = await http().get('/api/v1/reminders?scope=team').set(as(manager)).expect(200);
    expect(team.body.map((r: { id: string }) => r.id)).toContain(first!.id);
    await http().get('/api/v1/reminders?scope=team').set(as(rep)).expect(403);
    const bad = await http().get('/api/v1/reminders?state=soon').set(as(rep)).expect(400);
    expect(bad.body.error.details.fields[0].field).toBe('state');

    // Acknowledge: not by a bystander; by the recipient once.
    await http().post(`/api/v1/reminders/${first!.id}/ack`).set(as(otherRep)).expect(403);
    await http().post(`/api/v1/reminders/${first!.id}/ack`).set(as(rep)).expect(200);
    const again = await http().post(`/api/v1/reminders/${first!.id}/ack`).set(as(rep)).expect(409);
    expect(again.body.error.code).toBe('conflict');
    // Messages not yet sent about an acknowledged reminder are withdrawn.
    expect((await sentFor(c.id)).map((r) => r.status)).toEqual(['cancelled', 'cancelled']);
    // Someone above the recipient may acknowledge for them.
    const [r2] = await remindersOf(c2.id);
    await http().post(`/api/v1/reminders/${r2!.id}/ack`).set(as(vicegm)).expect(200);
    const acked = await http().get('/api/v1/reminders?state=acknowledged').set(as(emailOnly)).expect(200);
    expect(acked.body.map((r: { id: string }) => r.id)).toEqual([r2!.id]);
  });

  it('acknowledges from the signed link once, by its button; expired, reused and forged links get a clear page', async () => {
    const c = await newCase({ receivedAt: sh('2026-10-13 09:00') });
    await scanAt('2026-10-13 09:49');
    const [r] = await remindersOf(c.id);
    const url = new URL((await sentFor(c.id))[0]!.variables.ackUrl as string);
    const path = url.pathname.replace('/scheduler', '');
    const acked = async () =>
      (
        await db.dataSource.query<Array<{ acknowledged_at: Date | null }>>(
          `SELECT acknowledged_at FROM reminders WHERE id = $1`,
          [r!.id],
        )
      )[0]!.acknowledged_at;

    // Opening the link (a mail scanner, a chat preview, the person) acknowledges nothing: it asks (issue 16, 3).
    for (let i = 0; i < 2; i++) {
      const page = await http().get(path).expect(200);
      expect(page.headers['content-type']).toMatch(/text\/html/);
      expect(page.text).toContain(c.number);
      expect(page.text).toMatch(/<form method="post"><button type="submit">确认收到<\/button><\/form>/);
      expect(page.headers['content-security-policy']).toContain("form-action 'self'");
    }
    expect(await acked()).toBeNull();

    const ok = await http().post(path).expect(200);
    expect(ok.headers['content-type']).toMatch(/text\/html/);
    expect(ok.text).toContain('已确认');
    const [row] = await db.dataSource.query(
      `SELECT acknowledged_at, acknowledged_by_id, acknowledged_via FROM reminders WHERE id = $1`,
      [r!.id],
    );
    expect(row).toMatchObject({ acknowledged_by_id: rep.id, acknowledged_via: 'link' });

    const reused = await http().post(path).expect(409);
    expect(reused.text).toContain('只能使用一次');
    expect((await http().get(path).expect(409)).text).toContain('只能使用一次');

    const [body, mac] = path.replace('/ack/', '').split('.');
    const forgedMac = `${mac!.slice(0, -2)}${mac!.endsWith('AA') ? 'BB' : 'AA'}`;
    for (const forged of [
      `/ack/${body}.${forgedMac}`,
      '/ack/not-a-token',
      `/ack/${Buffer.from(`${r!.id}.9999999999`).toString('base64url')}.${mac}`,
    ]) {
      const res = await http().post(forged).expect(400);
      expect(res.text).toContain('链接无效');
      expect((await http().get(forged).expect(400)).text).toContain('链接无效');
      expect(res.text).not.toMatch(/at \w+ \(|Error/);
    }

    const c2 = await newCase({ receivedAt: sh('2026-10-13 09:00') });
    await scanAt('2026-10-13 09:50');
    const path2 = new URL((await sentFor(c2.id))[0]!.variables.ackUrl as string).pathname.replace('/scheduler', '');
    clock.set(sh('2026-10-16 09:51')); // 72 h later
    const expired = await http().post(path2).expect(410);
    expect(expired.text).toContain('链接已过期');
    const [still] = await remindersOf(c2.id);
    expect(
      (await db.dataSource.query(`SELECT acknowledged_at FROM reminders WHERE id = $1`, [still!.id]))[0]
        .acknowledged_at,
    ).toBeNull();
  });

  it("escalates a major complaint's unacknowledged reminder every 10 minutes up the chain; a missed deadline raises it further", async () => {
    const c = await newCase({ severity: 'major', receivedAt: sh('2026-10-19 10:00') });
    await scanAt('2026-10-19 10:00'); // the head takes note of the report (its own chain is tested below)
    const report = (await remindersOf(c.id)).find((r) => r.step === 'reportToHead' && r.kind === 'before')!;
    await http().post(`/api/v1/reminders/${report.id}/ack`).set(as(manager)).expect(200);
    await scanAt('2026-10-19 16:36'); // the promise (22:00) at 80 %
    const before = (await remindersOf(c.id)).find((r) => r.step === 'firstReply' && r.kind === 'before')!;
    expect(before).toMatchObject({ recipient: rep.id });
    expect(before.ackDueAt?.toISOString()).toBe('2026-10-19T08:46:00.000Z');

    await scanAt('2026-10-19 16:45');
    const onReply = async () => (await sentFor(c.id)).filter((r) => r.variables.step === 'firstReply');
    expect((await onReply()).filter((r) => r.kind === 'escalation')).toHaveLength(0);
    await scanAt('2026-10-19 16:46');
    let esc = (await sentFor(c.id)).filter((r) => r.kind === 'escalation' && r.variables.step === 'firstReply');
    expect(esc.map((r) => [r.staffId, r.variables.level])).toEqual([
      [manager.id, 1],
      [manager.id, 1],
    ]);
    expect(() => notificationVariables.escalation.parse(esc[0]!.variables)).not.toThrow();
    expect(esc[0]!.variables).toMatchObject({ fromName: '王工', reason: '未在时限内确认提醒' });
    const [caseRow] = await db.dataSource.query(`SELECT escalation_level FROM cases WHERE id = $1`, [c.id]);
    expect(caseRow.escalation_level).toBe(1);

    await scanAt('2026-10-19 16:56');
    esc = (await onReply()).filter((r) => r.kind === 'escalation');
    expect(esc.map((r) => r.staffId)).toEqual([manager.id, manager.id, vicegm.id, vicegm.id]);
    const l2 = (await remindersOf(c.id)).find((r) => r.kind === 'escalation' && r.level === 2)!;
    await http().post(`/api/v1/reminders/${l2.id}/ack`).set(as(vicegm)).expect(200);
    await scanAt('2026-10-19 17:30');
    expect((await onReply()).filter((r) => r.kind === 'escalation')).toHaveLength(4);

    // 22:00: the promised reply is missed → the reminder says overdue, and the GM is told.
    await scanAt('2026-10-19 22:00');
    const all = await onReply();
    expect(
      all.filter((r) => r.kind === 'staff_reminder' && r.variables.overdue === true).map((r) => r.staffId),
    ).toEqual([rep.id, rep.id]);
    expect(all.filter((r) => r.kind === 'escalation' && r.variables.level === 3).map((r) => r.staffId)).toEqual([
      gm.id,
      gm.id,
    ]);
    expect((await deadlinesOf(c.id)).find((d) => d.step === 'firstReply')?.state).toBe('missed');
    const events = await db.dataSource.query(
      `SELECT details FROM case_events WHERE case_id = $1 AND kind = 'escalated' ORDER BY id`,
      [c.id],
    );
    expect(events.map((e: { details: { to: number } }) => e.details.to)).toEqual([1, 2, 3]);
  });

  it('escalates by role where reports_to is not set: department manager, then vice GM', async () => {
    const loner = await factories.createStaff(db.dataSource, {
      role: 'cs_rep',
      name: '无上级',
      departmentId,
      mobile: null,
    });
    const c = await newCase({ severity: 'major', receivedAt: sh('2026-10-27 10:00'), assigneeId: loner.id });
    await scanAt('2026-10-27 16:36');
    await scanAt('2026-10-27 16:46');
    await scanAt('2026-10-27 16:56');
    const esc = (await sentFor(c.id)).filter(
      (r) => r.kind === 'escalation' && r.channel === 'email' && r.variables.step === 'firstReply',
    );
    expect(esc.map((r) => [r.staffId, r.variables.level])).toEqual([
      [manager.id, 1],
      [vicegm.id, 2],
    ]);
  });

  it('sends the case straight to the GM after the second missed promised reply date', async () => {
    const c = await newCase({ receivedAt: sh('2026-10-20 09:00'), promisedReplyAt: sh('2026-10-21 09:00') });
    await db.dataSource.query(`UPDATE reminders SET acknowledged_at = now() WHERE case_id = $1`, [c.id]); // quiet: only the deadlines matter here
    await scanAt('2026-10-21 09:00');
    let esc = (await sentFor(c.id)).filter((r) => r.kind === 'escalation' && r.variables.step === 'firstReply');
    expect(esc.map((r) => [r.staffId, r.variables.level])).toEqual([
      [manager.id, 1],
      [manager.id, 1],
    ]);
    // The customer agrees to a new date (intake's workflow); the scheduler plans it and supersedes nothing missed.
    await db.dataSource.query(`UPDATE cases SET promised_reply_at = $2, reply_date_moves = 1 WHERE id = $1`, [
      c.id,
      sh('2026-10-22 12:00'),
    ]);
    await scanAt('2026-10-21 10:00');
    expect((await deadlinesOf(c.id)).filter((d) => d.step === 'firstReply').map((d) => [d.round, d.state])).toEqual([
      [0, 'missed'],
      [1, 'open'],
    ]);
    await db.dataSource.query(
      `UPDATE reminders SET acknowledged_at = now() WHERE case_id = $1 AND acknowledged_at IS NULL AND sent_at IS NOT NULL`,
      [c.id],
    );
    await scanAt('2026-10-22 12:00');
    esc = (await sentFor(c.id)).filter(
      (r) => r.kind === 'escalation' && r.variables.step === 'firstReply' && r.variables.level === 3,
    );
    expect(esc.map((r) => r.staffId)).toEqual([gm.id, gm.id]);
    expect(esc[0]!.variables.reason).toContain('第2次错过承诺答复日期');
  });

  it('stops as soon as the case moves past the step, withdraws waiting messages, and says nothing about a closed case', async () => {
    const c = await newCase({ receivedAt: sh('2026-10-26 09:00') });
    await scanAt('2026-10-26 09:48');
    expect((await sentFor(c.id)).map((r) => r.status)).toEqual(['pending', 'pending']);
    await db.dataSource.query(`UPDATE cases SET status = 'resolved' WHERE id = $1`, [c.id]); // past analysis (and the reply steps)
    await scanAt('2026-10-26 09:50');
    expect((await sentFor(c.id)).map((r) => r.status)).toEqual(['cancelled', 'cancelled']);
    await scanAt('2026-10-31 12:00');
    expect(await sentFor(c.id)).toHaveLength(2);
    expect((await remindersOf(c.id)).filter((r) => r.sentAt === null).every((r) => r.cancelledAt !== null)).toBe(true);

    const closed = await newCase({ receivedAt: sh('2026-10-26 09:00') });
    await db.dataSource.query(`UPDATE cases SET status = 'closed', closed_at = now() WHERE id = $1`, [closed.id]);
    await scanAt('2026-11-02 12:00');
    expect(await sentFor(closed.id)).toEqual([]);
  });

  it('never sends twice: two scans at once, and a scan killed midway then run again', async () => {
    const cases = await Promise.all(
      Array.from({ length: 6 }, () => newCase({ receivedAt: sh('2026-11-09 09:00'), assigneeId: emailOnly.id })),
    );
    await scanAt('2026-11-09 09:47'); // whatever else was due
    clock.set(sh('2026-11-09 09:48')); // each has its analysis reminder due
    const [a, b] = await Promise.all([reminders.scan({ batchSize: 2 }), reminders.scan({ batchSize: 2 })]);
    expect(a.sent + b.sent).toBe(6);
    for (const c of cases) expect((await sentFor(c.id)).map((r) => r.kind)).toEqual(['staff_reminder']);

    const more = await Promise.all(
      Array.from({ length: 5 }, () => newCase({ receivedAt: sh('2026-11-10 09:00'), assigneeId: emailOnly.id })),
    );
    await scanAt('2026-11-10 09:47');
    clock.set(sh('2026-11-10 09:48'));
    await expect(reminders.scan({ batchSize: 2, abortAfterRows: 3 })).rejects.toThrow('scan aborted');
    const afterCrash = await db.dataSource.query(
      `SELECT count(*)::int AS n FROM notifications WHERE case_id = ANY($1::uuid[])`,
      [more.map((c) => c.id)],
    );
    expect(afterCrash[0].n).toBeLessThan(5); // batches committed whole or rolled back whole
    await reminders.scan();
    for (const c of more) expect(await sentFor(c.id)).toHaveLength(1);
  });

  it('catches up once after three days of downtime, marked late', async () => {
    // Created while the scheduler was down: its case-received job never ran; the scan plans it.
    const c = await factories.createCase(db.dataSource, {
      type: 'complaint',
      severity: 'minor',
      status: 'assigned',
      assigneeId: emailOnly.id,
      departmentId,
      receivedAt: sh('2026-11-16 09:00'),
    });
    await scanAt('2026-11-19 09:30');
    const rows = await sentFor(c.id);
    // Every reminder that fell due in the gap goes once, late; escalations raised on return are not late.
    const sentReminders = (await remindersOf(c.id)).filter((r) => r.sentAt && r.kind !== 'escalation');
    expect(sentReminders.map((r) => r.kind).sort()).toEqual(['before', 'before', 'before', 'due', 'due', 'due']);
    expect(sentReminders.every((r) => r.late)).toBe(true);
    expect(rows.filter((r) => r.kind === 'staff_reminder').every((r) => r.late)).toBe(true);
    expect(new Set(rows.map((r) => r.key)).size).toBe(rows.length);
    await scanAt('2026-11-19 09:31');
    expect(await sentFor(c.id)).toHaveLength(rows.length);
  });

  it('counts working time across National Day and the make-up Saturday', async () => {
    // Repair received the afternoon before 国庆 2026 (10-01..07 off): the site survey is due the end of 10-09.
    const repair = await newCase({ type: 'repair', receivedAt: sh('2026-09-30 14:00') });
    const survey = (await remindersOf(repair.id)).filter((r) => r.step === 'siteSurvey');
    expect(survey.map((r) => [r.kind, r.sendAt.toISOString()])).toEqual([
      ['before', '2026-10-09T06:00:00.000Z'], // 80 % of 20 working hours → 10-09 14:00, not in the holiday
      ['due', '2026-10-09T10:00:00.000Z'],
    ]);
    await scanAt('2026-10-01 09:00');
    await db.dataSource.query(
      `UPDATE reminders SET acknowledged_at = now() WHERE case_id = $1 AND sent_at IS NOT NULL`,
      [repair.id],
    );
    await scanAt('2026-10-09 13:59');
    expect((await sentFor(repair.id)).filter((r) => r.variables.step === 'siteSurvey')).toHaveLength(0);
    await scanAt('2026-10-09 14:00');
    expect(
      (await sentFor(repair.id)).filter((r) => r.variables.step === 'siteSurvey' && r.variables.overdue === false),
    ).toHaveLength(2);

    // Complaint on Friday 10-09 at 17:00: Saturday 10-10 is a working day (调休), so the plan is due Monday 10-12.
    const complaint = await newCase({ receivedAt: sh('2026-10-09 17:00') });
    expect((await deadlinesOf(complaint.id)).find((d) => d.step === 'departmentPlan')?.dueAt.toISOString()).toBe(
      '2026-10-12T10:00:00.000Z',
    );
    const plan = (await remindersOf(complaint.id)).find((r) => r.step === 'departmentPlan' && r.kind === 'before')!;
    expect(plan.sendAt.toISOString()).toBe('2026-10-12T06:36:00.000Z'); // 80 % of 17 working hours (1 + Saturday's 8 + 8)
    // A reminder sent 17:48 on Friday: the 2 working hours to acknowledge run on into the make-up Saturday.
    await scanAt('2026-10-09 17:48');
    const analysis = (await remindersOf(complaint.id)).find(
      (r) => r.step === 'departmentAnalysis' && r.kind === 'before',
    )!;
    expect(analysis.ackDueAt?.toISOString()).toBe('2026-10-10T02:48:00.000Z');
  });

  it("sends each manager one daily digest of their team's overdue, due-today and unacknowledged items", async () => {
    const query = app.get(ReminderQueryService);
    await newCase({ receivedAt: sh('2026-11-23 09:00'), assigneeId: emailOnly.id });
    clock.set(sh('2026-11-24 08:00'));
    await reminders.scan();
    expect(await query.sendDigests()).toBe(0); // not before 08:30
    clock.set(sh('2026-11-24 08:31'));
    expect(await query.sendDigests()).toBeGreaterThan(0);
    expect(await query.sendDigests(true)).toBe(0);
    const digests = await db.dataSource.query<
      Array<{ key: string; staffId: string; variables: Record<string, unknown> }>
    >(
      `SELECT idempotency_key AS key, staff_id AS "staffId", variables FROM notifications WHERE kind = 'staff_digest' AND idempotency_key LIKE '%:2026-11-24'`,
    );
    const mine = digests.find((d) => d.staffId === manager.id)!;
    expect(mine.key).toBe(`digest:${manager.id}:2026-11-24`);
    expect(() => notificationVariables.staff_digest.parse(mine.variables)).not.toThrow();
    expect(mine.variables).toMatchObject({
      date: '2026-11-24',
      overdue: expect.any(Number),
      unacknowledged: expect.any(Number),
    });
    expect((mine.variables.overdue as number) + (mine.variables.dueToday as number)).toBeGreaterThan(0);
    expect(digests.map((d) => d.staffId)).not.toContain(rep.id);
    const router = app.get(JobRouter);
    expect(router.taskNames()).toEqual(expect.arrayContaining(['reminder-scan', 'reminder-digest']));
  });
});
