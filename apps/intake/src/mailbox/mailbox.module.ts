import { Module } from '@nestjs/common';

/** Email and fax-to-email intake over IMAP (filled in by the mailbox work). */
@Module({})
export class MailboxModule {}
