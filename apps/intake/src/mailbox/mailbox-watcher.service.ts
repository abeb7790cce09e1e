import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { backoffDelay, type MailboxClient } from '@kefu/shared';
import { MailboxRunner } from './mailbox-runner.service';
import { MAILBOXES, type Mailbox } from './mailboxes';
import { errorMessage } from './transient-error';

const RECONNECT_MIN_MS = 1_000;
const RECONNECT_MAX_MS = 60_000;
const LOGOUT_TIMEOUT_MS = 5_000;

/**
 * Low latency: one read-only connection per process and mailbox sits in IDLE on its folder and asks for a
 * poll whenever the server announces new mail (and once after every connect, to catch up). ImapFlow does
 * not reconnect, so a closed connection is replaced by a new client, with backoff. The periodic resync
 * job covers whatever this misses.
 */
@Injectable()
export class MailboxWatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MailboxWatcher.name);
  private stopped = false;
  private readonly watches: Watch[] = [];

  constructor(
    @Inject(MAILBOXES) private readonly mailboxes: Mailbox[],
    private readonly runner: MailboxRunner,
  ) {}

  onApplicationBootstrap(): void {
    for (const mailbox of this.mailboxes) {
      const watch: Watch = { client: null, wake: null, loop: null };
      watch.loop = this.run(mailbox, watch);
      this.watches.push(watch);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await Promise.all(
      this.watches.map(async (watch) => {
        watch.wake?.();
        const client = watch.client;
        if (client) await Promise.race([client.logout(), new Promise((r) => setTimeout(r, LOGOUT_TIMEOUT_MS).unref())]);
        await watch.loop;
      }),
    );
  }

  private async run({ spec, connector }: Mailbox, watch: Watch): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      try {
        const client = await connector.connect({ idle: true });
        watch.client = client;
        const closed = new Promise<void>((resolve) => client.onClose(resolve));
        client.onNewMail(() => this.runner.trigger('idle', spec.name));
        await client.open(spec.folder, { readOnly: true });
        failures = 0;
        this.runner.trigger('connected', spec.name);
        await Promise.race([closed, new Promise<void>((resolve) => (watch.wake = resolve))]);
        if (!this.stopped) this.logger.warn({ mailbox: spec.name }, 'IMAP watch connection closed; reconnecting');
      } catch (err) {
        failures += 1;
        if (failures === 1 || failures % 10 === 0) {
          this.logger.warn(
            { mailbox: spec.name, failures, err: errorMessage(err) },
            'cannot watch the mailbox; retrying',
          );
        }
      } finally {
        const client = watch.client;
        watch.client = null;
        if (client && !this.stopped) await client.logout().catch(() => undefined);
      }
      if (this.stopped) break;
      const delay = backoffDelay(failures, { baseMs: RECONNECT_MIN_MS, maxMs: RECONNECT_MAX_MS });
      await new Promise<void>((resolve) => {
        watch.wake = resolve;
        setTimeout(resolve, delay).unref();
      });
    }
  }
}

interface Watch {
  client: MailboxClient | null;
  wake: (() => void) | null;
  loop: Promise<void> | null;
}
