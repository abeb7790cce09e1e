import { Injectable, Logger } from '@nestjs/common';
import { MailboxPollService, type PollReport } from './mailbox-poll.service';
import { errorMessage } from './transient-error';

/**
 * Single flight for polls in this process: IDLE notifications, the scheduler's resync jobs and tests all
 * ask here. A request during a running poll is folded into one more poll right after it, so mail that
 * arrived mid-poll is never waited on until the next resync.
 */
@Injectable()
export class MailboxRunner {
  private readonly logger = new Logger(MailboxRunner.name);
  private running: Promise<PollReport> | null = null;
  private again: Promise<PollReport> | null = null;

  constructor(private readonly poller: MailboxPollService) {}

  /** Resolves with the report of a poll that started after this call; rejects when that poll failed. */
  request(reason: string): Promise<PollReport> {
    if (!this.running) return this.start(reason);
    this.again ??= this.running.catch(() => undefined).then(() => {
      this.again = null;
      return this.start(reason);
    });
    return this.again;
  }

  /** For callers that only trigger (IDLE): failures are logged, the next resync retries. */
  trigger(reason: string): void {
    this.request(reason).catch(() => undefined);
  }

  private start(reason: string): Promise<PollReport> {
    const started = Date.now();
    const run = this.poller.pollOnce().then(
      (report) => {
        if (!report.skipped && (report.stored || report.moved || report.left)) this.logger.log({ reason, totalMs: Date.now() - started, ...report }, 'mailbox poll');
        return report;
      },
      (err: unknown) => {
        this.logger.warn({ reason, ms: Date.now() - started, err: errorMessage(err) }, 'mailbox poll failed; the mailbox is left as it was');
        throw err;
      },
    );
    this.running = run;
    const clear = () => {
      if (this.running === run) this.running = null;
    };
    run.then(clear, clear);
    return run;
  }
}
