import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ImapFlow } from 'imapflow';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '@kefu/shared';
import { BounceService, type BounceOutcome } from './bounce.service';
import { parseDeliveryReport } from './dsn';

export interface BouncePollReport {
  seen: number;
  stored: number;
  reports: number;
  ignored: number;
  moved: number;
}

const BATCH = 50;

/**
 * The bounce mailbox (BOUNCE_MAILBOX_URL), polled as a notifier task. Each message is first stored as
 * an intake record — source `imap-bounce:<name>`, external id `<uidvalidity>:<uid>`, raw MIME in
 * raw_bytes — reusing intake_records and its (source, external_id) guard, so every inbound mail of the
 * system is in one table with one quarantine view and one "as received" download. Then it is processed
 * (a report → BounceService; anything else, e.g. an auto-reply, is recorded as auto_reply and ignored)
 * and only then moved to the processed folder. A crash in between leaves the message in the folder: the
 * next poll finds its record and processes it again, which changes nothing twice (receipt dedupe key).
 * One poller at a time across replicas (a Postgres advisory lock).
 */
@Injectable()
export class BounceMailboxService implements OnApplicationShutdown {
  private readonly logger = new Logger(BounceMailboxService.name);
  private running: Promise<BouncePollReport> | null = null;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly bounces: BounceService,
  ) {}

  get enabled(): boolean {
    return Boolean(this.config.BOUNCE_MAILBOX_URL);
  }

  get source(): string {
    return `imap-bounce:${this.config.BOUNCE_MAILBOX_NAME}`;
  }

  onApplicationShutdown(): void {
    this.stopped = true;
  }

  /** One poll to completion (a poll already running in this process is joined, not doubled). */
  poll(): Promise<BouncePollReport> {
    this.running ??= this.locked().finally(() => (this.running = null));
    return this.running;
  }

  private async locked(): Promise<BouncePollReport> {
    const empty = { seen: 0, stored: 0, reports: 0, ignored: 0, moved: 0 };
    if (!this.enabled || this.stopped) return empty;
    const runner = this.ds.createQueryRunner();
    await runner.connect();
    try {
      const locked = (await runner.query(`SELECT pg_try_advisory_lock(hashtext($1)) AS ok`, [this.source])) as Array<{ ok: boolean }>;
      if (!locked[0]?.ok) return empty;
      try {
        return await this.pollOnce();
      } finally {
        await runner.query(`SELECT pg_advisory_unlock(hashtext($1))`, [this.source]);
      }
    } finally {
      await runner.release();
    }
  }

  private async pollOnce(): Promise<BouncePollReport> {
    const u = new URL(this.config.BOUNCE_MAILBOX_URL!);
    const secure = u.protocol === 'imaps:';
    const flow = new ImapFlow({
      host: u.hostname, port: Number(u.port || (secure ? 993 : 143)), secure,
      auth: { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) },
      tls: { rejectUnauthorized: this.config.MAILBOX_TLS_VERIFY }, logger: false,
    });
    // An 'error' event with no listener would take the process down; the failed poll is retried by its task.
    flow.on('error', (err: Error) => this.logger.warn({ err: err.message }, 'bounce mailbox connection error'));
    const report: BouncePollReport = { seen: 0, stored: 0, reports: 0, ignored: 0, moved: 0 };
    await flow.connect();
    try {
      const processed = this.config.BOUNCE_MAILBOX_PROCESSED_FOLDER;
      if (!(await flow.list()).some((f) => f.path === processed)) await flow.mailboxCreate(processed);
      const box = await flow.mailboxOpen(this.config.BOUNCE_MAILBOX_FOLDER);
      const uidValidity = box.uidValidity.toString();
      const found = await flow.search({ all: true }, { uid: true });
      const uids = (Array.isArray(found) ? found : []).sort((a, b) => a - b);
      for (let i = 0; i < uids.length && !this.stopped; i += BATCH) {
        const batch = uids.slice(i, i + BATCH);
        const messages = await flow.fetchAll(batch.join(','), { uid: true, source: true, internalDate: true }, { uid: true });
        const done: number[] = [];
        for (const msg of messages) {
          report.seen++;
          if (!msg.source) continue;
          const at = msg.internalDate instanceof Date ? msg.internalDate : new Date();
          const { stored, outcome } = await this.storeAndProcess(`${uidValidity}:${msg.uid}`, msg.source, at);
          if (stored) report.stored++;
          if (outcome === 'not_a_report') report.ignored++;
          else report.reports++;
          done.push(msg.uid);
        }
        if (done.length) {
          await flow.messageMove(done.join(','), processed, { uid: true });
          report.moved += done.length;
        }
      }
    } finally {
      await flow.logout().catch(() => flow.close());
    }
    if (report.seen) this.logger.log(report, 'bounce mailbox polled');
    return report;
  }

  /** Stores the message (once per mailbox position) and processes it. */
  private async storeAndProcess(externalId: string, raw: Buffer, receivedAt: Date): Promise<{ stored: boolean; outcome: BounceOutcome['outcome'] }> {
    const parsed = await parseDeliveryReport(raw).catch(() => null);
    const outcome = parsed ? 'bounce' : 'auto_reply';
    const reason = parsed ? `delivery-status report (${parsed.format}, bounce mailbox)` : 'not a delivery-status report (bounce mailbox): recorded, ignored';
    const summary = parsed
      ? { mailbox: this.config.BOUNCE_MAILBOX_NAME, format: parsed.format, action: parsed.action, status: parsed.status, originalMessageId: parsed.originalMessageId }
      : { mailbox: this.config.BOUNCE_MAILBOX_NAME };
    const inserted = await this.ds.query<Array<{ id: string }>>(
      `INSERT INTO intake_records (channel, source, external_id, raw, raw_bytes, message_id, content_hash, received_at, outcome, outcome_reason)
       VALUES ('email', $1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING RETURNING id`,
      [this.source, externalId, JSON.stringify(summary), raw, parsed?.messageId ?? null, createHash('sha256').update(raw).digest('hex'), receivedAt, outcome, reason],
    );
    const id =
      inserted[0]?.id ??
      (await this.ds.query<Array<{ id: string }>>(`SELECT id FROM intake_records WHERE source = $1 AND external_id = $2`, [this.source, externalId]))[0]?.id;
    if (!parsed) {
      if (id) await this.ds.query(`UPDATE intake_records SET processed_at = COALESCE(processed_at, now()) WHERE id = $1`, [id]);
      return { stored: inserted.length > 0, outcome: 'not_a_report' };
    }
    // Already stored under another key (the same report fetched after a UIDVALIDITY change): the report still counts once.
    const result = await this.bounces.apply(parsed, id ?? null);
    if (id) await this.ds.query(`UPDATE intake_records SET processed_at = now(), attempts = attempts + 1 WHERE id = $1`, [id]);
    return { stored: inserted.length > 0, outcome: result.outcome };
  }
}
