import type { INestApplication } from '@nestjs/common';
import {
  JobRouter,
  notificationKeys,
  notificationVariables,
  resolveNoticeAudience,
  startNoticeRound,
  type NotificationKind,
} from '@kefu/shared';
import {
  createTestDatabase,
  factories,
  startTestApp,
  testConfig,
  useFakeClock,
  type TestDatabase,
} from '@kefu/shared/testing';
import { CaseIntakeService } from '../apps/intake/src/cases/case-intake.service';
import { CaseWorkflowService } from '../apps/intake/src/cases/case-workflow.service';
import { intakeApp } from '../apps/intake/src/intake.app';
import { NotificationDispatcher } from '../apps/notifier/src/notifications/notification-dispatcher.service';
import { NoticeFanOutService } from '../apps/notifier/src/notices/notice-fan-out.service';
import { notifierApp } from '../apps/notifier/src/notifier.app';
import { tomorrowAt } from '../apps/notifier/src/testing/notifier-test-env';
import { SchedulerWorker } from '../apps/scheduler/src/jobs/scheduler.worker';
import { ReminderQueryService } from '../apps/scheduler/src/reminders/reminder-query.service';
import { ReminderService } from '../apps/scheduler/src/reminders/reminder.service';
import { schedulerApp } from '../apps/scheduler/src/scheduler.app';
import { SURVEY_SCAN_TASK } from '../apps/scheduler/src/surveys/survey-scan.service';
import { WARRANTY_SCAN_TASK } from '../apps/scheduler/src/warranty/warranty-scan.service';
import { VISIT_PLAN_TASK } from '../apps/scheduler/src/visits/visit-plan.service';
import { VISIT_REMINDER_TASK } from '../apps/scheduler/src/visits/visit-reminder.service';

interface Row {
  id: string;
  idempotency_key: string;
  kind: NotificationKind;
  source_type: string | null;
  fallback_of_id: string | null;
  variables: unknown;
}

/**
 * Every producer of notifications, run for real against Postgres (intake's one-statement case write,
 * the warranty scan, the reminder scan with its escalations, the managers' digest, the staff's visit reminder, the notifier's
 * next-channel fallback), and every row they wrote checked against its kind's variable contract — the
 * set-based writers are not type-checked per field the way requestNotification's callers are.
 */
describe('notification producers and the per-kind variable contract', () => {
  let db: TestDatabase;
  let app: INestApplication | undefined;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await app?.close();
    await db.drop();
  });

  const start = async (def: typeof intakeApp): Promise<INestApplication> => {
    await app?.close();
    const config = testConfig({ DATABASE_URL: db.url, SCHEDULER_PUBLIC_URL: 'https://kefu.example.com/s' });
    app = await startTestApp(def, config);
    return app;
  };

  it("writes rows whose variables satisfy their kind's schema, from every producer", async () => {
    const ds = db.dataSource;
    const project = await factories.createProject(ds, { code: 'CTR01', name: '碧海云天', city: '北京' });
    const building = await factories.createBuilding(ds, { projectId: project.id, name: '3栋' });
    // Handed over 2021-08-10: the 5-year items' notices fall due on 2026-06-10.
    const unit = await factories.createUnit(ds, {
      buildingId: building.id,
      entrance: '2',
      room: '1501',
      handoverDate: '2021-08-10',
    });
    const owner = await factories.createOwner(ds, { name: '业主甲' });
    await factories.linkOwner(ds, owner.id, unit.id, { relation: 'owner', isPrimaryContact: true });
    // Moved in 2026-03-10: the 3-month satisfaction survey falls due on 2026-06-10.
    const newUnit = await factories.createUnit(ds, {
      buildingId: building.id,
      room: '1601',
      handoverDate: '2026-03-10',
    });
    const newOwner = await factories.createOwner(ds, { name: '业主乙' });
    await factories.linkOwner(ds, newOwner.id, newUnit.id, { since: '2025-01-01' });

    // Intake: the reporter's acknowledgement, written inside the case's one statement.
    const intake = await start(intakeApp);
    const { caseRow: intakeCase } = await intake.get(CaseIntakeService).create({
      channel: 'hotline',
      source: 'test',
      externalId: 'contract-1',
      raw: {},
      receivedAt: new Date(),
      description: '厨房下水道堵塞',
      actor: { kind: 'system', label: 'test' },
      reporter: { name: '李女士', contact: '13912345678', phones: ['13912345678'] },
    });

    // Intake: the written answer to the reporter, sent by SMS.
    const clerk = await factories.createStaff(ds, { role: 'cs_rep', name: '客服 陈敏' });
    const workflow = intake.get(CaseWorkflowService);
    const principal = { id: clerk.id, role: 'cs_rep' as const, name: clerk.name };
    await workflow.accept(intakeCase.id, { note: null }, principal);
    await workflow.reply(intakeCase.id, { via: 'sms', content: '已安排维修师傅明天上午上门疏通。' }, principal);

    // Scheduler: the warranty scan, a reminder scan long after every deadline (reminders and escalations), digests.
    const scheduler = await start(schedulerApp);
    await scheduler.get(SchedulerWorker).worker.pause();
    const clock = useFakeClock(scheduler, '2026-06-10T08:30:00+08:00');
    await scheduler.get(JobRouter).runTask(WARRANTY_SCAN_TASK);
    await scheduler.get(JobRouter).runTask(SURVEY_SCAN_TASK);
    const departmentId = (await factories.createDepartment(ds, { code: 'CTRENG' })).id;
    const gm = await factories.createStaff(ds, { role: 'gm', name: '总经理' });
    const vice = await factories.createStaff(ds, { role: 'vice_gm', name: '副总', reportsToId: gm.id });
    const manager = await factories.createStaff(ds, {
      role: 'dept_manager',
      name: '经理',
      departmentId,
      reportsToId: vice.id,
    });
    const rep = await factories.createStaff(ds, {
      role: 'cs_rep',
      name: '王工',
      departmentId,
      reportsToId: manager.id,
    });
    const c = await factories.createCase(ds, {
      type: 'complaint',
      severity: 'minor',
      status: 'assigned',
      assigneeId: rep.id,
      departmentId,
      receivedAt: new Date('2026-06-10T09:00:00+08:00'),
    });
    await scheduler.get(ReminderService).planCase(c.id);
    clock.set('2026-06-20T10:00:00+08:00');
    const scan = await scheduler.get(ReminderService).scan();
    expect(scan.sent).toBeGreaterThan(0);
    expect(await scheduler.get(ReminderQueryService).sendDigests(true)).toBeGreaterThan(0);
    // Scheduler: the estate's visit plan, and the daily reminder of the rep's due visits.
    await ds.query(`INSERT INTO visit_staff (project_id, staff_id) VALUES ($1, $2)`, [project.id, rep.id]);
    await scheduler.get(JobRouter).runTask(VISIT_PLAN_TASK);
    await scheduler.get(JobRouter).runTask(VISIT_REMINDER_TASK);
    await scheduler.get(JobRouter).runTask(SURVEY_SCAN_TASK); // 10 days on, unanswered: the survey reminder

    // Estate-wide notices, one of each notification kind (estate_notice: a safety alert; estate_update: a greeting).
    const notices = new Map<string, string>();
    for (const kind of ['safety_alert', 'holiday_greeting'] as const) {
      const [n] = await ds.query<Array<{ id: string }>>(
        `INSERT INTO notices (project_id, kind, title, body) VALUES ($1, $2, '台风预警', '今晚台风过境，请关好门窗。') RETURNING id`,
        [project.id, kind],
      );
      await resolveNoticeAudience(ds.manager, { id: n!.id, projectId: project.id, kind }, {}, '2026-06-20', {});
      await ds.transaction((m) => startNoticeRound(m, n!.id, 'draft', { staffId: clerk.id, at: new Date() }));
      notices.set(kind, n!.id);
    }

    // Notifier: no SMS or email sender configured here, so must-arrive notices fall back to the next channel.
    const notifier = await start(notifierApp);
    useFakeClock(notifier, tomorrowAt());
    for (const noticeId of notices.values()) await notifier.get(NoticeFanOutService).send({ noticeId, round: 1 });
    const warranty = await ds.query<Array<{ id: string }>>(
      `SELECT id FROM notifications WHERE kind = 'warranty_expiry'`,
    );
    for (const { id } of warranty) await notifier.get(NotificationDispatcher).process(id);
    await app?.close();
    app = undefined;

    const rows = await ds.query<Row[]>(
      `SELECT id, idempotency_key, kind, source_type, fallback_of_id, variables FROM notifications`,
    );
    const invalid = rows
      .map((r) => ({ key: r.idempotency_key, result: notificationVariables[r.kind].safeParse(r.variables) }))
      .filter((r) => !r.result.success)
      .map((r) => ({ key: r.key, issues: r.result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) }));
    expect(invalid).toEqual([]);

    // Each producer was exercised, under the keys notificationKeys builds.
    const produced = (p: (r: Row) => boolean) => rows.filter(p).length;
    expect(produced((r) => r.idempotency_key === notificationKeys.caseAck({ caseId: intakeCase.id }))).toBe(1);
    expect(
      produced(
        (r) =>
          r.kind === 'case_reply' &&
          r.idempotency_key === notificationKeys.caseReply({ caseId: intakeCase.id, reply: '1' }),
      ),
    ).toBe(1);
    const roofKey = notificationKeys.warranty({
      unitId: unit.id,
      itemCode: 'roof_waterproofing',
      expiresOn: '2026-08-10',
      ownerId: owner.id,
    });
    expect(produced((r) => r.source_type === 'warranty_notice' && r.idempotency_key === roofKey)).toBe(1);
    expect(produced((r) => r.source_type === 'reminder' && r.kind === 'staff_reminder')).toBeGreaterThan(0);
    expect(produced((r) => r.source_type === 'reminder' && r.kind === 'escalation')).toBeGreaterThan(0);
    expect(produced((r) => r.kind === 'staff_digest')).toBeGreaterThan(0);
    expect(
      produced(
        (r) =>
          r.kind === 'visit_due' &&
          r.idempotency_key === notificationKeys.visitDue({ staffId: rep.id, day: '2026-06-20' }),
      ),
    ).toBe(1);
    const [invitation] = await ds.query<Array<{ id: string }>>(
      `SELECT id FROM survey_invitations WHERE owner_id = $1`,
      [newOwner.id],
    );
    for (const stage of ['invite', 'reminder'])
      expect(
        produced(
          (r) =>
            r.source_type === 'survey_invitation' &&
            r.idempotency_key === notificationKeys.survey({ invitationId: invitation!.id, stage }),
        ),
      ).toBe(1);
    expect(produced((r) => r.fallback_of_id !== null && r.idempotency_key === `${roofKey}/fallback:email`)).toBe(1);
    for (const [kind, noticeKind] of [
      ['estate_notice', 'safety_alert'],
      ['estate_update', 'holiday_greeting'],
    ] as const) {
      const key = notificationKeys.notice({ noticeId: notices.get(noticeKind)!, ownerId: owner.id, unitId: unit.id });
      expect(produced((r) => r.source_type === 'notice' && r.kind === kind && r.idempotency_key === key)).toBe(1);
    }
  });
});
