import { Module } from '@nestjs/common';
import { CasesModule } from '../cases/cases.module';
import { VisitFiguresService } from './visit-figures.service';
import { VisitsController } from './visits.controller';
import { VisitsService } from './visits.service';

/** Owner visits, staff's side: due visits, visit records (follow-up cases through case intake), coverage and completion. */
@Module({
  imports: [CasesModule],
  controllers: [VisitsController],
  providers: [VisitsService, VisitFiguresService],
})
export class VisitsModule {}
