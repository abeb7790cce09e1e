import { getQueueToken } from '@nestjs/bullmq';
import { Global, Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { Job } from 'bullmq';
import { APP_CONFIG, configSchema } from '../config';
import { createTestDatabase, expectEventually, type TestDatabase } from '../testing';
import { OnJob, OnTask } from './job-handler.decorators';
import { JobRouter, JobsModule } from './job-router';
import { TaskLocks } from './task-locks';

/** Ten replicas ticking at once (issue 20): one run of a task at a time, on real Postgres, each replica its own connection. */
describe('TaskLocks: one run of each recurring task across replicas', () => {
  let db: TestDatabase;
  const replicas: TaskLocks[] = [];
  const replica = (name = `kefu-test-tasks-${replicas.length}`) => {
    const r = new TaskLocks(db.url, name);
    replicas.push(r);
    return r;
  };
  const gate = () => {
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    return { open, opened };
  };

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.close()));
    await db.drop();
  });

  it('ten replicas ticking the same task at once: one runs, nine skip; another task runs beside it', async () => {
    const ten = Array.from({ length: 10 }, () => replica());
    // Each replica connected already, as a running one is.
    await Promise.all(ten.map((r, i) => r.run('scheduler', `warm-up-${i}`, () => Promise.resolve())));
    const g = gate();
    let runs = 0;
    let skipped = 0;
    const results = Promise.all(
      ten.map((r) =>
        r
          .run('scheduler', 'reminder-scan', async () => {
            runs += 1;
            await g.opened;
            return 'scanned';
          })
          .then((d) => {
            if (!d.ran) skipped += 1;
            return d;
          }),
      ),
    );
    const other = await ten[3]!.run('scheduler', 'warranty-scan', () => Promise.resolve('other'));
    // The run stays under way until every other replica has had its tick.
    await expectEventually(() => expect([runs, skipped]).toEqual([1, 9]), { timeoutMs: 10_000 });
    g.open();
    const done = await results;
    expect(done.filter((d) => d.ran)).toEqual([{ ran: true, value: 'scanned' }]);
    expect(done.filter((d) => !d.ran)).toHaveLength(9);
    expect(done.find((d) => !d.ran)).toEqual({ ran: false, reason: 'a run is under way on another replica' });
    expect(other).toEqual({ ran: true, value: 'other' });
    // Released: the next tick runs wherever it lands.
    await expect(ten[7]!.run('scheduler', 'reminder-scan', () => Promise.resolve('next'))).resolves.toEqual({
      ran: true,
      value: 'next',
    });
  });

  it('two worker slots of one process: the second skips (session locks are reentrant, so memory decides)', async () => {
    const r = replica();
    const g = gate();
    const first = r.run('notifier', 'send-due', () => g.opened.then(() => 'sent'));
    const second = await r.run('notifier', 'send-due', () => Promise.resolve('twice'));
    g.open();
    expect(second).toEqual({ ran: false, reason: 'a run is under way in this process' });
    await expect(first).resolves.toEqual({ ran: true, value: 'sent' });
  });

  it('a replica whose connection dies frees the task for the others, and reconnects for its next run', async () => {
    const a = replica('kefu-test-tasks-dying');
    const b = replica();
    const g = gate();
    const held = a.run('scheduler', 'retention-purge', () => g.opened.then(() => 'purged'));
    await expectEventually(
      async () => expect((await b.run('scheduler', 'retention-purge', () => Promise.resolve('b'))).ran).toBe(false),
      { timeoutMs: 10_000 },
    );
    await db.dataSource.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'kefu-test-tasks-dying'`,
    );
    await expectEventually(
      async () =>
        expect(await b.run('scheduler', 'retention-purge', () => Promise.resolve('b'))).toEqual({
          ran: true,
          value: 'b',
        }),
      { timeoutMs: 10_000 },
    );
    g.open();
    await expect(held).resolves.toEqual({ ran: true, value: 'purged' });
    await expect(a.run('scheduler', 'retention-purge', () => Promise.resolve('a again'))).resolves.toEqual({
      ran: true,
      value: 'a again',
    });
  });

  it('the JobRouter runs each tick through it: two app instances given the same tick, one runs it', async () => {
    const g = gate();
    let runs = 0;
    @Injectable()
    class Ticks {
      @OnTask('scheduler', 'slow-tick', { every: 60_000 })
      tick(): Promise<string> {
        runs += 1;
        return g.opened.then(() => 'ticked');
      }
    }
    @Injectable()
    class Plans {
      @OnJob('case-received')
      received(): Promise<void> {
        return Promise.resolve();
      }
      @OnJob('case-changed')
      changed(): Promise<void> {
        return Promise.resolve();
      }
    }
    const config = configSchema.parse({
      NODE_ENV: 'test',
      DATABASE_URL: db.url,
      REDIS_URL: 'redis://127.0.0.1:1',
      AUTH_TOKEN_SECRET: 'test-secret-test-secret-test-secret-0123',
    });
    @Global()
    @Module({
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: getQueueToken('scheduler'), useValue: { upsertJobScheduler: () => Promise.resolve(undefined) } },
      ],
      exports: [APP_CONFIG, getQueueToken('scheduler')],
    })
    class Stubs {}
    const instance = async () => {
      const m = await Test.createTestingModule({
        imports: [Stubs, JobsModule.forQueue('scheduler')],
        providers: [Ticks, Plans],
      }).compile();
      await m.init();
      return m;
    };
    const apps = [await instance(), await instance()];
    try {
      const job = { name: 'scheduled-task', data: { task: 'slow-tick' }, timestamp: Date.now() } as unknown as Job;
      const both = Promise.all(apps.map((m) => m.get(JobRouter).dispatch(job)));
      await expectEventually(() => expect(runs).toBe(1), { timeoutMs: 10_000 });
      g.open();
      const results = await both;
      expect(results).toEqual(expect.arrayContaining(['ticked', { skipped: 'a run is under way on another replica' }]));
      expect(runs).toBe(1);
    } finally {
      await Promise.all(apps.map((m) => m.close()));
    }
  });
});
