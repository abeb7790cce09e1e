import {
  backoffDelay,
  fallbackKey,
  type NotificationEntity,
  type NotificationKind,
  type NotificationRequest,
  type NotificationSourceType,
  type NotifyChannel,
} from '@kefu/shared';

/** Notices that must arrive: when one channel fails, the next is tried (SMS → email → letter). */
export const MUST_ARRIVE: ReadonlySet<NotificationKind> = new Set([
  'case_reply',
  'warranty_expiry',
  'certificate_collection',
  'estate_notice',
]);
export const NEXT_CHANNEL: Partial<Record<NotifyChannel, NotifyChannel>> = { sms: 'email', email: 'letter' };
/** Automatic attempts for transient errors (429, 5xx, network); a staff retry adds one more. */
export const MAX_ATTEMPTS = 5;

/** The same SMS text to the same number at most this often in 24 hours (counted in notification_claim). */
export const SAME_TEXT_PER_DAY = 3;

/** Why a claim was refused: a per-recipient or same-text limit. */
export type ClaimLimit = { code: 'recipient_limit' | 'duplicate_limit'; message: string };

/** Why an SMS was not sent: the same text already went to this number `n` times in 24 hours. */
export function sameTextMessage(n: number): string {
  return `the same text was sent to this number ${n} times in the last 24 hours`;
}

/** Wait before automatic attempt `attempt + 1`: 30 s, doubling, at most an hour. */
export function backoffMs(attempt: number): number {
  return backoffDelay(Math.max(0, attempt - 1), { baseMs: 30_000, maxMs: 3_600_000 });
}

/** The receipt source for a channel's provider. */
export function providerSource(channel: NotifyChannel | null): string {
  return channel === 'sms' ? 'twilio' : channel === 'email' ? 'smtp' : channel === 'letter' ? 'ems' : 'notifier';
}

/** What a fallback row copies from the notification it replaces. */
export type FallbackSource = Pick<
  NotificationEntity,
  | 'id'
  | 'kind'
  | 'idempotencyKey'
  | 'fallbackOfId'
  | 'recipientType'
  | 'ownerId'
  | 'staffId'
  | 'caseId'
  | 'sourceType'
  | 'sourceId'
  | 'variables'
  | 'urgent'
  | 'late'
>;

export type ProcessResult = 'sent' | 'failed' | 'retry' | 'deferred' | 'skipped' | 'unconfirmed';

/** The request for the next channel's row: `<original key>/fallback:<channel>`, the same recipient, source and variables. */
export function fallbackRequest(n: FallbackSource, next: NotifyChannel, now: Date): NotificationRequest {
  // The failed row's variables already passed its kind's contract (rendered before the provider was called).
  return {
    idempotencyKey: fallbackKey(n.idempotencyKey, next),
    kind: n.kind,
    channel: next,
    recipient:
      n.recipientType === 'owner'
        ? { ownerId: n.ownerId! }
        : n.recipientType === 'staff'
          ? { staffId: n.staffId! }
          : { caseReporterOf: n.caseId! },
    ...(n.caseId ? { caseId: n.caseId } : {}),
    variables: n.variables,
    urgent: n.urgent,
    notBefore: now,
    late: n.late,
    ...(n.sourceType && n.sourceId ? { source: { type: n.sourceType as NotificationSourceType, id: n.sourceId } } : {}),
    fallbackOf: n.id,
  } as NotificationRequest;
}

/** A final failure as the dispatcher records it; `route`: the provider that answered (else the channel's default). */
export interface FinalFailure {
  code: string;
  message: string;
  optOut?: boolean;
  undelivered?: boolean;
  raw?: Record<string, unknown>;
  route?: string;
}
