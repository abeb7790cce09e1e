import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { AppConfig } from '@kefu/shared';
import {
  createTestDatabase,
  startDovecot,
  startTestApp,
  testConfig,
  type TestDatabase,
  type TestDovecot,
} from '@kefu/shared/testing';
import { intakeApp } from '../../intake.app';
import { MailboxRunner } from '../mailbox-runner.service';
import type { PollReport } from '../mailbox-poll.service';

export const FIXTURES = join(__dirname, '../../../test-fixtures/mail');
export const fixture = (name: string): Buffer => readFileSync(join(FIXTURES, name));

export interface MailTestEnv {
  db: TestDatabase;
  dovecot: TestDovecot;
  app: INestApplication;
  config: AppConfig;
  /** A poll that starts after this call, to completion. */
  poll: () => Promise<PollReport>;
  /** Intake records by Message-ID (a mail absorbed into a case's record keeps its Message-ID). */
  record: (messageId: string) => Promise<
    | {
        id: string;
        outcome: string;
        outcome_reason: string | null;
        case_id: string | null;
        channel: string;
        attempts: number;
      }
    | undefined
  >;
  close: () => Promise<void>;
}

/** Postgres (own database), a private Dovecot and the intake app pointed at it. */
export async function startMailTestEnv(overrides: Partial<Record<keyof AppConfig, string>> = {}): Promise<MailTestEnv> {
  const db = await createTestDatabase();
  const dovecot = await startDovecot();
  const config = testConfig({
    DATABASE_URL: db.url,
    MAILBOX_URL: dovecot.url,
    MAILBOX_RESYNC_SECONDS: '3600',
    ...overrides,
  });
  const app = await startTestApp(intakeApp, config);
  return {
    db,
    dovecot,
    app,
    config,
    poll: () => app.get(MailboxRunner).request('test'),
    record: async (messageId) => {
      const rows: Array<Awaited<ReturnType<MailTestEnv['record']>>> = await db.dataSource.query(
        `SELECT id, outcome, outcome_reason, case_id, channel, attempts FROM intake_records WHERE message_id = $1 OR raw->>'messageId' = $1 ORDER BY created_at`,
        [messageId],
      );
      return rows[0];
    },
    close: async () => {
      await app.close();
      await dovecot.stop();
      await db.drop();
    },
  };
}
