import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import {
  APP_CONFIG,
  LockClass,
  withTryAdvisoryLock,
  type AppConfig,
  type IntakeOutcome,
  type MailboxClient,
  type MailboxSpec,
  type OpenFolder,
} from '@kefu/shared';
import { MailProcessingService, type ProcessResult } from './mail-processing.service';
import type { Mailbox } from './mailboxes';
import { MailboxStore, type FetchedMessage, type StoredRef } from './mailbox-store.service';
import { BATCH_MESSAGES, destinations, sizeBatches, type MailBatch } from './mail-batches';

/** UIDs per SIZE query. */
const SIZES_PER_QUERY = 2000;
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
const settled = <T>(p: Promise<T>): Promise<{ value: T } | { error: unknown }> =>
  p.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );

/**
 * One poll of a mailbox (the customer-service mailbox, the bounce mailbox: what its mail becomes is the
 * mailbox's route, decided by MailProcessingService). Under a Postgres advisory lock (one poller per mailbox across
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
    private readonly store: MailboxStore,
    private readonly processing: MailProcessingService,
  ) {}

  onApplicationShutdown(): void {
    this.stopping = true;
  }

  async pollOnce(mailbox: Mailbox): Promise<PollReport> {
    const report: PollReport = {
      uidValidityChanged: false,
      seen: 0,
      stored: 0,
      outcomes: {},
      moved: 0,
      left: 0,
      ms: { fetch: 0, store: 0, decide: 0, move: 0 },
    };
    if (this.stopping) return { ...report, skipped: 'stopping' };
    const run = await withTryAdvisoryLock(this.ds, LockClass.MailboxPoll, mailbox.spec.name, () =>
      this.cycle(mailbox, report),
    );
    return run.locked ? report : { ...report, skipped: 'locked' };
  }

  private async cycle({ spec, connector }: Mailbox, report: PollReport): Promise<void> {
    const { name: mailbox, folder, processedFolder: processed, quarantineFolder: quarantine } = spec;
    const client = await connector.connect();
    try {
      await client.ensureFolders([processed, quarantine]);
      const box = await client.open(folder);
      let lastUid = 0;
      const cursor = await this.store.cursor(mailbox);
      if (!cursor || cursor.uidValidity !== box.uidValidity) {
        if (cursor)
          this.logger.warn(
            { mailbox, from: cursor.uidValidity, to: box.uidValidity },
            'UIDVALIDITY changed: resyncing the whole folder (stored mail is recognised by Message-ID and content)',
          );
        await this.store.resetCursor(mailbox, folder, box.uidValidity);
        report.uidValidityChanged = !!cursor;
      } else lastUid = cursor.lastUid;
      const uids = await client.uids();
      report.seen = uids.length;
      // Above the cursor everything is new; at or below it, a UID still here was stored but not moved (or never stored).
      const known = await this.store.known(
        spec.source,
        box.uidValidity,
        uids.filter((u) => u <= lastUid),
      );

      // Stored before (a crash, a failed MOVE, an outage): decide what is still pending, then move.
      const earlier = [...known];
      for (let i = 0; i < earlier.length && !this.stopping; i += BATCH_MESSAGES) {
        const slice = earlier.slice(i, i + BATCH_MESSAGES);
        const decided = await this.decidePending(
          slice.filter(([, ref]) => ref.outcome === 'pending').map(([, ref]) => ref.id),
          report,
        );
        await this.moveDecided(
          client,
          spec,
          slice.map(([uid, ref]) => ({ uid, outcome: decided.get(ref.id) ?? ref.outcome })),
          report,
        );
      }

      const fresh = uids.filter((u) => !known.has(u));
      // Pipelined: the next batch is fetched and stored while this one is decided (the lanes would otherwise
      // wait for every FETCH and store); each mail is still stored before it is decided, and moved after.
      const batches = await this.batches(client, fresh);
      let next = batches.length ? settled(this.fetchStore(client, spec, box, batches[0]!, report)) : null;
      for (let i = 0; next; i++) {
        const stored = await next;
        if ('error' in stored) throw stored.error;
        next =
          i + 1 < batches.length && !this.stopping
            ? settled(this.fetchStore(client, spec, box, batches[i + 1]!, report))
            : null;
        try {
          await this.decideMove(client, spec, stored.value, report);
        } catch (err) {
          // Let the batch being stored finish (its mail is safe either way) before giving up the cycle.
          await next;
          throw err;
        }
      }
      await this.sweepPending(spec, report);
    } finally {
      await client.logout();
    }
  }

  private get concurrency(): number {
    return Math.max(1, Math.min(8, this.config.DB_POOL_SIZE - 2));
  }
  /** UIDs grouped so a batch stays within BATCH_MESSAGES and BATCH_BYTES; an oversized mail travels alone. */
  private async batches(client: MailboxClient, uids: number[]): Promise<MailBatch[]> {
    const out: MailBatch[] = [];
    for (let i = 0; i < uids.length; i += SIZES_PER_QUERY) {
      const chunk = uids.slice(i, i + SIZES_PER_QUERY);
      out.push(...sizeBatches(chunk, await client.sizes(chunk), this.config.MAIL_MAX_BYTES));
    }
    return out;
  }

  /** Fetches a batch and stores it (committed before anything happens on the server: from then on the mail is ours). */
  private async fetchStore(
    client: MailboxClient,
    spec: MailboxSpec,
    box: OpenFolder,
    batch: MailBatch,
    report: PollReport,
  ): Promise<StoredBatch> {
    let t = performance.now();
    const fetched = await client.fetch(batch.uids, batch.maxBytes ? { maxBytes: batch.maxBytes } : {});
    report.ms.fetch += Math.round(performance.now() - t);
    if (fetched.length === 0) return { messages: [], refs: new Map() };
    const messages = fetched.map((f) => ({
      uid: f.uid,
      size: f.size,
      internalDate: f.internalDate,
      raw: f.source,
      truncated: batch.maxBytes !== undefined && f.source.length < f.size,
    }));
    t = performance.now();
    const refs = await this.store.storeBatch({
      mailbox: spec.name,
      source: spec.source,
      folder: spec.folder,
      uidValidity: box.uidValidity,
      messages,
    });
    report.stored += messages.length;
    report.ms.store += Math.round(performance.now() - t);
    return { messages, refs };
  }

  /** Decides a stored batch's pending mail, then moves every decided one out of the folder. */
  private async decideMove(
    client: MailboxClient,
    spec: MailboxSpec,
    { messages, refs }: StoredBatch,
    report: PollReport,
  ): Promise<void> {
    if (messages.length === 0) return;
    let t = performance.now();
    const pending = messages.filter((msg) => refs.get(msg.uid)?.outcome === 'pending');
    const processed = await this.processing.processMany(
      pending.map((msg) => ({
        id: refs.get(msg.uid)!.id,
        source: spec.source,
        route: spec.route,
        raw: msg.raw,
        receivedAt: msg.internalDate ?? new Date(),
        size: msg.size,
        truncated: msg.truncated,
      })),
      this.concurrency,
    );
    const byUid = new Map(pending.map((msg, i) => [msg.uid, this.count(processed[i]!, report)]));
    const results = messages.map((msg) => ({
      uid: msg.uid,
      outcome: byUid.get(msg.uid) ?? refs.get(msg.uid)?.outcome ?? 'pending',
    }));
    report.ms.decide += Math.round(performance.now() - t);
    t = performance.now();
    await this.moveDecided(client, spec, results, report);
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
  private async moveDecided(
    client: MailboxClient,
    spec: MailboxSpec,
    results: Array<{ uid: number; outcome: IntakeOutcome }>,
    report: PollReport,
  ): Promise<void> {
    const { toProcessed, toQuarantine, left } = destinations(results);
    report.left += left;
    await client.move(toProcessed, spec.processedFolder);
    await client.move(toQuarantine, spec.quarantineFolder);
    report.moved += toProcessed.length + toQuarantine.length;
  }

  /** Pending records no longer in the folder listing (moved by hand, an older UIDVALIDITY): decided from the stored bytes. */
  private async sweepPending(spec: MailboxSpec, report: PollReport): Promise<void> {
    if (this.stopping) return;
    const pending = await this.store.pending(spec.source, PENDING_SWEEP);
    await this.decidePending(
      pending.map((p) => p.id),
      report,
    );
  }
}
