import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { getQueueToken } from '@nestjs/bullmq';
import { ModuleRef } from '@nestjs/core';
import type { Queue } from 'bullmq';
import { CLOCK, NotificationEntity, noticeHeldSql, QueueProducer, Queues, type Clock } from '@kefu/shared';
import { NotificationDispatcher, updateReturning } from './notification-dispatcher.service';
import { TwilioSmsSender } from './twilio-sms.sender';
import { ChannelRegistry } from '../channels/channel-sender';
import { SmsRouter } from '../sms/sms-router.sender';
import { writeReceipt } from './notification-writes';

const PROVIDER_NAMES: Record<string, string> = { twilio: 'Twilio', aliyun: 'Alibaba Cloud', tencent: 'Tencent Cloud' };

/** How long a row may sit in "sending" before we assume its worker died. */
export const STUCK_AFTER_MS = 2 * 60_000;
/** How long a due pending row waits for its job before requeueLost queues it again. */
export const LOST_AFTER_MS = 2 * 60_000;
/** Waiting jobs above which requeueLost waits for the queue to come down first. */
const BACKLOG = 500;

/**
 * Rows left in "sending" by a worker that died between the provider call and recording it. SMS: ask the
 * providers the attempt may have gone to (a +86 mobile: the domestic primary, then the secondary): Twilio by SID if recorded, else the message to that number
 * with that text since the attempt; Alibaba Cloud (QuerySendDetails) and Tencent Cloud
 * (PullSmsSendStatusByPhoneNumber) by the attempt's out id — found → recorded as sent; not there → the call
 * never reached the provider, back to pending. Email: an SMTP
 * server cannot be asked, so the row fails with a reason staff can act on (retry), never resent blindly.
 * Letters belong to the letters module.
 */
@Injectable()
export class NotificationReconciler {
  private readonly logger = new Logger(NotificationReconciler.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly dispatcher: NotificationDispatcher,
    private readonly registry: ChannelRegistry,
    private readonly producer: QueueProducer,
    private readonly moduleRef: ModuleRef,
  ) {}

  async reconcile(): Promise<{ recorded: number; requeued: number; failed: number }> {
    const now = this.clock.now();
    const stuck = await this.ds
      .getRepository(NotificationEntity)
      .createQueryBuilder('n')
      .where(`n.status = 'sending' AND n.sent_at < :before AND n.channel IN ('sms', 'email')`, {
        before: new Date(now.getTime() - STUCK_AFTER_MS),
      })
      .orderBy('n.sent_at')
      .limit(200)
      .getMany();
    const out = { recorded: 0, requeued: 0, failed: 0 };
    for (const n of stuck) {
      try {
        if (n.channel === 'sms') {
          const found = await this.findSms(n);
          if (found === 'skip') continue;
          if (found) {
            await this.dispatcher.record(n, {
              kind: 'sent',
              providerId: found.providerId,
              segments: n.segments ?? undefined,
              detail: `reconciled: ${PROVIDER_NAMES[found.route] ?? found.route} has ${found.providerId} (${found.status})`,
              raw: found.raw,
              route: found.route,
            });
            out.recorded++;
          } else {
            const moved = await this.ds.transaction(async (m) => {
              const r = await updateReturning(
                m,
                `UPDATE notifications SET status = 'pending', not_before = $3, updated_at = now() WHERE id = $1 AND attempts = $2 AND status = 'sending' RETURNING id`,
                [n.id, n.attempts, now],
              );
              if (!r.length) return false;
              await writeReceipt(
                m,
                n.id,
                now,
                'reconciled',
                'notifier',
                'the worker stopped before the SMS provider received the message; sending again',
              );
              return true;
            });
            if (moved) {
              out.requeued++;
              await this.dispatcher.requeue(n.id, now);
            }
          }
        } else {
          const done = await this.ds.transaction((m) =>
            this.dispatcher.fail(
              m,
              n,
              'sending',
              'email',
              {
                code: 'unconfirmed',
                message:
                  'the notifier stopped while handing this mail to the SMTP server; it may not have been sent. Retry to send it again.',
              },
              false,
              n.attempts,
            ),
          );
          if (done) out.failed++;
        }
      } catch (err) {
        this.logger.warn(
          { notificationId: n.id, err: err instanceof Error ? err.message : String(err) },
          'could not reconcile yet',
        );
      }
    }
    return out;
  }

  /**
   * The stuck attempt's message at a provider it may have gone to: found (one no other row has claimed), null (not
   * there: send again), or 'skip' (no provider to ask, or the provider cannot tell yet).
   */
  private async findSms(
    n: NotificationEntity,
  ): Promise<{ providerId: string; status: string; route: string; raw: Record<string, unknown> } | null | 'skip'> {
    const sender = this.registry.get('sms');
    const router = sender instanceof SmsRouter ? sender : null;
    // The route is recorded with the send (a stuck row's sms_route, if any, is an earlier attempt's): ask every
    // provider this address may have gone to, in the order they are tried.
    const domestic = router ? router.candidates(n.toAddress!) : 'twilio';
    if (domestic !== 'twilio') {
      for (const d of domestic) {
        const r = await d.lookup(n);
        if (r.state === 'unknown') return 'skip';
        if (r.state === 'found') return { providerId: r.providerId, status: r.status, route: d.provider, raw: r.raw };
      }
      return domestic.length ? null : 'skip';
    }
    const twilio = router ? router.twilio : sender instanceof TwilioSmsSender ? sender : null;
    if (!twilio) return 'skip';
    const candidates = await twilio.lookup({ sid: n.providerId, to: n.toAddress!, body: n.body!, since: n.sentAt! });
    const claimed = candidates.length
      ? new Set(
          (
            await this.ds.query<Array<{ provider_id: string }>>(
              `SELECT provider_id FROM notifications WHERE provider_id = ANY($1::text[]) AND id <> $2`,
              [candidates.map((c) => c.sid), n.id],
            )
          ).map((r) => r.provider_id),
        )
      : new Set<string>();
    const c = candidates.find((x) => !claimed.has(x.sid));
    return c ? { providerId: c.sid, status: c.status, route: 'twilio', raw: { ...c } } : null;
  }

  /** Pending rows that are due: deferred ones (quiet hours, backoff) and any whose job Redis lost. */
  async sendDue(limit = 500): Promise<number> {
    const rows = await this.ds.query<Array<{ id: string }>>(
      `SELECT id FROM notifications WHERE status = 'pending' AND not_before <= $1 AND NOT ${noticeHeldSql()}
        ORDER BY not_before LIMIT $2`,
      [this.clock.now(), limit],
    );
    let sent = 0;
    for (const { id } of rows) if ((await this.dispatcher.process(id)) === 'sent') sent++;
    return sent;
  }

  /**
   * Pending rows due for over LOST_AFTER_MS whose job Redis may have lost (a batch fanned out, then Redis restarted
   * empty): queued again for every worker to share, where sendDue would send them one by one. The job id is the
   * one dispatcher.requeue gives a deferred row (`nr-<id>-<not_before>`), so a row whose job still waits is not
   * queued twice; a doubled job finds the row no longer pending and does nothing.
   */
  async requeueLost(limit = 5_000): Promise<number> {
    // A backlog is still being worked through: the rows' own jobs are most likely in it. Doubling them all would
    // only slow it down; whatever is really lost is queued once the backlog is down.
    const queue = this.moduleRef.get<Queue>(getQueueToken(Queues.Notifier), { strict: false });
    if ((await queue.getWaitingCount()) > BACKLOG) return 0;
    const rows = await this.ds.query<Array<{ id: string; not_before: Date }>>(
      `SELECT id, not_before FROM notifications WHERE status = 'pending' AND not_before <= $1
          AND updated_at < now() - make_interval(secs => $2) AND NOT ${noticeHeldSql()}
        ORDER BY not_before LIMIT $3`,
      [new Date(this.clock.now().getTime() - LOST_AFTER_MS), LOST_AFTER_MS / 1000, limit],
    );
    if (!rows.length) return 0;
    await this.producer.enqueueBulk(
      rows.map((r) => ({
        name: 'notification-requested' as const,
        data: { notificationId: r.id },
        jobId: `nr-${r.id}-${r.not_before.getTime()}`,
      })),
    );
    return rows.length;
  }
}
