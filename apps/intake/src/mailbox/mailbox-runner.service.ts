import { Inject, Injectable, Logger } from '@nestjs/common';
import { MailboxPollService, type PollReport } from './mailbox-poll.service';
import { MAILBOXES, type Mailbox } from './mailboxes';
import { errorMessage } from './transient-error';

interface Flight {
  running: Promise<PollReport> | null;
  again: Promise<PollReport> | null;
}

/**
 * Single flight for polls in this process, per mailbox: IDLE notifications, the scheduler's resync jobs and
 * tests all ask here. A request during a running poll is folded into one more poll right after it, so mail
 * that arrived mid-poll is never waited on until the next resync.
 */
@Injectable()
export class MailboxRunner {
  private readonly logger = new Logger(MailboxRunner.name);
  private readonly flights = new Map<string, Flight>();

  constructor(
    private readonly poller: MailboxPollService,
    @Inject(MAILBOXES) private readonly mailboxes: Mailbox[],
  ) {}

  /** The configured mailbox of that name, if any. */
  mailbox(name: string): Mailbox | undefined {
    return this.mailboxes.find((m) => m.spec.name === name);
  }

  /**
   * Resolves with the report of a poll of `name` (default: the first configured mailbox, the customer-service
   * one) that started after this call; rejects when that poll failed.
   */
  request(reason: string, name?: string): Promise<PollReport> {
    const mailbox = name === undefined ? this.mailboxes[0] : this.mailbox(name);
    if (!mailbox) return Promise.reject(new Error(`no mailbox ${name ?? ''} is configured`));
    const flight = this.flights.get(mailbox.spec.name) ?? { running: null, again: null };
    this.flights.set(mailbox.spec.name, flight);
    if (!flight.running) return this.start(mailbox, flight, reason);
    flight.again ??= flight.running
      .catch(() => undefined)
      .then(() => {
        flight.again = null;
        return this.start(mailbox, flight, reason);
      });
    return flight.again;
  }

  /** For callers that only trigger (IDLE): failures are logged, the next resync retries. */
  trigger(reason: string, name?: string): void {
    this.request(reason, name).catch(() => undefined);
  }

  private start(mailbox: Mailbox, flight: Flight, reason: string): Promise<PollReport> {
    const started = Date.now();
    const log = { mailbox: mailbox.spec.name, reason };
    const run = this.poller.pollOnce(mailbox).then(
      (report) => {
        if (!report.skipped && (report.stored || report.moved || report.left)) {
          this.logger.log({ ...log, totalMs: Date.now() - started, ...report }, 'mailbox poll');
        }
        return report;
      },
      (err: unknown) => {
        const detail = { ...log, ms: Date.now() - started, err: errorMessage(err) };
        this.logger.warn(detail, 'mailbox poll failed; the mailbox is left as it was');
        throw err;
      },
    );
    flight.running = run;
    const clear = () => {
      if (flight.running === run) flight.running = null;
    };
    run.then(clear, clear);
    return run;
  }
}
