import { Module } from '@nestjs/common';
import { VisitPlanService } from './visit-plan.service';
import { VisitPlansController } from './visit-plans.controller';
import { VisitReminderService } from './visit-reminder.service';

/** Owner visits (002 §7.5.2, 004 篇3 §4.13, 000 §6.4.2, §6.5.2): the yearly plans and the daily reminders to staff. */
@Module({
  controllers: [VisitPlansController],
  providers: [VisitPlanService, VisitReminderService],
  exports: [VisitPlanService, VisitReminderService],
})
export class VisitsModule {}
