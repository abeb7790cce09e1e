import { Injectable } from '@nestjs/common';
import { OnJob, OnTask, type JobPayloads } from '@kefu/shared';
import { NotificationDispatcher, type ProcessResult } from './notification-dispatcher.service';
import { NotificationReconciler } from './notification-reconciler.service';

/** The notifier core's jobs: send a requested notification, the due-row sweep, reconciling rows stuck in "sending". */
@Injectable()
export class NotificationJobs {
  constructor(
    private readonly dispatcher: NotificationDispatcher,
    private readonly reconciler: NotificationReconciler,
  ) {}

  @OnJob('notification-requested')
  process({ notificationId }: JobPayloads['notification-requested']): Promise<ProcessResult> {
    return this.dispatcher.process(notificationId);
  }

  @OnTask('notifier', 'send-due', { every: 30_000 })
  sendDue(): Promise<number> {
    return this.reconciler.sendDue();
  }

  @OnTask('notifier', 'reconcile-sending', { every: 60_000 })
  reconcile(): Promise<{ recorded: number; requeued: number; failed: number }> {
    return this.reconciler.reconcile();
  }
}
