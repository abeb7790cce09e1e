import { Module } from '@nestjs/common';
import { CasesModule } from '../cases/cases.module';
import { MailProcessingService } from './mail-processing.service';
import { MailOutcomeWriter } from './mail-outcome.writer';

/** Deciding a stored mail (shared by the poller and the intake-records API's re-process). */
@Module({
  imports: [CasesModule],
  providers: [MailProcessingService, MailOutcomeWriter],
  exports: [MailProcessingService],
})
export class MailProcessingModule {}
