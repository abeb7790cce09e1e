import { Module } from '@nestjs/common';
import { APP_CONFIG, configuredMailboxes, type AppConfig } from '@kefu/shared';
import { IntakeRecordsModule } from '../intake-records/intake-records.module';
import { connectMailbox, MAILBOXES, type Mailbox } from './mailboxes';
import { MailProcessingModule } from './mail-processing.module';
import { MailboxPollDisabled, MailboxPollProcessor, MailboxScheduler } from './mailbox-poll.processor';
import { MailboxPollService } from './mailbox-poll.service';
import { MailboxRunner } from './mailbox-runner.service';
import { MailboxStore } from './mailbox-store.service';
import { MailboxWatcher } from './mailbox-watcher.service';

/**
 * Inbound mail over IMAP — the customer-service mailbox (email and fax-to-email cases) and the bounce mailbox
 * (delivery reports for the notifier) — and the intake-records API (quarantine, re-process). With no mailbox
 * configured there is no watcher, no worker, no schedule; the API still works.
 */
@Module({
  imports: [MailProcessingModule, IntakeRecordsModule],
  providers: [
    {
      provide: MAILBOXES,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): Mailbox[] => configuredMailboxes(config).map(connectMailbox),
    },
    {
      // The BullMQ explorer starts a worker for a factory provider only if the instance is a @Processor.
      provide: MailboxPollProcessor,
      inject: [MAILBOXES, MailboxRunner],
      useFactory: (mailboxes: Mailbox[], runner: MailboxRunner) =>
        mailboxes.length ? new MailboxPollProcessor(runner) : new MailboxPollDisabled(),
    },
    MailboxStore,
    MailboxPollService,
    MailboxRunner,
    MailboxWatcher,
    MailboxScheduler,
  ],
  exports: [MailboxRunner, MailboxPollService],
})
export class MailboxModule {}
