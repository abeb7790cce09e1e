import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import {
  CLOCK,
  fanOutNoticeStep,
  OnJob,
  OnTask,
  QueueProducer,
  settleNotice,
  type Clock,
  type JobPayloads,
} from '@kefu/shared';

/** Jobs per addBulk call when a resume queues held messages again. */
const REQUEUE_BATCH = 1000;
/** A notice still sending whose fan-out has not moved for this long is taken up again by the sweep (a lost job, a restart). */
const STALLED_AFTER_MS = 30_000;

/**
 * An estate-wide notice's fan-out: its recipients become notifications a chunk per transaction (the cursor is on the
 * notice row, so a notifier killed midway goes on where the last committed chunk ended, and the idempotency key
 * makes a chunk run twice create nothing twice); from there the notifier's own jobs send them at the providers'
 * rates. The sweep takes up stalled fan-outs and marks notices done once nothing is left to send.
 */
@Injectable()
export class NoticeFanOutService {
  private readonly logger = new Logger(NoticeFanOutService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly producer: QueueProducer,
  ) {}

  @OnJob('notice-send')
  async send({ noticeId, round }: JobPayloads['notice-send']): Promise<{ created: number; requeued: number }> {
    let created = 0;
    for (;;) {
      const step = await this.ds.transaction((m) => fanOutNoticeStep(m, noticeId, round, this.clock.now()));
      created += step.created;
      if (step.state === 'stopped') return { created, requeued: 0 };
      if (step.state === 'queued') break;
    }
    // A resume: messages the notifier skipped while the notice was paused have completed jobs; queue them again.
    const requeued = round > 1 ? await this.requeueHeld(noticeId, round) : 0;
    this.logger.log({ noticeId, round, created, requeued }, 'notice queued');
    return { created, requeued };
  }

  private async requeueHeld(noticeId: string, round: number): Promise<number> {
    let after = '00000000-0000-0000-0000-000000000000';
    let n = 0;
    for (;;) {
      const rows = await this.ds.query<Array<{ id: string }>>(
        `SELECT id FROM notifications WHERE source_type = 'notice' AND source_id = $1 AND status = 'pending' AND id > $2
          ORDER BY id LIMIT $3`,
        [noticeId, after, REQUEUE_BATCH],
      );
      if (!rows.length) return n;
      await this.producer.enqueueBulk(
        rows.map((r) => ({
          name: 'notification-requested' as const,
          data: { notificationId: r.id },
          jobId: `nr-${r.id}-r${round}`,
        })),
      );
      n += rows.length;
      after = rows[rows.length - 1]!.id;
    }
  }

  /** Fan-outs that stopped moving (their job lost, the notifier restarted) go on; finished notices become done. */
  @OnTask('notifier', 'notice-sweep', { every: 10_000 })
  async sweep(): Promise<{ resumed: number; done: number }> {
    const now = this.clock.now();
    const sending = await this.ds.query<Array<{ id: string; send_round: number; stalled: boolean; queued: boolean }>>(
      `SELECT id, send_round, queued_at IS NOT NULL AS queued, updated_at < $1 AS stalled
         FROM notices WHERE status = 'sending' ORDER BY updated_at LIMIT 100`,
      [new Date(Date.now() - STALLED_AFTER_MS)],
    );
    let resumed = 0;
    let done = 0;
    for (const n of sending) {
      if (!n.queued && n.stalled) {
        await this.send({ noticeId: n.id, round: n.send_round });
        resumed++;
      }
      if (await settleNotice(this.ds, n.id, now)) done++;
    }
    return { resumed, done };
  }
}
