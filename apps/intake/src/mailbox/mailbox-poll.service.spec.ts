import type { AppConfig, FetchedRaw, MailboxClient, MailboxConnector, MailboxSpec } from '@kefu/shared';
import type { DataSource } from 'typeorm';
import type { MailProcessingService, ProcessResult, StoredMail } from './mail-processing.service';
import { MailboxPollService } from './mailbox-poll.service';
import type { FetchedMessage, MailboxStore, StoredRef } from './mailbox-store.service';

/** Fakes around the poller: an IMAP folder of `n` small messages, a store and a processor that log what happens when. */
function setup(n: number, opts: { failStoreOfBatch?: number } = {}) {
  const log: string[] = [];
  const tick = () => new Promise((r) => setTimeout(r, 5));
  let stores = 0;
  const client: MailboxClient = {
    open: () => Promise.resolve({ uidValidity: '7', uidNext: n + 1, exists: n }),
    ensureFolders: () => Promise.resolve(),
    uids: () => Promise.resolve(Array.from({ length: n }, (_, i) => i + 1)),
    sizes: (uids) => Promise.resolve(new Map(uids.map((u) => [u, 100]))),
    fetch: async (uids): Promise<FetchedRaw[]> => {
      log.push(`fetch ${uids[0]}`);
      await tick();
      return uids.map((uid) => ({ uid, size: 100, internalDate: null, source: Buffer.from(`mail ${uid}`) }));
    },
    move: async (uids, folder) => {
      if (uids.length) log.push(`move ${uids[0]} ${folder}`);
      await tick();
    },
    onNewMail: () => undefined,
    onClose: () => undefined,
    logout: () => Promise.resolve(),
  };
  const connector: MailboxConnector = { connect: () => Promise.resolve(client) };
  const store = {
    cursor: () => Promise.resolve(null),
    resetCursor: () => Promise.resolve(),
    known: () => Promise.resolve(new Map()),
    pending: () => Promise.resolve([]),
    storeBatch: async (o: { messages: FetchedMessage[] }) => {
      const batch = ++stores;
      log.push(`store ${o.messages[0]!.uid}`);
      await tick();
      if (batch === opts.failStoreOfBatch) throw new Error('Postgres is down');
      return new Map<number, StoredRef>(o.messages.map((m) => [m.uid, { id: `r${m.uid}`, outcome: 'pending' }]));
    },
  } as unknown as MailboxStore;
  const processing = {
    loadStored: () => Promise.resolve([]),
    processMany: async (mails: StoredMail[]): Promise<ProcessResult[]> => {
      if (mails.length === 0) return [];
      log.push(`decide ${mails[0]!.id}`);
      await tick();
      await tick();
      return mails.map((m) => ({
        recordId: m.id,
        outcome: 'case_created',
        reason: null,
        caseId: null,
        caseNumber: null,
      }));
    },
  } as unknown as MailProcessingService;
  const runner = {
    connect: () => Promise.resolve(),
    query: () => Promise.resolve([{ locked: true }]),
    release: () => Promise.resolve(),
  };
  const ds = { createQueryRunner: () => runner } as unknown as DataSource;
  const config = { MAIL_MAX_BYTES: 1_000_000, DB_POOL_SIZE: 10 } as AppConfig;
  const spec = {
    name: 'cs',
    source: 'imap:cs',
    route: 'cases',
    folder: 'INBOX',
    processedFolder: 'Processed',
    quarantineFolder: 'Quarantine',
  } as MailboxSpec;
  const poller = new MailboxPollService(ds, config, store, processing);
  return { log, poll: () => poller.pollOnce({ spec, connector }) };
}

describe('MailboxPollService batches', () => {
  it('fetches and stores the next batch while deciding this one; each mail is stored before it is decided and moved after', async () => {
    const { log, poll } = setup(600); // 250 + 250 + 100
    const report = await poll();
    expect(report).toMatchObject({ seen: 600, stored: 600, moved: 600, outcomes: { case_created: 600 } });
    const at = (entry: string) => log.indexOf(entry);
    for (const first of [1, 251, 501]) {
      expect(at(`store ${first}`)).toBeGreaterThan(at(`fetch ${first}`));
      expect(at(`decide r${first}`)).toBeGreaterThan(at(`store ${first}`));
      expect(at(`move ${first} Processed`)).toBeGreaterThan(at(`decide r${first}`));
    }
    // Pipelined: the second batch was fetched before the first was moved.
    expect(at('fetch 251')).toBeLessThan(at('move 1 Processed'));
  });

  it('moves nothing of a batch whose store failed, and gives up the cycle once the batch in hand is done', async () => {
    const { log, poll } = setup(600, { failStoreOfBatch: 2 });
    await expect(poll()).rejects.toThrow('Postgres is down');
    expect(log).toContain('move 1 Processed');
    expect(log.filter((e) => e.startsWith('decide') || e.startsWith('move'))).toEqual([
      'decide r1',
      'move 1 Processed',
    ]);
  });
});
