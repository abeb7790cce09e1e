import type { NotificationEntity } from '@kefu/shared';
import type { SendOutcome } from '../channels/channel-sender';
import type { DomesticFailure } from './domestic-sms-errors';
import type { DomesticProvider, TemplateEntry } from './sms-templates';

/** What a crash-recovery query found about one attempt. `unknown`: cannot tell yet (ask again later). */
export type LookupResult =
  | { state: 'found'; providerId: string; status: string; raw: Record<string, unknown> }
  | { state: 'absent' }
  | { state: 'unknown'; why: string };

/** One domestic provider behind the SMS router: a template send through its official SDK, and a lookup. */
export interface DomesticSmsSender {
  readonly provider: DomesticProvider;
  send(
    n: NotificationEntity,
    mobile: string,
    template: TemplateEntry,
    values: string[],
  ): Promise<Extract<SendOutcome, { kind: 'sent' }> | DomesticFailure>;
  /** The attempt's message on the provider's side, found by its out id (the notification id and attempt). */
  lookup(n: NotificationEntity): Promise<LookupResult>;
}

/** The out id every domestic send carries (Alibaba Cloud OutId, Tencent Cloud SessionContext). */
export const outId = (n: Pick<NotificationEntity, 'id' | 'attempts'>) => `${n.id}.${n.attempts}`;

/** The 11-digit mainland mobile of an address stored as 138… or +86138…; null for anything else. */
export function mainlandMobile(address: string): string | null {
  const m = /^(?:\+?86)?(1[3-9]\d{9})$/.exec(address.replace(/[\s-]/g, ''));
  return m ? m[1]! : null;
}

/** A date as yyyyMMdd in Asia/Shanghai (Alibaba Cloud's SendDate). */
export function shanghaiDay(d: Date): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai' }).format(d).replaceAll('-', '');
}
