import { Module } from '@nestjs/common';
import { CaseLibraryController } from './case-library.controller';
import { CaseSearchService } from './case-search.service';
import { CorrectiveActionsService } from './corrective-actions.service';
import { RecurringProblemsController } from './recurring-problems.controller';
import { CaseWriteupsService } from './case-writeups.service';

@Module({
  controllers: [CaseLibraryController, RecurringProblemsController],
  providers: [CaseSearchService, CaseWriteupsService, CorrectiveActionsService],
  exports: [CorrectiveActionsService],
})
export class CaseLibraryModule {}
