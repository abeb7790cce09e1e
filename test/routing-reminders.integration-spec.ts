import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { JobRouter, type StaffEntity } from '@kefu/shared';
import {
  createTestDatabase,
  factories,
  startTestApp,
  testConfig,
  tokenFor,
  useFakeClock,
  type TestDatabase,
} from '@kefu/shared/testing';
import { intakeApp } from '../apps/intake/src/intake.app';
import { SchedulerWorker } from '../apps/scheduler/src/jobs/scheduler.worker';
import { ReminderService } from '../apps/scheduler/src/reminders/reminder.service';
import { schedulerApp } from '../apps/scheduler/src/scheduler.app';

/**
 * Issue 15, "Wrong today" 1: intake created every case without department or assignee and the reminder
 * chain then picked the longest-serving cs_rep for all of them. Here the cases come from the real intake
 * (hotline calls), and their reminders from the real scan: each goes to the person its department routed it to.
 */
describe('routing → reminders: cases of different departments remind different people', () => {
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
    app = await startTestApp(def, testConfig({ DATABASE_URL: db.url }));
    return app;
  };

  it("sends each case's reminders to its routed person, and a case routing never saw to the customer-service duty rep", async () => {
    const ds = db.dataSource;
    const staff = (name: string, role: StaffEntity['role'], departmentId: string) =>
      factories.createStaff(ds, { name, role, departmentId });
    const cs = await factories.createDepartment(ds, { code: 'CS', name: '客户服务部' });
    const eng = await factories.createDepartment(ds, { code: 'ENG', name: '工程部' });
    const prop = await factories.createDepartment(ds, { code: 'PM', name: '物业公司' });
    const oldestRep = await staff('老客服', 'cs_rep', cs.id);
    const csDuty = await staff('值班客服', 'cs_rep', cs.id);
    const engDuty = await staff('工程部值班', 'cs_rep', eng.id);
    const propManager = await staff('物业经理', 'dept_manager', prop.id);

    // Intake: routing configured by a manager, two hotline calls on Monday 2026-10-12.
    const intake = await start(intakeApp);
    useFakeClock(intake, '2026-10-12T10:00:00+08:00');
    const [manager, operator] = [await tokenFor(intake, 'dept_manager'), await tokenFor(intake, 'operator')];
    const http = () => request(intake.getHttpServer());
    await http()
      .put('/api/v1/routing/responsibilities')
      .set({ Authorization: `Bearer ${manager}` })
      .send({
        customerServiceDepartmentId: cs.id,
        rules: [
          { category: 'engineering_quality', departmentId: eng.id },
          { category: 'property_management', departmentId: prop.id },
        ],
      })
      .expect(200);
    for (const [departmentId, staffId] of [
      [cs.id, csDuty.id],
      [eng.id, engDuty.id],
    ] as const)
      await http()
        .put(`/api/v1/routing/roster/${departmentId}`)
        .set({ Authorization: `Bearer ${manager}` })
        .send({ entries: [1, 2, 3, 4, 5].map((weekday) => ({ staffId, weekday })) })
        .expect(200);
    const call = async (summary: string) =>
      (
        await http()
          .post('/api/v1/hotline/calls')
          .set({ Authorization: `Bearer ${operator}` })
          .send({ callerNumber: '13811112222', startedAt: '2026-10-12T10:00:00+08:00', durationSeconds: 60, summary })
          .expect(201)
      ).body.case.id as string;
    const engCase = await call('卫生间墙体开裂，投诉');
    const propCase = await call('物业保安态度恶劣，投诉');
    // A case from before routing existed: no department, no assignee.
    const legacy = await factories.createCase(ds, {
      type: 'complaint',
      severity: 'minor',
      receivedAt: new Date('2026-10-12T10:00:00+08:00'),
    });

    // Scheduler: case-received plans each case; the scan at 10:49 sends the 1-hour analysis reminders (before at 10:48).
    const scheduler = await start(schedulerApp);
    await scheduler.get(SchedulerWorker).worker.pause();
    const clock = useFakeClock(scheduler, '2026-10-12T10:00:30+08:00');
    for (const caseId of [engCase, propCase, legacy.id])
      await scheduler.get(JobRouter).dispatch({ name: 'case-received', data: { caseId } } as never);
    clock.set('2026-10-12T10:49:00+08:00');
    expect((await scheduler.get(ReminderService).scan()).sent).toBeGreaterThanOrEqual(2);
    // The case nobody handed to a department has no 1-hour analysis step (004 篇2 §4.D counts from the hand-over);
    // its promised reply (24 h) is reminded the next morning, to customer service's duty rep.
    clock.set('2026-10-13T09:59:00+08:00');
    await scheduler.get(ReminderService).scan();

    const recipients = async (caseId: string) =>
      (
        await ds.query<Array<{ staff_id: string }>>(
          `SELECT DISTINCT staff_id FROM notifications WHERE case_id = $1 AND kind = 'staff_reminder'`,
          [caseId],
        )
      ).map((r) => r.staff_id);
    expect(await recipients(engCase)).toEqual([engDuty.id]);
    expect(await recipients(propCase)).toEqual([propManager.id]);
    expect(await recipients(legacy.id)).toEqual([csDuty.id]);
    const all = [engCase, propCase, legacy.id].map(recipients);
    expect((await Promise.all(all)).flat()).not.toContain(oldestRep.id);
  });
});
