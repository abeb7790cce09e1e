import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { IntakeOutcome } from '@kefu/shared';
import { contentHashOf, headerBlock, messageIdOf } from '@kefu/shared';

/** A message as fetched from the server, before anything is decided about it. */
export interface FetchedMessage {
  uid: number;
  size: number;
  internalDate: Date | null;
  raw: Buffer;
  /** Only the start was fetched (larger than we ever keep whole); the rest stays on the server. */
  truncated: boolean;
}

export interface StoredRef {
  id: string;
  outcome: IntakeOutcome;
}

export interface Cursor {
  uidValidity: string;
  lastUid: number;
}

export const externalId = (uidValidity: string, uid: number): string => `${uidValidity}:${uid}`;

/**
 * Intake records of mail and the per-mailbox cursor. Storing a batch is one transaction: the raw bytes of
 * every message and the advanced cursor commit together, before the server is told anything.
 */
@Injectable()
export class MailboxStore {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async cursor(mailbox: string): Promise<Cursor | null> {
    const rows = await this.ds.query<Array<{ uid_validity: string; last_uid: string }>>(
      `SELECT uid_validity, last_uid FROM mailbox_cursors WHERE mailbox = $1`,
      [mailbox],
    );
    return rows[0] ? { uidValidity: rows[0].uid_validity, lastUid: Number(rows[0].last_uid) } : null;
  }

  /** A new UIDVALIDITY: every UID we knew is void, so the cursor starts over (the unique constraints keep the rest exactly-once). */
  async resetCursor(mailbox: string, folder: string, uidValidity: string): Promise<void> {
    await this.ds.query(
      `INSERT INTO mailbox_cursors (mailbox, folder, uid_validity, last_uid, updated_at) VALUES ($1, $2, $3, 0, now())
       ON CONFLICT (mailbox) DO UPDATE SET folder = $2, uid_validity = $3, last_uid = 0, updated_at = now()`,
      [mailbox, folder, uidValidity],
    );
  }

  /** Records already stored for these UIDs (of this UIDVALIDITY). */
  async known(source: string, uidValidity: string, uids: number[]): Promise<Map<number, StoredRef>> {
    return uids.length ? this.knownIn(this.ds.manager, source, uidValidity, uids) : new Map();
  }

  /**
   * Stores raw messages as pending intake records and advances the cursor, in one transaction. A message
   * whose Message-ID and content were stored before (another mailbox, a resync) gets a `duplicate` record
   * pointing at the first one instead. Returns the record of every UID.
   */
  async storeBatch(opts: {
    mailbox: string;
    source: string;
    folder: string;
    uidValidity: string;
    messages: FetchedMessage[];
  }): Promise<Map<number, StoredRef>> {
    const { source, uidValidity, messages } = opts;
    return this.ds.transaction(async (m) => {
      const params: unknown[] = [];
      const rows = messages.map((msg) => {
        const block = headerBlock(msg.raw);
        const info = {
          mailbox: opts.mailbox,
          folder: opts.folder,
          uidValidity,
          uid: msg.uid,
          size: msg.size,
          ...(msg.truncated ? { truncated: true } : {}),
        };
        params.push(
          source,
          externalId(uidValidity, msg.uid),
          JSON.stringify(info),
          msg.raw,
          messageIdOf(block),
          contentHashOf(msg.raw, block),
          msg.internalDate ?? new Date(),
        );
        const b = params.length - 7;
        return `('email', $${b + 1}, $${b + 2}, $${b + 3}::jsonb, $${b + 4}, $${b + 5}, $${b + 6}, $${b + 7})`;
      });
      await m.query(
        `INSERT INTO intake_records (channel, source, external_id, raw, raw_bytes, message_id, content_hash, received_at) VALUES ${rows.join(', ')} ON CONFLICT DO NOTHING`,
        params,
      );
      const refs = await this.knownIn(
        m,
        source,
        uidValidity,
        messages.map((x) => x.uid),
      );
      for (const msg of messages.filter((x) => !refs.has(x.uid)))
        refs.set(msg.uid, await this.storeDuplicate(m, source, uidValidity, msg));
      const maxUid = Math.max(...messages.map((x) => x.uid));
      await m.query(
        `INSERT INTO mailbox_cursors (mailbox, folder, uid_validity, last_uid, updated_at) VALUES ($1, $2, $3, $4, now())
         ON CONFLICT (mailbox) DO UPDATE SET folder = $2, last_uid = GREATEST(mailbox_cursors.last_uid, $4), updated_at = now() WHERE mailbox_cursors.uid_validity = $3`,
        [opts.mailbox, opts.folder, uidValidity, maxUid],
      );
      return refs;
    });
  }

  private async knownIn(
    m: EntityManager,
    source: string,
    uidValidity: string,
    uids: number[],
  ): Promise<Map<number, StoredRef>> {
    const rows = await m.query<Array<{ id: string; external_id: string; outcome: IntakeOutcome }>>(
      `SELECT id, external_id, outcome FROM intake_records WHERE source = $1 AND external_id = ANY($2::text[])`,
      [source, uids.map((u) => externalId(uidValidity, u))],
    );
    return new Map(rows.map((r) => [Number(r.external_id.split(':')[1]), { id: r.id, outcome: r.outcome }]));
  }

  /** The same message again: recorded (for the audit trail) and linked to the first one's case, bytes not kept twice. */
  private async storeDuplicate(
    m: EntityManager,
    source: string,
    uidValidity: string,
    msg: FetchedMessage,
  ): Promise<StoredRef> {
    const block = headerBlock(msg.raw);
    const messageId = messageIdOf(block);
    const hash = contentHashOf(msg.raw, block);
    const first = await m.query<Array<{ id: string; case_id: string | null; outcome: IntakeOutcome }>>(
      `SELECT id, case_id, outcome FROM intake_records WHERE message_id = $1 AND content_hash = $2`,
      [messageId, hash],
    );
    if (!first[0])
      throw new Error(`intake record for ${externalId(uidValidity, msg.uid)} was neither stored nor a duplicate`);
    const rows = await m.query<Array<{ id: string }>>(
      `INSERT INTO intake_records (channel, source, external_id, raw, message_id, content_hash, received_at, outcome, outcome_reason, case_id, processed_at)
       VALUES ('email', $1, $2, $3::jsonb, NULL, $4, $5, 'duplicate', $6, $7, now()) RETURNING id`,
      [
        source,
        externalId(uidValidity, msg.uid),
        JSON.stringify({ uidValidity, uid: msg.uid, size: msg.size, messageId, duplicateOf: first[0].id }),
        hash,
        msg.internalDate ?? new Date(),
        `same Message-ID and content as intake record ${first[0].id}`,
        first[0].case_id,
      ],
    );
    return { id: rows[0]!.id, outcome: 'duplicate' };
  }

  /** Stored mail of this source still waiting for a decision (after a crash, a failed attempt, Postgres trouble). */
  async pending(source: string, limit: number): Promise<Array<{ id: string; externalId: string | null }>> {
    const rows = await this.ds.query<Array<{ id: string; external_id: string | null }>>(
      `SELECT id, external_id FROM intake_records WHERE source = $1 AND outcome = 'pending' ORDER BY received_at, id LIMIT $2`,
      [source, limit],
    );
    return rows.map((r) => ({ id: r.id, externalId: r.external_id }));
  }
}
