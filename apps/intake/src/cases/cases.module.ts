import { Module } from '@nestjs/common';
import { CaseIntakeService } from './case-intake.service';
import { UnitDirectory } from './unit-directory';
import { CaseQueryService } from './case-query.service';
import { CaseWorkflowService } from './case-workflow.service';
import { CasesController } from './cases.controller';
import { ReturnVisitLinks } from './return-visit-links';

@Module({
  controllers: [CasesController],
  providers: [CaseIntakeService, CaseQueryService, CaseWorkflowService, UnitDirectory, ReturnVisitLinks],
  exports: [CaseIntakeService, CaseWorkflowService, ReturnVisitLinks],
})
export class CasesModule {}
