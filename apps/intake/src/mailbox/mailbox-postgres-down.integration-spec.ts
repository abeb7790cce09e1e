import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  dataSourceOptions,
  ensureDatabase,
  freePort,
  runMigrations,
  startEmbeddedPostgres,
  type LocalPostgres,
} from '@kefu/shared';
import { startDovecot, startTestApp, testConfig, type TestDovecot } from '@kefu/shared/testing';
import { intakeApp } from '../intake.app';
import { MailboxRunner } from './mailbox-runner.service';
import { fixture } from './testing/mail-test-env';

/** Its own Postgres cluster, because this test stops it (the harness's cluster serves every other file). */
describe('email intake with Postgres down', () => {
  let dir: string;
  let port: number;
  let pg: LocalPostgres;
  let dovecot: TestDovecot;
  let app: INestApplication;
  const start = () => startEmbeddedPostgres({ dataDir: join(dir, 'pg'), port, password: 'down-test', ephemeral: true });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kefu-mail-pg-down-'));
    port = await freePort();
    pg = await start();
    await ensureDatabase(pg.url(), 'kefu');
    await runMigrations(pg.url('kefu'));
    dovecot = await startDovecot();
    app = await startTestApp(
      intakeApp,
      testConfig({ DATABASE_URL: pg.url('kefu'), MAILBOX_URL: dovecot.url, MAILBOX_RESYNC_SECONDS: '3600' }),
    );
    // One good poll first, so the folders exist and the cursor is set.
    await app.get(MailboxRunner).request('test');
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await pg?.stop();
    await dovecot?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('leaves the mailbox untouched (nothing moved, nothing flagged) and takes the mail once Postgres is back', async () => {
    await pg.stop();
    await dovecot.appendMessages('INBOX', [
      fixture('gb2312-foxmail.eml'),
      fixture('fax-efax-pdf.eml'),
      fixture('malformed-no-boundary.eml'),
    ]);
    await expect(app.get(MailboxRunner).request('test')).rejects.toThrow();
    const inbox = await dovecot.list('INBOX');
    expect(inbox).toHaveLength(3);
    for (const m of inbox) expect(m.flags.filter((f) => f !== '\\Recent')).toEqual([]);
    expect(await dovecot.list('Processed')).toEqual([]);
    expect(await dovecot.list('Quarantine')).toEqual([]);

    pg = await start();
    await app.get(MailboxRunner).request('test');
    expect(await dovecot.list('INBOX')).toEqual([]);
    expect((await dovecot.list('Processed')).map((m) => m.messageId).sort()).toEqual([
      '1795390000.efax.0001@inbound.efax.com',
      '202611231005112341298@163.com',
    ]);
    expect((await dovecot.list('Quarantine')).map((m) => m.messageId)).toEqual(['malformed-1@example.com']);
    const ds = new DataSource(dataSourceOptions(pg.url('kefu'), { poolSize: 1 }));
    await ds.initialize();
    try {
      expect(await ds.query(`SELECT outcome, channel FROM intake_records ORDER BY outcome, channel`)).toEqual([
        { outcome: 'case_created', channel: 'email' },
        { outcome: 'case_created', channel: 'fax' },
        { outcome: 'quarantined', channel: 'email' },
      ]);
    } finally {
      await ds.destroy();
    }
  }, 60_000);
});
