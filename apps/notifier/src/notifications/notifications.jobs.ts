import { Injectable } from '@nestjs/common';
import { OnJob, OnTask, QueueProducer, type JobPayloads } from '@kefu/shared';
import { NotificationDispatcher, type ProcessResult } from './notification-dispatcher.service';
import { NotificationReconciler } from './notification-reconciler.service';
import { NOTIFICATION_SEND_BATCH, NotificationBatchSender } from './notification-batch-sender.service';

/**
 * The notifier core's jobs: send a requested notification (or fan a batch out into one job each), the due-row
 * sweep, reconciling rows stuck in "sending".
 */
@Injectable()
export class NotificationJobs {
  constructor(
    private readonly dispatcher: NotificationDispatcher,
    private readonly reconciler: NotificationReconciler,
    private readonly producer: QueueProducer,
    private readonly batch: NotificationBatchSender,
  ) {}

  @OnJob('notification-requested')
  process({ notificationId }: JobPayloads['notification-requested']): Promise<ProcessResult> {
    return this.dispatcher.process(notificationId);
  }

  /**
   * A batch asked for in one statement: one `notifications-send` job per NOTIFICATION_SEND_BATCH ids, each sent,
   * retried and limited as if queued singly (NotificationBatchSender), with a few statements per job instead of a few
   * per message. The job id makes a retried fan-out add nothing twice while the jobs exist; the handler re-checks
   * each row's state anyway.
   */
  @OnJob('notifications-requested')
  async fanOut({ notificationIds }: JobPayloads['notifications-requested']): Promise<number> {
    const jobs = [];
    for (let i = 0; i < notificationIds.length; i += NOTIFICATION_SEND_BATCH) {
      const slice = notificationIds.slice(i, i + NOTIFICATION_SEND_BATCH);
      jobs.push({
        name: 'notifications-send' as const,
        data: { notificationIds: slice },
        jobId: `ns-${slice[0]}-${slice.length}`,
      });
    }
    await this.producer.enqueueBulk(jobs);
    return notificationIds.length;
  }

  @OnJob('notifications-send')
  send({ notificationIds }: JobPayloads['notifications-send']): Promise<Partial<Record<ProcessResult, number>>> {
    return this.batch.processMany(notificationIds);
  }

  @OnTask('notifier', 'send-due', { every: 30_000 })
  sendDue(): Promise<number> {
    return this.reconciler.sendDue();
  }

  /** Due rows whose job Redis lost (see NotificationReconciler.requeueLost). */
  @OnTask('notifier', 'requeue-lost', { every: 60_000 })
  requeueLost(): Promise<number> {
    return this.reconciler.requeueLost();
  }

  @OnTask('notifier', 'reconcile-sending', { every: 60_000 })
  reconcile(): Promise<{ recorded: number; requeued: number; failed: number }> {
    return this.reconciler.reconcile();
  }
}
