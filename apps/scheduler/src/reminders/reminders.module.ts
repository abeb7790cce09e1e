import { Module } from '@nestjs/common';
import { EscalationChainController } from './escalation-chain.controller';
import { EscalationChainService } from './escalation-chain.service';
import { ReminderAcks } from './reminder-ack.service';
import { ReminderPlanner } from './reminder-planner.service';
import { ReminderQueryService } from './reminder-query.service';
import { ReminderSender } from './reminder-sender.service';
import { ReminderEscalations } from './reminder-escalation.service';
import { ReminderService } from './reminder.service';
import { ReminderJobs } from './reminders.jobs';
import { AckLinkController, RemindersController } from './reminders.controller';

export { REMINDER_SCAN_EVERY_MS } from './reminders.jobs';

/**
 * Part 1 of the scheduler: case deadlines from the SLA policy, reminders before and at each deadline,
 * acknowledgement (API and signed link), escalation up the chain, the managers' daily digest.
 */
@Module({
  providers: [
    EscalationChainService,
    ReminderService,
    ReminderPlanner,
    ReminderSender,
    ReminderEscalations,
    ReminderAcks,
    ReminderQueryService,
    ReminderJobs,
  ],
  controllers: [RemindersController, AckLinkController, EscalationChainController],
  exports: [ReminderService, ReminderQueryService],
})
export class RemindersModule {}
