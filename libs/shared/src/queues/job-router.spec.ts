import { getQueueToken } from '@nestjs/bullmq';
import { Global, Injectable, Module, Scope, type Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { APP_CONFIG, configSchema } from '../config';
import { OnJob, OnTask } from './job-handler.decorators';
import { JobRouter, JobsModule } from './job-router';
import type { JobPayloads } from './queue.contract';

const config = configSchema.parse({
  NODE_ENV: 'test',
  DATABASE_URL: 'postgres://u:p@127.0.0.1:1/x',
  REDIS_URL: 'redis://127.0.0.1:1',
  AUTH_TOKEN_SECRET: 'test-secret-test-secret-test-secret-0123',
  BUSINESS_TIME_ZONE: 'Asia/Shanghai',
});
const upsertJobScheduler = jest.fn((..._args: unknown[]) => Promise.resolve(undefined));

@Global()
@Module({
  providers: [
    { provide: APP_CONFIG, useValue: config },
    { provide: getQueueToken('scheduler'), useValue: { upsertJobScheduler } },
  ],
  exports: [APP_CONFIG],
})
class Stubs {}

@Injectable()
class Planner {
  @OnJob('case-received')
  plan({ caseId }: JobPayloads['case-received']): Promise<string> {
    return Promise.resolve(`planned ${caseId}`);
  }

  @OnJob('case-changed')
  replan({ caseId }: JobPayloads['case-changed']): Promise<string> {
    return Promise.resolve(`replanned ${caseId}`);
  }
}

@Injectable()
class OtherPlanner {
  @OnJob('case-received')
  plan(): Promise<void> {
    return Promise.resolve();
  }
}

@Injectable()
class Ticks {
  @OnTask('scheduler', 'morning', (c) => ({ pattern: '30 8 * * *', tz: c.BUSINESS_TIME_ZONE }))
  morning(): Promise<string> {
    return Promise.resolve('morning');
  }

  @OnTask('scheduler', 'off-here', () => null)
  off(): Promise<void> {
    return Promise.resolve();
  }
}

@Injectable()
class MoreTicks {
  @OnTask('scheduler', 'morning', { every: 1_000 })
  morning(): Promise<void> {
    return Promise.resolve();
  }
}

@Injectable()
class Sender {
  @OnJob('notification-requested')
  send(): Promise<void> {
    return Promise.resolve();
  }
}

@Injectable({ scope: Scope.REQUEST })
class PerRequestPlanner {
  @OnJob('case-received')
  plan(): Promise<void> {
    return Promise.resolve();
  }
}

async function boot(...providers: Type[]) {
  const moduleRef = await Test.createTestingModule({
    imports: [Stubs, JobsModule.forQueue('scheduler')],
    providers,
  }).compile();
  return moduleRef.init();
}

describe('JobRouter boot check', () => {
  beforeEach(() => upsertJobScheduler.mockClear());

  it('routes each job to its one handler and schedules tasks with repeats computed from the config', async () => {
    const app = await boot(Planner, Ticks);
    try {
      const router = app.get(JobRouter);
      expect(router.jobNames().sort()).toEqual(['case-changed', 'case-received']);
      expect(router.taskNames()).toEqual(['morning']);
      const job = { name: 'case-received', data: { caseId: 'c1' } };
      await expect(router.dispatch(job as never)).resolves.toBe('planned c1');
      await expect(router.runTask('morning')).resolves.toBe('morning');
      expect(upsertJobScheduler).toHaveBeenCalledWith(
        'morning',
        { pattern: '30 8 * * *', tz: 'Asia/Shanghai' },
        expect.objectContaining({ name: 'scheduled-task', data: { task: 'morning' } }),
      );
    } finally {
      await app.close();
    }
  });

  it('refuses to start when a job of its queue has no handler, naming the job', async () => {
    await expect(boot(Ticks)).rejects.toThrow("job 'case-received' (queue 'scheduler') has no @OnJob handler");
  });

  it('refuses to start when a job has two handlers, naming both', async () => {
    await expect(boot(Planner, OtherPlanner)).rejects.toThrow(
      "job 'case-received' has 2 @OnJob handlers (Planner.plan, OtherPlanner.plan)",
    );
  });

  it("refuses to start when a handler is for another queue's job, or a task is declared twice", async () => {
    await expect(boot(Planner, Sender)).rejects.toThrow(
      "Sender.send handles job 'notification-requested', which goes to queue 'notifier', not 'scheduler'",
    );
    await expect(boot(Planner, Ticks, MoreTicks)).rejects.toThrow(
      "task 'morning' is declared 2 times (Ticks.morning, MoreTicks.morning)",
    );
    expect(upsertJobScheduler).not.toHaveBeenCalled();
  });

  it('refuses to start when a handler is on a request-scoped provider (no instance a worker could call)', async () => {
    await expect(boot(PerRequestPlanner)).rejects.toThrow('PerRequestPlanner has job handlers but is not a singleton');
  });
});
