import { Module } from '@nestjs/common';
import { MailProcessingModule } from '../mailbox/mail-processing.module';
import { IntakeRecordsController } from './intake-records.controller';
import { IntakeRecordsService } from './intake-records.service';

@Module({ imports: [MailProcessingModule], controllers: [IntakeRecordsController], providers: [IntakeRecordsService] })
export class IntakeRecordsModule {}
