import { getQueueToken, type WorkerHost } from '@nestjs/bullmq';
import type { INestApplication, Type } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { freePort, JobRouter, Queues, type AppConfig, type AppDefinition, type QueueName } from '@kefu/shared';
import {
  createTestDatabase,
  expectEventually,
  startTestApp,
  testConfig,
  type TestDatabase,
} from '@kefu/shared/testing';
import { intakeApp } from '../apps/intake/src/intake.app';
import { IntakeWorker } from '../apps/intake/src/jobs/intake.worker';
import { NotifierWorker } from '../apps/notifier/src/jobs/notifier.worker';
import { notifierApp } from '../apps/notifier/src/notifier.app';
import { SchedulerWorker } from '../apps/scheduler/src/jobs/scheduler.worker';
import { schedulerApp } from '../apps/scheduler/src/scheduler.app';

/** The three real apps pass the JobRouter's boot check, and their jobs and schedules are the ones we mean. */
describe('job wiring of the three apps', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  type Body = (app: INestApplication) => Promise<void>;
  async function withApp(def: AppDefinition, config: AppConfig, worker: Type<WorkerHost>, fn: Body) {
    const app = await startTestApp(def, config);
    try {
      await fn(app);
    } finally {
      // Closing while BullMQ still connects the worker, or mid-way through the first ticks, makes it emit
      // "Connection is closed" with nobody listening: let it settle first.
      await app.get(worker).worker.waitUntilReady();
      const queue = queueOf(app, def.name);
      await expectEventually(async () => expect(await queue.getActiveCount()).toBe(0));
      await app.close();
    }
  }
  const queueOf = (app: INestApplication, name: QueueName) => app.get<Queue>(getQueueToken(name), { strict: false });
  const schedules = async (queue: Queue) =>
    (await queue.getJobSchedulers())
      .map((s) => ({ key: s.key, every: s.every, pattern: s.pattern, tz: s.tz }))
      .sort((a, b) => a.key.localeCompare(b.key));

  it('scheduler: case-received, case-changed, and ten tasks on their cron patterns or intervals in the business time zone', async () => {
    await withApp(schedulerApp, testConfig({ DATABASE_URL: db.url }), SchedulerWorker, async (app) => {
      const router = app.get(JobRouter);
      expect(router.queue).toBe(Queues.Scheduler);
      expect(router.jobNames().sort()).toEqual(['case-changed', 'case-received']);
      const tz = 'Asia/Shanghai';
      await expectEventually(async () =>
        expect(await schedules(queueOf(app, Queues.Scheduler))).toEqual(
          [
            { key: 'case-search-index', every: 60_000 },
            { key: 'certificate-reminders', pattern: '0 0 9-18 * * *', tz },
            { key: 'reminder-digest', pattern: '30 8 * * *', tz },
            { key: 'reminder-scan', every: 60_000 },
            { key: 'report-run', pattern: '0 */15 * * * *', tz },
            { key: 'retention-purge', pattern: '0 30 3 * * *', tz },
            { key: 'survey-scan', pattern: '0 40 9-20 * * *', tz },
            { key: 'visit-plan', pattern: '0 15 1,8 * * *', tz },
            { key: 'visit-reminders', pattern: '0 0 8-18 * * *', tz },
            { key: 'warranty-scan', pattern: '0 30 8-20 * * *', tz },
          ].map((s) => ({ every: undefined, pattern: undefined, tz: undefined, ...s })),
        ),
      );
    });
  });

  it('notifier: notification(s)-requested, delivery-report-received and the send-due / reconcile tasks', async () => {
    await withApp(notifierApp, testConfig({ DATABASE_URL: db.url }), NotifierWorker, async (app) => {
      const router = app.get(JobRouter);
      expect(router.queue).toBe(Queues.Notifier);
      expect(router.jobNames().sort()).toEqual([
        'delivery-report-received',
        'notice-send',
        'notification-requested',
        'notifications-requested',
        'notifications-send',
      ]);
      expect(router.taskNames().sort()).toEqual(['notice-sweep', 'reconcile-sending', 'requeue-lost', 'send-due']);
      await expectEventually(async () =>
        expect((await schedules(queueOf(app, Queues.Notifier))).map((s) => [s.key, s.every])).toEqual([
          ['notice-sweep', 10_000],
          ['reconcile-sending', 60_000],
          ['requeue-lost', 60_000],
          ['send-due', 30_000],
        ]),
      );
    });
  });

  it('intake: mailbox-poll through the one worker, and a resync schedule keyed by each mailbox', async () => {
    const imap = `imap://u:p@127.0.0.1:${await freePort()}`;
    const config = testConfig({
      DATABASE_URL: db.url,
      MAILBOX_URL: imap,
      MAILBOX_RESYNC_SECONDS: '3600',
      BOUNCE_MAILBOX_URL: imap,
      BOUNCE_MAILBOX_FOLDER: 'Bounces',
      BOUNCE_MAILBOX_POLL_SECONDS: '1800',
    });
    await withApp(intakeApp, config, IntakeWorker, async (app) => {
      const router = app.get(JobRouter);
      expect(router.queue).toBe(Queues.Intake);
      expect(router.jobNames()).toEqual(['mailbox-poll']);
      const queue = queueOf(app, Queues.Intake);
      await expectEventually(async () =>
        expect((await schedules(queue)).map((s) => [s.key, s.every])).toEqual([
          ['mailbox-poll:bounces', 1_800_000],
          ['mailbox-poll:cs', 3_600_000],
        ]),
      );
      // Another deployment's mailbox: the handler answers null without polling.
      const job = await queue.add('mailbox-poll', { mailboxId: 'elsewhere' });
      await expectEventually(async () => expect(await job.isCompleted()).toBe(true));
      expect((await queue.getJob(job.id!))?.returnvalue).toBeNull();
    });
  });
});
