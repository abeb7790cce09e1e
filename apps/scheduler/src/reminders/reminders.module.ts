import { Inject, Logger, Module, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, JobRouter, type AppConfig } from '@kefu/shared';
import { ReminderAcks } from './reminder-ack.service';
import { ReminderPlanner } from './reminder-planner.service';
import { ReminderQueryService } from './reminder-query.service';
import { ReminderSender } from './reminder-sender.service';
import { ReminderService } from './reminder.service';
import { AckLinkController, RemindersController } from './reminders.controller';

/** How often the reminder scan runs; each scan asks Postgres what is due (indexed by due time). */
export const REMINDER_SCAN_EVERY_MS = 60_000;

/**
 * Part 1 of the scheduler: case deadlines from the SLA policy, reminders before and at each deadline,
 * acknowledgement (API and signed link), escalation up the chain, the managers' daily digest.
 */
@Module({
  providers: [ReminderService, ReminderPlanner, ReminderSender, ReminderAcks, ReminderQueryService],
  controllers: [RemindersController, AckLinkController],
  exports: [ReminderService, ReminderQueryService],
})
export class RemindersModule implements OnModuleInit {
  private readonly logger = new Logger(RemindersModule.name);

  constructor(
    private readonly router: JobRouter,
    private readonly reminders: ReminderService,
    private readonly query: ReminderQueryService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.router.handle('case-received', async ({ caseId }) => ({ planned: await this.reminders.planCase(caseId) }));
    this.router.every('scheduler', 'reminder-scan', { every: REMINDER_SCAN_EVERY_MS }, async () => {
      const result = await this.reminders.scan();
      const digests = await this.query.sendDigests();
      if (result.sent || result.escalated || result.planned) this.logger.log({ ...result, digests }, 'reminder scan');
      return { ...result, digests };
    });
    this.router.every('scheduler', 'reminder-digest', { pattern: '30 8 * * *', tz: this.config.BUSINESS_TIME_ZONE }, async () => ({ digests: await this.query.sendDigests(true) }));
  }
}
