import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import {
  APP_CONFIG,
  cancelNotifications,
  levelName,
  loadEscalationChain,
  type AppConfig,
  type DeadlineStep,
  type EscalationChain,
} from '@kefu/shared';
import type { ChainStaff } from './chain';
import type { DueRow } from './reminder-sender.service';
import { firstEscalation, stepDoneSql, stepLabel } from './steps';

/**
 * Escalation up the chain: a sent escalation raises the case's level (with its event), a missed deadline and an
 * unacknowledged reminder raise an escalation reminder one level further up, and messages about steps already
 * done are withdrawn.
 */
@Injectable()
export class ReminderEscalations {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** An escalation reminder sent above the case's level: the case is raised to it, with its `escalated` event. */
  async raiseCase(m: EntityManager, chain: EscalationChain, r: DueRow, recipient: ChainStaff | null): Promise<void> {
    await m.query(`UPDATE cases SET escalation_level = GREATEST(escalation_level, $2) WHERE id = $1`, [
      r.caseId,
      r.level,
    ]);
    await m.query(
      `INSERT INTO case_events (case_id, kind, actor_id, actor_label, details)
       VALUES ($1, 'escalated', NULL, 'scheduler', $2)`,
      [
        r.caseId,
        JSON.stringify({
          from: r.escalationLevel,
          to: r.level,
          toLabel: levelName(chain, recipient?.chainLevel ?? r.level),
          step: r.step,
          reason: r.reason,
          reminderId: r.id,
          toStaffId: recipient?.id ?? null,
        }),
      ],
    );
  }

  /** The deadline has passed with the step not done: missed, and raised one level further up. */
  async missed(m: EntityManager, chain: EscalationChain, r: DueRow, now: Date): Promise<void> {
    await m.query(`UPDATE case_deadlines SET state = 'missed', closed_at = $2 WHERE id = $1 AND state = 'open'`, [
      r.deadlineId,
      now,
    ]);
    let level: number;
    let reason: string;
    const missedReplies =
      r.step === 'firstReply'
        ? Number(
            (
              await m.query<Array<{ n: string }>>(
                `SELECT count(*) AS n FROM case_deadlines WHERE case_id = $1 AND step = 'firstReply' AND state = 'missed'`,
                [r.caseId],
              )
            )[0]!.n,
          )
        : 0;
    const maxMoves = this.config.SLA_POLICY.maxReplyDateMoves;
    if (r.step === 'firstReply' && (missedReplies >= 2 || (maxMoves > 0 && r.round >= maxMoves))) {
      // 002 §7.4.2: the date may be moved twice; the second missed date, or the last agreed one, goes to the GM:
      // the top of the chain.
      level = chain.top;
      const top = levelName(chain, chain.top) ?? '总经理';
      reason =
        missedReplies >= 2
          ? `第${missedReplies}次错过承诺答复日期，直接升级至${top}`
          : `已变更${r.round}次的承诺答复日期仍未答复，直接升级至${top}`;
    } else {
      const top = await m.query<Array<{ level: number | null }>>(
        // Above the escalations already sent: one raised in this scan for the unacknowledged reminder is the same
        // step up, not one below it.
        `SELECT max(level) AS level FROM reminders WHERE deadline_id = $1 AND kind = 'escalation' AND sent_at IS NOT NULL`,
        [r.deadlineId],
      );
      level = Math.min(chain.top, Math.max(top[0]?.level ?? 0, firstEscalation(r.step) - 1) + 1);
      reason = `已超过${stepLabel[r.step]}时限`;
    }
    await this.raise(m, r, level, reason, now);
  }

  private raise(
    m: EntityManager,
    r: { deadlineId: string; caseId: string },
    level: number,
    reason: string,
    now: Date,
  ): Promise<unknown> {
    return m.query(
      `INSERT INTO reminders (deadline_id, case_id, kind, level, send_at, reason)
       VALUES ($1, $2, 'escalation', $3, $4, $5)
       ON CONFLICT (deadline_id, kind, level) DO NOTHING`,
      [r.deadlineId, r.caseId, level, now, reason],
    );
  }

  /**
   * Sent, not acknowledged within the window: raised one level up (the new reminder goes out in the same or
   * the next scan).
   */
  async escalateUnacknowledged(now: Date, batchSize: number, budget: { left: number }): Promise<number> {
    let escalated = 0;
    const { top } = await loadEscalationChain(this.ds.manager);
    for (;;) {
      const n = await this.ds.transaction(async (m) => {
        type Row = { id: string; level: number; deadlineId: string; caseId: string; step: DeadlineStep; done: boolean };
        const rows = await m.query<Row[]>(
          `SELECT r.id, r.level, r.deadline_id AS "deadlineId", r.case_id AS "caseId", d.step,
                  (${stepDoneSql()} OR d.state = 'superseded') AS done
           FROM reminders r JOIN case_deadlines d ON d.id = r.deadline_id JOIN cases c ON c.id = r.case_id
           WHERE r.sent_at IS NOT NULL AND r.acknowledged_at IS NULL AND r.escalated_at IS NULL
             AND r.cancelled_at IS NULL AND r.ack_due_at <= $1
           ORDER BY r.ack_due_at LIMIT $2
           FOR UPDATE OF r SKIP LOCKED`,
          [now, batchSize],
        );
        for (const r of rows) {
          if (budget.left-- <= 0) throw new Error('scan aborted (test fault)');
          if (r.done) {
            await m.query(`UPDATE reminders SET cancelled_at = $2 WHERE id = $1`, [r.id, now]);
            await m.query(`UPDATE case_deadlines SET state = 'met', closed_at = $2 WHERE id = $1 AND state = 'open'`, [
              r.deadlineId,
              now,
            ]);
            await cancelNotifications(m, { type: 'reminder', ids: [r.id] });
            continue;
          }
          if (r.level < top)
            await this.raise(
              m,
              r,
              Math.min(top, Math.max(r.level + 1, firstEscalation(r.step))),
              '未在时限内确认提醒',
              now,
            );
          await m.query(`UPDATE reminders SET escalated_at = $2 WHERE id = $1`, [r.id, now]);
          escalated++;
        }
        return rows.length;
      });
      if (n < batchSize) break;
    }
    return escalated;
  }

  /**
   * Reminder messages still waiting at the notifier (quiet hours, retries) whose case has moved past the
   * step: cancelled.
   */
  async cancelStaleNotifications(now: Date): Promise<number> {
    return this.ds.transaction(async (m) => {
      // The reminders of the pending messages first (a semi-join): a reminder goes by email and SMS, and each
      // reminder's deadline and case are looked up once, not once per message.
      const stale = await m.query<Array<{ id: string }>>(
        `SELECT r.id FROM reminders r JOIN case_deadlines d ON d.id = r.deadline_id JOIN cases c ON c.id = r.case_id
         WHERE r.id IN (SELECT n.source_id FROM notifications n WHERE n.status = 'pending' AND n.source_type = 'reminder')
           AND (${stepDoneSql()} OR d.state = 'superseded')`,
      );
      if (!stale.length) return 0;
      const ids = stale.map((s) => s.id);
      await m.query(
        `UPDATE reminders SET cancelled_at = $2
         WHERE id = ANY($1::uuid[]) AND cancelled_at IS NULL AND acknowledged_at IS NULL`,
        [ids, now],
      );
      return cancelNotifications(m, { type: 'reminder', ids });
    });
  }
}
