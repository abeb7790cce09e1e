import { Injectable } from '@nestjs/common';
import { OnJob, OnTask, QueueProducer, type JobPayloads } from '@kefu/shared';
import { NotificationDispatcher, type ProcessResult } from './notification-dispatcher.service';
import { NotificationReconciler } from './notification-reconciler.service';

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
  ) {}

  @OnJob('notification-requested')
  process({ notificationId }: JobPayloads['notification-requested']): Promise<ProcessResult> {
    return this.dispatcher.process(notificationId);
  }

  /**
   * A batch asked for in one statement: one `notification-requested` job per notification, so each is sent,
   * retried and limited on its own, as if queued singly. The job id makes a retried fan-out add nothing twice
   * while the jobs exist; the handler re-checks each row's state anyway.
   */
  @OnJob('notifications-requested')
  async fanOut({ notificationIds }: JobPayloads['notifications-requested']): Promise<number> {
    await this.producer.enqueueBulk(
      notificationIds.map((id) => ({
        name: 'notification-requested' as const,
        data: { notificationId: id },
        jobId: `nr-${id}`,
      })),
    );
    return notificationIds.length;
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
