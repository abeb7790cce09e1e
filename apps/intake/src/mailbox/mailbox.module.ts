import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@kefu/shared';
import { IntakeRecordsModule } from '../intake-records/intake-records.module';
import { ImapMailboxConnector, imapSettings } from './imap-mailbox.client';
import { MAILBOX_CONNECTOR, type MailboxConnector } from './mailbox-client';
import { MailProcessingModule } from './mail-processing.module';
import { MailboxJobs } from './mailbox.jobs';
import { MailboxPollService } from './mailbox-poll.service';
import { MailboxRunner } from './mailbox-runner.service';
import { MailboxStore } from './mailbox-store.service';
import { MailboxWatcher } from './mailbox-watcher.service';

/**
 * Email and fax-to-email intake over IMAP, and the intake-records API (quarantine, re-process).
 * With MAILBOX_URL unset there is no connector: no watcher, no worker (IntakeJobsModule), no schedule; the
 * API still works.
 */
@Module({
  imports: [MailProcessingModule, IntakeRecordsModule],
  providers: [
    {
      provide: MAILBOX_CONNECTOR,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): MailboxConnector | null => (config.MAILBOX_URL ? new ImapMailboxConnector(imapSettings(config.MAILBOX_URL, config.MAILBOX_TLS_VERIFY)) : null),
    },
    MailboxStore,
    MailboxPollService,
    MailboxRunner,
    MailboxWatcher,
    MailboxJobs,
  ],
  exports: [MailboxRunner, MailboxPollService],
})
export class MailboxModule {}
