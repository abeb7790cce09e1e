import { Module } from '@nestjs/common';
import { CaseIntakeService } from './case-intake.service';
import { UnitDirectory } from './unit-directory';
import { CaseQueryService } from './case-query.service';
import { CaseMessagesQuery } from './case-messages.query';
import { CaseWorkflowService } from './case-workflow.service';
import { CaseSteps } from './case-steps.service';
import { CaseEscalationService } from './case-escalation.service';
import { CaseReturnVisitService } from './case-return-visit.service';
import { CaseReclassifyService } from './case-reclassify.service';
import { CasesController } from './cases.controller';
import { ReturnVisitLinks } from './return-visit-links';
import { ClaimsController } from './claims/claims.controller';
import { ClaimsService } from './claims/claims.service';
import { EvidenceModule } from './evidence/evidence.module';
import { WarrantyModule } from './warranty/warranty.module';

@Module({
  imports: [EvidenceModule, WarrantyModule],
  controllers: [CasesController, ClaimsController],
  providers: [
    CaseIntakeService,
    CaseQueryService,
    CaseMessagesQuery,
    CaseWorkflowService,
    CaseSteps,
    CaseEscalationService,
    CaseReturnVisitService,
    CaseReclassifyService,
    UnitDirectory,
    ReturnVisitLinks,
    ClaimsService,
  ],
  exports: [CaseIntakeService, CaseWorkflowService, ReturnVisitLinks],
})
export class CasesModule {}
