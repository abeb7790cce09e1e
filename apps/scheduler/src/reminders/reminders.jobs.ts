import { Injectable, Logger } from '@nestjs/common';
import { OnJob, OnTask, type JobPayloads } from '@kefu/shared';
import { ReminderQueryService } from './reminder-query.service';
import { ReminderService, type ScanResult } from './reminder.service';

/** How often the reminder scan runs; each scan asks Postgres what is due (indexed by due time). */
export const REMINDER_SCAN_EVERY_MS = 60_000;

/** The reminders' jobs: plan a new case's deadlines, the due-reminder scan, the managers' morning digest. */
@Injectable()
export class ReminderJobs {
  private readonly logger = new Logger(ReminderJobs.name);

  constructor(
    private readonly reminders: ReminderService,
    private readonly query: ReminderQueryService,
  ) {}

  @OnJob('case-received')
  async planCase({ caseId }: JobPayloads['case-received']): Promise<{ planned: number }> {
    return { planned: await this.reminders.planCase(caseId) };
  }

  @OnJob('case-changed')
  async replanCase({ caseId }: JobPayloads['case-changed']): Promise<{ planned: number }> {
    return { planned: await this.reminders.planCase(caseId) };
  }

  @OnTask('scheduler', 'reminder-scan', { every: REMINDER_SCAN_EVERY_MS })
  async scan(): Promise<ScanResult & { digests: number }> {
    const result = await this.reminders.scan();
    const digests = await this.query.sendDigests();
    if (result.sent || result.escalated || result.planned) this.logger.log({ ...result, digests }, 'reminder scan');
    return { ...result, digests };
  }

  @OnTask('scheduler', 'reminder-digest', (c) => ({ pattern: '30 8 * * *', tz: c.BUSINESS_TIME_ZONE }))
  async digest(): Promise<{ digests: number }> {
    return { digests: await this.query.sendDigests(true) };
  }
}
