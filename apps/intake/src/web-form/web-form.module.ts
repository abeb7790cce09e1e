import { Module } from '@nestjs/common';
import { CasesModule } from '../cases/cases.module';
import { WebIpLimits } from './ip-limit.service';
import { PowChallenges } from './pow.service';
import { ReturnVisitController } from './return-visit.controller';
import { WebComplaintsController } from './web-complaints.controller';
import { WebFormController } from './web-form.controller';
import { WebFormService } from './web-form.service';
import { WebUploadBudget } from './upload-budget.guard';

/** The public complaint form at /complaint and POST /api/v1/web-complaints; the owners' return-visit page at /visit. */
@Module({
  imports: [CasesModule],
  controllers: [WebFormController, WebComplaintsController, ReturnVisitController],
  providers: [WebFormService, PowChallenges, WebIpLimits, WebUploadBudget],
  exports: [WebIpLimits],
})
export class WebFormModule {}
