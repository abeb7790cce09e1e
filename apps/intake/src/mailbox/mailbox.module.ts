import { Module } from '@nestjs/common';
import { APP_CONFIG, configuredMailboxes, type AppConfig } from '@kefu/shared';
import { IntakeRecordsModule } from '../intake-records/intake-records.module';
import { connectMailbox, MAILBOXES, type Mailbox } from './mailboxes';
import { MailProcessingModule } from './mail-processing.module';
import { MailboxJobs } from './mailbox.jobs';
import { MailboxPollService } from './mailbox-poll.service';
import { MailboxRunner } from './mailbox-runner.service';
import { MailboxStore } from './mailbox-store.service';
import { MailboxWatcher } from './mailbox-watcher.service';

/**
 * Inbound mail over IMAP — the customer-service mailbox (email and fax-to-email cases) and the bounce mailbox
 * (delivery reports for the notifier) — and the intake-records API (quarantine, re-process). With no mailbox
 * configured there is no watcher, no worker (IntakeJobsModule), no schedule; the API still works.
 */
@Module({
  imports: [MailProcessingModule, IntakeRecordsModule],
  providers: [
    {
      provide: MAILBOXES,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): Mailbox[] => configuredMailboxes(config).map(connectMailbox),
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
