import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { UnrecoverableError, type Job, type Queue } from 'bullmq';
import { APP_CONFIG, Queues, type AppConfig, type JobName, type JobPayloads } from '@kefu/shared';
import { MailboxRunner } from './mailbox-runner.service';
import type { PollReport } from './mailbox-poll.service';
import { errorMessage } from './transient-error';

/**
 * The intake queue's worker. Thin: a `mailbox-poll` job asks the runner for a poll (which takes the
 * advisory lock); every other name is a routing bug and fails for good.
 */
@Processor(Queues.Intake, { concurrency: 1 })
export class MailboxPollProcessor extends WorkerHost {
  constructor(
    private readonly runner: MailboxRunner,
    private readonly mailboxName: string,
  ) {
    super();
  }

  async process(job: Job<JobPayloads[JobName], PollReport | null, JobName>): Promise<PollReport | null> {
    const name = job.name;
    switch (name) {
      case 'mailbox-poll': {
        const data = job.data as JobPayloads['mailbox-poll'];
        // Another deployment's mailbox on a shared Redis prefix: not ours to poll.
        if (data.mailboxId !== this.mailboxName) return null;
        return this.runner.request(`job ${job.id ?? ''}`);
      }
      case 'case-received':
      case 'notification-requested':
      case 'delivery-report-received':
      case 'scheduled-task':
      case 'notifier-task':
        throw new UnrecoverableError(`job ${name} does not belong on the ${Queues.Intake} queue`);
      default: {
        const unknown: never = name;
        throw new UnrecoverableError(`unknown job ${String(unknown)}`);
      }
    }
  }
}

/** Stands in for the worker when MAILBOX_URL is unset: no @Processor, so no worker is started. */
export class MailboxPollDisabled {}

const SCHEDULE_TIMEOUT_MS = 5_000;

/**
 * The periodic resync's clock: a BullMQ job scheduler with a stable key (one schedule however many
 * replicas upsert it). If Redis is down at boot it keeps trying; IDLE and the pending sweep do not need it.
 */
@Injectable()
export class MailboxScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MailboxScheduler.name);
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectQueue(Queues.Intake) private readonly queue: Queue<JobPayloads['mailbox-poll'], PollReport | null, string>,
  ) {}

  get key(): string {
    return `mailbox-poll:${this.config.MAILBOX_NAME}`;
  }

  onApplicationBootstrap(): void {
    if (this.config.MAILBOX_URL) void this.upsert(0);
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async upsert(failures: number): Promise<void> {
    if (this.stopped) return;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.queue.upsertJobScheduler(
          this.key,
          { every: this.config.MAILBOX_RESYNC_SECONDS * 1000 },
          { name: 'mailbox-poll' satisfies JobName, data: { mailboxId: this.config.MAILBOX_NAME }, opts: { attempts: 1, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } } },
        ),
        new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`Redis did not answer within ${SCHEDULE_TIMEOUT_MS} ms`)), SCHEDULE_TIMEOUT_MS))),
      ]);
    } catch (err) {
      if (failures === 0 || failures % 10 === 0) this.logger.warn({ err: errorMessage(err) }, 'cannot schedule the mailbox resync yet; retrying');
      this.timer = setTimeout(() => void this.upsert(failures + 1), Math.min(60_000, 1_000 * 2 ** Math.min(failures, 6)));
      this.timer.unref();
    } finally {
      clearTimeout(timer);
    }
  }
}
