import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { UnrecoverableError, type Job, type Queue } from 'bullmq';
import { Queues, type JobName, type JobPayloads, type MailboxSpec } from '@kefu/shared';
import { MAILBOXES, type Mailbox } from './mailboxes';
import { MailboxRunner } from './mailbox-runner.service';
import type { PollReport } from './mailbox-poll.service';
import { errorMessage } from './transient-error';

/**
 * The intake queue's worker. Thin: a `mailbox-poll` job asks the runner for a poll (which takes the
 * advisory lock); every other name is a routing bug and fails for good.
 */
@Processor(Queues.Intake, { concurrency: 1 })
export class MailboxPollProcessor extends WorkerHost {
  constructor(private readonly runner: MailboxRunner) {
    super();
  }

  async process(job: Job<JobPayloads[JobName], PollReport | null, JobName>): Promise<PollReport | null> {
    const name = job.name;
    switch (name) {
      case 'mailbox-poll': {
        const data = job.data as JobPayloads['mailbox-poll'];
        // Another deployment's mailbox on a shared Redis prefix: not ours to poll.
        if (!this.runner.mailbox(data.mailboxId)) return null;
        return this.runner.request(`job ${job.id ?? ''}`, data.mailboxId);
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

/** Stands in for the worker when no mailbox is configured: no @Processor, so no worker is started. */
export class MailboxPollDisabled {}

const SCHEDULE_TIMEOUT_MS = 5_000;

/**
 * The periodic resync's clock: a BullMQ job scheduler per mailbox with a stable key (one schedule however many
 * replicas upsert it). If Redis is down at boot it keeps trying; IDLE and the pending sweep do not need it.
 */
@Injectable()
export class MailboxScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MailboxScheduler.name);
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(
    @Inject(MAILBOXES) private readonly mailboxes: Mailbox[],
    @InjectQueue(Queues.Intake) private readonly queue: Queue<JobPayloads['mailbox-poll'], PollReport | null, string>,
  ) {}

  onApplicationBootstrap(): void {
    for (const { spec } of this.mailboxes) void this.upsert(spec, 0);
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
  }

  private async upsert(spec: MailboxSpec, failures: number): Promise<void> {
    if (this.stopped) return;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.queue.upsertJobScheduler(
          `mailbox-poll:${spec.name}`,
          { every: spec.resyncSeconds * 1000 },
          {
            name: 'mailbox-poll' satisfies JobName,
            data: { mailboxId: spec.name },
            opts: { attempts: 1, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
          },
        ),
        new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`Redis did not answer within ${SCHEDULE_TIMEOUT_MS} ms`)), SCHEDULE_TIMEOUT_MS))),
      ]);
    } catch (err) {
      if (failures === 0 || failures % 10 === 0) {
        this.logger.warn({ mailbox: spec.name, err: errorMessage(err) }, 'cannot schedule the mailbox resync yet; retrying');
      }
      const retry = setTimeout(() => {
        this.timers.delete(retry);
        void this.upsert(spec, failures + 1);
      }, Math.min(60_000, 1_000 * 2 ** Math.min(failures, 6)));
      retry.unref();
      this.timers.add(retry);
    } finally {
      clearTimeout(timer);
    }
  }
}
