import { getQueueToken } from '@nestjs/bullmq';
import { Injectable, Module, type INestApplication } from '@nestjs/common';
import type { Queue } from 'bullmq';
import {
  addToOutbox,
  CoreModule,
  JobRouter,
  OnJob,
  OnTask,
  OutboxSweep,
  Queues,
  type AppDefinition,
  type JobPayloads,
  type TaskJob,
} from '@kefu/shared';
import {
  createTestDatabase,
  expectEventually,
  startTestApp,
  testConfig,
  type TestDatabase,
} from '@kefu/shared/testing';
import { SchedulerJobsModule, SchedulerWorker } from './scheduler.worker';

const seen: string[] = [];

@Injectable()
class Feature {
  @OnJob('case-received')
  planCase({ caseId }: JobPayloads['case-received']): Promise<number> {
    return Promise.resolve(seen.push(`case ${caseId}`));
  }

  @OnJob('case-changed')
  replan({ caseId }: JobPayloads['case-changed']): Promise<number> {
    return Promise.resolve(seen.push(`changed ${caseId}`));
  }

  @OnTask('scheduler', 'test-tick', { every: 60_000 })
  tick(job: TaskJob): Promise<number> {
    return Promise.resolve(seen.push(`tick ${job.data.task}`));
  }
}
@Module({ providers: [Feature] })
class FeatureModule {}

const def: AppDefinition = {
  name: 'scheduler',
  title: 't',
  description: 't',
  module: (config) => ({
    module: class RouterTestModule {},
    imports: [CoreModule.forRoot('scheduler', config), SchedulerJobsModule, FeatureModule],
  }),
};

describe('JobRouter', () => {
  let db: TestDatabase;
  let app: INestApplication;
  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(def, testConfig({ DATABASE_URL: db.url }));
  });
  afterAll(async () => {
    await app?.close();
    await db.drop();
  });

  it("runs registered jobs and recurring tasks on the app's one worker, and upserts one job scheduler per task", async () => {
    const queue = app.get<Queue>(getQueueToken(Queues.Scheduler), { strict: false });
    await queue.add('case-received', { caseId: 'c1' });
    await expectEventually(() => expect(seen).toContain('case c1'));
    // The scheduler fires its first tick immediately.
    await expectEventually(() => expect(seen).toContain('tick test-tick'));
    expect((await queue.getJobSchedulers()).map((s) => s.key)).toEqual(['test-tick']);
  });

  it('fails a job nobody handles for good instead of retrying it', async () => {
    const queue = app.get<Queue>(getQueueToken(Queues.Scheduler), { strict: false });
    const job = await queue.add('notification-requested', { notificationId: 'x' }, { attempts: 5 });
    await expectEventually(async () => expect(await job.isFailed()).toBe(true));
    const failed = await queue.getJob(job.id!);
    expect(failed?.failedReason).toMatch(/no handler/);
    expect(failed?.attemptsMade).toBe(1);
  });

  it('runs a relayed case-received job that Redis lost, once, and restores the lost job scheduler', async () => {
    const queue = app.get<Queue>(getQueueToken(Queues.Scheduler), { strict: false });
    const worker = app.get(SchedulerWorker).worker;
    await worker.pause();
    const ds = db.dataSource;
    await ds.transaction((m) => addToOutbox(m, 'case-received', { caseId: 'lost-1' }));
    await expectEventually(async () =>
      expect(
        await ds.query(`SELECT relayed_at IS NOT NULL AS r FROM outbox WHERE payload->>'caseId' = 'lost-1'`),
      ).toEqual([{ r: true }]),
    );
    // Redis comes back empty: the job and the job scheduler are gone.
    await queue.obliterate({ force: true });
    const sweep = app.get(OutboxSweep);
    expect(await sweep.sweepOnce(0)).toMatchObject({ requeued: 1 });
    expect(await sweep.sweepOnce(0)).toMatchObject({ requeued: 0 });
    expect(await app.get(JobRouter).restoreSchedulers()).toEqual(['test-tick']);
    worker.resume();
    await expectEventually(() => expect(seen.filter((x) => x === 'case lost-1')).toHaveLength(1));
    await expectEventually(async () =>
      expect(
        await ds.query(`SELECT settled_at IS NOT NULL AS s FROM outbox WHERE payload->>'caseId' = 'lost-1'`),
      ).toEqual([{ s: true }]),
    );
    expect(await sweep.sweepOnce(0)).toMatchObject({ requeued: 0 });
    expect(seen.filter((x) => x === 'case lost-1')).toHaveLength(1);
  });
});
