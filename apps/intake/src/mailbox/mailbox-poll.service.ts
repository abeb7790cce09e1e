import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig, type IntakeOutcome } from '@kefu/shared';
import { MAILBOX_CONNECTOR, type MailboxClient, type MailboxConnector, type OpenFolder } from './mailbox-client';
import { MailProcessingService, type ProcessResult } from './mail-processing.service';
import { MailboxStore, type FetchedMessage, type StoredRef } from './mailbox-store.service';

/** Arbitrary but fixed: the advisory-lock class of mailbox pollers (the key within it is the mailbox name). */
const POLL_LOCK_CLASS = 42_0317;
/** Messages per FETCH / store transaction / MOVE, and the bytes such a batch may hold. */
const BATCH_MESSAGES = 250;
const BATCH_BYTES = 32 * 1024 * 1024;
/** Larger than this many times MAIL_MAX_BYTES, only the start is kept (the whole stays in the quarantine folder). */
const KEEP_WHOLE_FACTOR = 4;
const TRUNCATED_KEEP_BYTES = 1024 * 1024;
/** Stored-but-undecided mail re-processed per cycle (after a crash or an outage). */
const PENDING_SWEEP = 500;

export interface PollReport {
  skipped?: 'locked' | 'stopping';
  uidValidityChanged: boolean;
  seen: number;
  stored: number;
  outcomes: Partial<Record<IntakeOutcome, number>>;
  moved: number;
  /** Left in the folder for the next cycle (a transient failure). */
  left: number;
  /** Milliseconds spent per phase, summed over batches. */
  ms: { fetch: number; store: number; decide: number; move: number };
}

interface StoredBatch {
  messages: FetchedMessage[];
  refs: Map<number, StoredRef>;
}

/** A promise that never rejects (its failure is the value): awaited later, it cannot go unhandled meanwhile. */
const settled = <T>(p: Promise<T>): Promise<{ value: T } | { error: unknown }> => p.then((value) => ({ value }), (error: unknown) => ({ error }));

const FINAL = new Set<IntakeOutcome>(['case_created', 'added_to_case', 'duplicate', 'auto_reply', 'bounce', 'quarantined']);

/**
 * One poll of the customer-service mailbox. Under a Postgres advisory lock (one poller per mailbox across
 * replicas): list the folder, store every new message's raw bytes with the advanced cursor in one
 * transaction, decide each stored message (in parallel, bounded), and only then MOVE the decided ones
 * out of the folder, in bulk by UID set. A crash at any point leaves each mail either still in the
 * folder (and found again) or stored (and decided from the stored bytes): never lost, never twice.
 */
@Injectable()
export class MailboxPollService implements OnApplicationShutdown {
  private readonly logger = new Logger(MailboxPollService.name);
  private stopping = false;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(MAILBOX_CONNECTOR) private readonly connector: MailboxConnector | null,
    private readonly store: MailboxStore,
    private readonly processing: MailProcessingService,
  ) {}

  get enabled(): boolean {
    return this.connector !== null;
  }

  get source(): string {
    return `imap:${this.config.MAILBOX_NAME}`;
  }

  onApplicationShutdown(): void {
    this.stopping = true;
  }

  async pollOnce(): Promise<PollReport> {
    const report: PollReport = { uidValidityChanged: false, seen: 0, stored: 0, outcomes: {}, moved: 0, left: 0, ms: { fetch: 0, store: 0, decide: 0, move: 0 } };
    if (!this.connector || this.stopping) return { ...report, skipped: 'stopping' };
    // The lock lives on one connection for the whole poll; if that connection dies, Postgres releases it.
    const runner = this.ds.createQueryRunner();
    await runner.connect();
    try {
      const rows = (await runner.query(`SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked`, [POLL_LOCK_CLASS, this.config.MAILBOX_NAME])) as Array<{ locked: boolean }>;
      if (!rows[0]?.locked) return { ...report, skipped: 'locked' };
      try {
        await this.cycle(this.connector, report);
      } finally {
        await runner.query(`SELECT pg_advisory_unlock($1, hashtext($2))`, [POLL_LOCK_CLASS, this.config.MAILBOX_NAME]).catch(() => undefined);
      }
      return report;
    } finally {
      await runner.release();
    }
  }

  private async cycle(connector: MailboxConnector, report: PollReport): Promise<void> {
    const { MAILBOX_NAME: mailbox, MAILBOX_FOLDER: folder, MAILBOX_PROCESSED_FOLDER: processed, MAILBOX_QUARANTINE_FOLDER: quarantine } = this.config;
    const client = await connector.connect();
    try {
      await client.ensureFolders([processed, quarantine]);
      const box = await client.open(folder);
      let lastUid = 0;
      const cursor = await this.store.cursor(mailbox);
      if (!cursor || cursor.uidValidity !== box.uidValidity) {
        if (cursor) this.logger.warn({ mailbox, from: cursor.uidValidity, to: box.uidValidity }, 'UIDVALIDITY changed: resyncing the whole folder (stored mail is recognised by Message-ID and content)');
        await this.store.resetCursor(mailbox, folder, box.uidValidity);
        report.uidValidityChanged = !!cursor;
      } else lastUid = cursor.lastUid;
      const uids = await client.uids();
      report.seen = uids.length;
      // Above the cursor everything is new; at or below it, a UID still here was stored but not moved (or never stored).
      const known = await this.store.known(this.source, box.uidValidity, uids.filter((u) => u <= lastUid));

      // Stored before (a crash, a failed MOVE, an outage): decide what is still pending, then move.
      const earlier = [...known];
      for (let i = 0; i < earlier.length && !this.stopping; i += BATCH_MESSAGES) {
        const slice = earlier.slice(i, i + BATCH_MESSAGES);
        const decided = await this.decidePending(slice.filter(([, ref]) => ref.outcome === 'pending').map(([, ref]) => ref.id), report);
        await this.moveDecided(client, slice.map(([uid, ref]) => ({ uid, outcome: decided.get(ref.id) ?? ref.outcome })), report);
      }

      const fresh = uids.filter((u) => !known.has(u));
      // Pipelined: the next batch is fetched and stored while this one is decided (the lanes would otherwise
      // wait for every FETCH and store); each mail is still stored before it is decided, and moved after.
      const batches = await this.batches(client, fresh);
      let next = batches.length ? settled(this.fetchStore(client, box, batches[0]!, report)) : null;
      for (let i = 0; next; i++) {
        const stored = await next;
        if ('error' in stored) throw stored.error;
        next = i + 1 < batches.length && !this.stopping ? settled(this.fetchStore(client, box, batches[i + 1]!, report)) : null;
        try {
          await this.decideMove(client, stored.value, report);
        } catch (err) {
          // Let the batch being stored finish (its mail is safe either way) before giving up the cycle.
          await next;
          throw err;
        }
      }
      await this.sweepPending(report);
    } finally {
      await client.logout();
    }
  }

  private get concurrency(): number {
    return Math.max(1, Math.min(8, this.config.DB_POOL_SIZE - 2));
  }

  /** UIDs grouped so a batch stays within BATCH_MESSAGES and BATCH_BYTES; an oversized mail travels alone. */
  private async batches(client: MailboxClient, uids: number[]): Promise<Array<{ uids: number[]; maxBytes?: number }>> {
    const out: Array<{ uids: number[]; maxBytes?: number }> = [];
    const keepWhole = this.config.MAIL_MAX_BYTES * KEEP_WHOLE_FACTOR;
    for (let i = 0; i < uids.length; i += 2000) {
      const sizes = await client.sizes(uids.slice(i, i + 2000));
      let current: number[] = [];
      let bytes = 0;
      for (const uid of uids.slice(i, i + 2000)) {
        const size = sizes.get(uid) ?? 0;
        if (size > this.config.MAIL_MAX_BYTES) {
          out.push(size > keepWhole ? { uids: [uid], maxBytes: TRUNCATED_KEEP_BYTES } : { uids: [uid] });
          continue;
        }
        if (current.length >= BATCH_MESSAGES || (current.length > 0 && bytes + size > BATCH_BYTES)) {
          out.push({ uids: current });
          current = [];
          bytes = 0;
        }
        current.push(uid);
        bytes += size;
      }
      if (current.length) out.push({ uids: current });
    }
    return out;
  }

  /** Fetches a batch and stores it (committed before anything happens on the server: from then on the mail is ours). */
  private async fetchStore(client: MailboxClient, box: OpenFolder, batch: { uids: number[]; maxBytes?: number }, report: PollReport): Promise<StoredBatch> {
    let t = performance.now();
    const fetched = await client.fetch(batch.uids, batch.maxBytes ? { maxBytes: batch.maxBytes } : {});
    report.ms.fetch += Math.round(performance.now() - t);
    if (fetched.length === 0) return { messages: [], refs: new Map() };
    const messages = fetched.map((f) => ({ uid: f.uid, size: f.size, internalDate: f.internalDate, raw: f.source, truncated: batch.maxBytes !== undefined && f.source.length < f.size }));
    t = performance.now();
    const refs = await this.store.storeBatch({ mailbox: this.config.MAILBOX_NAME, source: this.source, folder: this.config.MAILBOX_FOLDER, uidValidity: box.uidValidity, messages });
    report.stored += messages.length;
    report.ms.store += Math.round(performance.now() - t);
    return { messages, refs };
  }

  /** Decides a stored batch's pending mail, then moves every decided one out of the folder. */
  private async decideMove(client: MailboxClient, { messages, refs }: StoredBatch, report: PollReport): Promise<void> {
    if (messages.length === 0) return;
    let t = performance.now();
    const pending = messages.filter((msg) => refs.get(msg.uid)?.outcome === 'pending');
    const processed = await this.processing.processMany(
      pending.map((msg) => ({ id: refs.get(msg.uid)!.id, source: this.source, raw: msg.raw, receivedAt: msg.internalDate ?? new Date(), size: msg.size, truncated: msg.truncated })),
      this.concurrency,
    );
    const byUid = new Map(pending.map((msg, i) => [msg.uid, this.count(processed[i]!, report)]));
    const results = messages.map((msg) => ({ uid: msg.uid, outcome: byUid.get(msg.uid) ?? refs.get(msg.uid)?.outcome ?? 'pending' }));
    report.ms.decide += Math.round(performance.now() - t);
    t = performance.now();
    await this.moveDecided(client, results, report);
    report.ms.move += Math.round(performance.now() - t);
  }

  /** Decides stored, still-pending records from their stored bytes; returns the outcome per record id. */
  private async decidePending(ids: string[], report: PollReport): Promise<Map<string, IntakeOutcome>> {
    const mails = await this.processing.loadStored(ids, ['pending']);
    const results = await this.processing.processMany(mails, this.concurrency);
    return new Map(mails.map((mail, i) => [mail.id, this.count(results[i]!, report)]));
  }

  private count(result: ProcessResult, report: PollReport): IntakeOutcome {
    report.outcomes[result.outcome] = (report.outcomes[result.outcome] ?? 0) + 1;
    return result.outcome;
  }

  /** One MOVE per destination; undecided mail stays for the next cycle. */
  private async moveDecided(client: MailboxClient, results: Array<{ uid: number; outcome: IntakeOutcome }>, report: PollReport): Promise<void> {
    const toQuarantine = results.filter((r) => r.outcome === 'quarantined').map((r) => r.uid);
    const toProcessed = results.filter((r) => FINAL.has(r.outcome) && r.outcome !== 'quarantined').map((r) => r.uid);
    report.left += results.length - toQuarantine.length - toProcessed.length;
    await client.move(toProcessed, this.config.MAILBOX_PROCESSED_FOLDER);
    await client.move(toQuarantine, this.config.MAILBOX_QUARANTINE_FOLDER);
    report.moved += toProcessed.length + toQuarantine.length;
  }

  /** Pending records no longer in the folder listing (moved by hand, an older UIDVALIDITY): decided from the stored bytes. */
  private async sweepPending(report: PollReport): Promise<void> {
    if (this.stopping) return;
    const pending = await this.store.pending(this.source, PENDING_SWEEP);
    await this.decidePending(pending.map((p) => p.id), report);
  }
}
