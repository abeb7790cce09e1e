import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, cancelNotifications, CLOCK, type AppConfig, type Clock, type DeadlineStep } from '@kefu/shared';
import { AckTokens } from './ack-token';
import { markDoneSql, stepLabel } from './steps';

/** Acknowledgement: the signed one-click link in each reminder, and recording that someone took it on. */
@Injectable()
export class ReminderAcks {
  readonly tokens: AckTokens;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.tokens = new AckTokens(config.AUTH_TOKEN_SECRET);
  }

  ackUrl(reminderId: string, now: Date): string {
    const expires = new Date(now.getTime() + this.config.REMINDER_ACK_LINK_TTL_HOURS * 3_600_000);
    const token = this.tokens.sign(reminderId, expires);
    return `${(this.config.SCHEDULER_PUBLIC_URL ?? this.config.PUBLIC_BASE_URL).replace(/\/+$/, '')}/ack/${token}`;
  }

  /**
   * Acknowledge once: acknowledged_at is the guard. Pending messages about it are withdrawn; acknowledging the
   * report of a major complaint is the report done (004 篇2 §5.A).
   * 'done' the first time, 'already' (with when) after that, 'unknown' for no such sent reminder.
   */
  async acknowledge(
    reminderId: string,
    by: { staffId: string | null; via: 'api' | 'link' },
  ): Promise<{ outcome: 'done' | 'already' | 'unknown'; acknowledgedAt?: Date }> {
    const now = this.clock.now();
    return this.ds.transaction(async (m) => {
      const [rows] = await m.query<[Array<{ acknowledged_at: Date }>, number]>(
        `UPDATE reminders
         SET acknowledged_at = $2, acknowledged_by_id = COALESCE($3, recipient_staff_id), acknowledged_via = $4
         WHERE id = $1 AND sent_at IS NOT NULL AND acknowledged_at IS NULL RETURNING acknowledged_at`,
        [reminderId, now, by.staffId, by.via],
      );
      if (rows[0]) {
        await cancelNotifications(m, { type: 'reminder', ids: [reminderId] });
        // The head (or someone above) has taken note of a major complaint — its report, or an escalation of the
        // case to them: the report to the head is done.
        await m.query(
          `UPDATE case_deadlines d SET ${markDoneSql('$2', 'd')} FROM reminders r
           WHERE r.id = $1 AND d.case_id = r.case_id AND d.step = 'reportToHead' AND d.done_at IS NULL
             AND (d.id = r.deadline_id OR (r.kind = 'escalation' AND r.level >= 1))`,
          [reminderId, now],
        );
        return { outcome: 'done', acknowledgedAt: rows[0].acknowledged_at };
      }
      const existing = await m.query<Array<{ acknowledged_at: Date | null }>>(
        `SELECT acknowledged_at FROM reminders WHERE id = $1 AND sent_at IS NOT NULL`,
        [reminderId],
      );
      if (existing[0]?.acknowledged_at) return { outcome: 'already', acknowledgedAt: existing[0].acknowledged_at };
      return { outcome: 'unknown' };
    });
  }

  /** What a sent reminder is about (its link's confirmation page); null for no such sent reminder. */
  async describe(
    reminderId: string,
  ): Promise<{ caseNumber: string; stepLabel: string; dueAt: Date; acknowledgedAt: Date | null } | null> {
    const [row] = await this.ds.query<
      Array<{ caseNumber: string; step: DeadlineStep; dueAt: Date; acknowledgedAt: Date | null }>
    >(
      `SELECT c.number AS "caseNumber", d.step, d.due_at AS "dueAt", r.acknowledged_at AS "acknowledgedAt"
       FROM reminders r JOIN case_deadlines d ON d.id = r.deadline_id JOIN cases c ON c.id = r.case_id
       WHERE r.id = $1 AND r.sent_at IS NOT NULL`,
      [reminderId],
    );
    return row ? { ...row, stepLabel: stepLabel[row.step] } : null;
  }
}
