/**
 * The one queue contract. One queue per consumer, so a fact two services care about reaches both.
 * Payloads carry ids only — never entities, rendered bodies, personal data or secrets; the handler
 * re-reads the row and checks its state before any side effect.
 *
 * WARNING: queue and job names are persisted in Redis; renaming strands waiting jobs.
 * Add a new name and drain the old one.
 */
export const Queues = {
  /** Consumed by apps/intake: mailbox polls, re-processing quarantined items. */
  Intake: 'intake',
  /** Consumed by apps/scheduler: plan deadlines, ticks. */
  Scheduler: 'scheduler',
  /** Consumed by apps/notifier: send notifications, process receipts. */
  Notifier: 'notifier',
} as const;
export type QueueName = (typeof Queues)[keyof typeof Queues];

export interface JobPayloads {
  /** A mailbox should be polled now (besides IDLE). */
  'mailbox-poll': { mailboxId: string };
  /** A case was committed: plan its deadlines and reminders. */
  'case-received': { caseId: string };
  /**
   * Something that decides a case's deadlines changed (reclassified, handed over, resolved, escalated, a plan or
   * site survey recorded): plan them again as the case now stands. The case row carries the fact
   * (planned_round = NULL), so a lost job only delays the plan to the next scan.
   */
  'case-changed': { caseId: string };
  /** A notification row was inserted: render and send it. */
  'notification-requested': { notificationId: string };
  /**
   * Several notification rows were inserted in one statement (up to 1,000 ids): the notifier queues a
   * `notification-requested` job for each. One outbox row and one relayed job instead of a thousand.
   */
  'notifications-requested': { notificationIds: string[] };
  /**
   * A slice of such a batch (up to NOTIFICATION_SEND_BATCH ids): the notifier sends them in one job, with one statement
   * each to load, claim and record the lot (apps/notifier NotificationBatchSender).
   */
  'notifications-send': { notificationIds: string[] };
  /** A delivery-status report was stored as an intake record: match it to a notification. */
  'delivery-report-received': { intakeRecordId: string };
  /** A recurring task's tick (BullMQ job scheduler keyed by the task name; see @OnTask). */
  'scheduled-task': { task: string };
  /** The same, for the notifier's own recurring work (reconciling, deferred sends, bounce polling). */
  'notifier-task': { task: string };
  /**
   * An estate-wide notice was sent or resumed (round n): turn its recipients into notifications, a chunk per
   * transaction (the notice row holds the cursor); on a resume, queue again the messages held while paused.
   */
  'notice-send': { noticeId: string; round: number };
}
export type JobName = keyof JobPayloads;

/** Which queue each job goes to: the consumer owns the queue. */
export const jobQueue: { [N in JobName]: QueueName } = {
  'mailbox-poll': Queues.Intake,
  'case-received': Queues.Scheduler,
  'case-changed': Queues.Scheduler,
  'notification-requested': Queues.Notifier,
  'notifications-requested': Queues.Notifier,
  'notifications-send': Queues.Notifier,
  'delivery-report-received': Queues.Notifier,
  'scheduled-task': Queues.Scheduler,
  'notifier-task': Queues.Notifier,
  'notice-send': Queues.Notifier,
};

/** The job name that carries recurring-task ticks on each queue that has them. */
export const taskJobName = {
  [Queues.Scheduler]: 'scheduled-task',
  [Queues.Notifier]: 'notifier-task',
} as const satisfies Partial<Record<QueueName, JobName>>;
export type TaskQueue = keyof typeof taskJobName;

/** Applied to every job unless a producer has a reason to differ. */
export const defaultJobOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 2_000 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 14 * 24 * 3600, count: 50_000 },
} as const;
