import { getQueueToken } from '@nestjs/bullmq';
import type { INestApplication } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { createTestDatabase, expectEventually, startTestApp, testConfig, type TestDatabase } from '../testing';
import { QueueProducer, Queues } from '../queues';
import type { AppDefinition } from '../http/bootstrap';
import { CoreModule } from '../http/core.module';
import { OutboxRelay } from './outbox-relay.service';

const bare: AppDefinition = {
  name: 'intake',
  title: 't',
  description: 't',
  module: (config) => ({ module: class RelayTestModule {}, imports: [CoreModule.forRoot('intake', config)] }),
};

describe('outbox relay', () => {
  let db: TestDatabase;
  let app: INestApplication;
  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(bare, testConfig({ DATABASE_URL: db.url }));
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  const addRows = async (n: number, tag: string): Promise<string[]> =>
    (
      await db.dataSource.query<Array<{ id: string }>>(
        `INSERT INTO outbox (job_name, payload, dedupe_key)
         SELECT 'case-received', jsonb_build_object('caseId', gen_random_uuid()::text), $1 || i FROM generate_series(1, $2) i RETURNING id`,
        [`${tag}:`, n],
      )
    ).map((r) => String(r.id));
  const state = (ids: string[]) =>
    db.dataSource.query<Array<{ relayed: number; attempts: number[] }>>(
      `SELECT count(*) FILTER (WHERE relayed_at IS NOT NULL)::int AS relayed, array_agg(DISTINCT attempts) AS attempts FROM outbox WHERE id = ANY($1::bigint[])`,
      [ids],
    );

  it('relays each row once however many passes run at the same time, and marks them relayed', async () => {
    const ids = await addRows(450, 'parallel');
    const relay = app.get(OutboxRelay);
    await Promise.all([relay.relayOnce(), relay.relayOnce(), relay.relayOnce()]);
    await expectEventually(async () => expect(await state(ids)).toEqual([{ relayed: 450, attempts: [1] }]));
    const queue = app.get<Queue>(getQueueToken(Queues.Scheduler), { strict: false });
    const jobIds = new Set((await queue.getJobs(['waiting'])).map((j) => j.id));
    expect(ids.filter((id) => jobIds.has(`ob-${id}`))).toHaveLength(450);
  });

  it('leaves the rows pending when Redis refuses them, and relays them once it accepts again', async () => {
    const producer = app.get(QueueProducer);
    const refuse = jest.spyOn(producer, 'enqueueBulk').mockRejectedValue(new Error('Connection is closed.'));
    try {
      const ids = await addRows(5, 'refused');
      await expect(app.get(OutboxRelay).relayOnce()).rejects.toThrow('Connection is closed.');
      expect(await state(ids)).toEqual([{ relayed: 0, attempts: [0] }]);
      refuse.mockRestore();
      // The claim was rolled back: nothing stays locked.
      await expectEventually(async () => expect(await state(ids)).toEqual([{ relayed: 5, attempts: [1] }]), {
        timeoutMs: 20_000,
      });
    } finally {
      refuse.mockRestore();
    }
  });
});
