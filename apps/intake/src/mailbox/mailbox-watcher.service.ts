import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, backoffDelay, type AppConfig } from '@kefu/shared';
import { MAILBOX_CONNECTOR, type MailboxClient, type MailboxConnector } from './mailbox-client';
import { MailboxRunner } from './mailbox-runner.service';
import { errorMessage } from './transient-error';

const RECONNECT_MIN_MS = 1_000;
const RECONNECT_MAX_MS = 60_000;
const LOGOUT_TIMEOUT_MS = 5_000;

/**
 * Low latency: one read-only connection per process sits in IDLE on the intake folder and asks for a
 * poll whenever the server announces new mail (and once after every connect, to catch up). ImapFlow does
 * not reconnect, so a closed connection is replaced by a new client, with backoff. The periodic resync
 * job covers whatever this misses.
 */
@Injectable()
export class MailboxWatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MailboxWatcher.name);
  private stopped = false;
  private client: MailboxClient | null = null;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(MAILBOX_CONNECTOR) private readonly connector: MailboxConnector | null,
    private readonly runner: MailboxRunner,
  ) {}

  onApplicationBootstrap(): void {
    if (this.connector) this.loop = this.run(this.connector);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    const client = this.client;
    if (client) await Promise.race([client.logout(), new Promise((r) => setTimeout(r, LOGOUT_TIMEOUT_MS).unref())]);
    await this.loop;
  }

  private async run(connector: MailboxConnector): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      try {
        const client = await connector.connect({ idle: true });
        this.client = client;
        const closed = new Promise<void>((resolve) => client.onClose(resolve));
        client.onNewMail(() => this.runner.trigger('idle'));
        await client.open(this.config.MAILBOX_FOLDER, { readOnly: true });
        failures = 0;
        this.runner.trigger('connected');
        await Promise.race([closed, new Promise<void>((resolve) => (this.wake = resolve))]);
        if (!this.stopped) this.logger.warn('IMAP watch connection closed; reconnecting');
      } catch (err) {
        failures += 1;
        if (failures === 1 || failures % 10 === 0) this.logger.warn({ failures, err: errorMessage(err) }, 'cannot watch the mailbox; retrying');
      } finally {
        const client = this.client;
        this.client = null;
        if (client && !this.stopped) await client.logout().catch(() => undefined);
      }
      if (this.stopped) break;
      const delay = backoffDelay(failures, { baseMs: RECONNECT_MIN_MS, maxMs: RECONNECT_MAX_MS });
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, delay).unref();
      });
    }
  }
}
