import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { maskText, type AppConfig, type NotificationEntity } from '@kefu/shared';
import type { ChannelSender, Destination, RenderedMessage, SendOutcome } from '../channels/channel-sender';
import type { TwilioSmsSender } from '../notifications/twilio-sms.sender';
import { mainlandMobile, outId, type DomesticSmsSender } from './domestic-sms.sender';
import type { SmsFrequencyLimiter } from './sms-frequency-limiter';
import { alertTemplateRefused } from './template-alert';
import { templateParams, type DomesticProvider, type TemplateMapping } from './sms-templates';

export type SmsRoute = 'twilio' | DomesticProvider;

/**
 * $1 id, $2 attempt, $3 route, for an attempt the provider did not take (a sent one has its route recorded with the
 * send, SENT_SQL). Not written before the call: that would be one more commit per SMS; the reconciler asks the
 * domestic providers in order when a stuck row has no route.
 */
const ROUTE_SQL = `UPDATE notifications SET sms_route = $3 WHERE id = $1 AND attempts = $2 AND status = 'sending'`;

/**
 * The notifier's one `sms` sender: +86 mainland mobiles go to the domestic primary (Alibaba Cloud or Tencent
 * Cloud, a registered signature and approved template per kind), to the secondary when the primary is down,
 * and every other number to Twilio. The route is returned in the outcome and recorded on the row (sms_route).
 */
export class SmsRouter implements ChannelSender {
  readonly channel = 'sms' as const;
  private readonly logger = new Logger(SmsRouter.name);
  private readonly order: DomesticSmsSender[];

  constructor(
    private readonly ds: DataSource,
    private readonly config: AppConfig,
    readonly twilio: TwilioSmsSender | null,
    readonly domestic: Map<DomesticProvider, DomesticSmsSender>,
    private readonly mapping: TemplateMapping,
    private readonly limiter: SmsFrequencyLimiter,
  ) {
    this.order = [config.SMS_DOMESTIC_PRIMARY, config.SMS_DOMESTIC_SECONDARY]
      .filter((p): p is DomesticProvider => !!p)
      .map((p) => domestic.get(p))
      .filter((s): s is DomesticSmsSender => !!s);
  }

  /** The providers a stuck attempt to this address may have gone to, in the order they are tried. */
  candidates(address: string): DomesticSmsSender[] | 'twilio' {
    return mainlandMobile(address) && this.order.length ? this.order : 'twilio';
  }

  async send(n: NotificationEntity, to: Destination, message: RenderedMessage): Promise<SendOutcome> {
    const mobile = mainlandMobile(to.address);
    if (!mobile || !this.order.length) return this.viaTwilio(n, to, message);
    const usable = this.order.filter((s) => this.mapping[s.provider][n.kind]);
    if (!usable.length)
      return {
        kind: 'failed',
        code: 'no_sms_template',
        message: `no approved ${this.order.map((s) => s.provider).join('/')} SMS template for ${n.kind} in SMS_TEMPLATES_FILE; mainland carriers take no other SMS`,
        route: this.order[0]!.provider,
      };
    let last: SendOutcome | null = null;
    for (const sender of usable) {
      const template = this.mapping[sender.provider][n.kind]!;
      const values = templateParams(template, n.variables, to.name || null);
      if (!values.ok)
        return { kind: 'failed', code: 'sms_param_too_long', message: values.message, route: sender.provider };
      const wait = await this.limiter.reserve(mobile, n.kind, outId(n));
      if (wait !== null)
        return {
          kind: 'retry',
          code: 'frequency_limit',
          message: `the provider's per-number limit for this template (SMS_DOMESTIC_LIMITS) is reached; sending later`,
          retryAfterMs: wait,
          route: sender.provider,
        };
      const outcome = await sender.send(n, mobile, template, values.values);
      // An unconfirmed attempt keeps its place in the frequency window: the provider may have sent it.
      if (outcome.kind !== 'sent')
        await Promise.all([
          outcome.kind === 'unconfirmed' ? null : this.limiter.release(mobile, n.kind, outId(n)),
          this.ds.query(ROUTE_SQL, [n.id, n.attempts, sender.provider]),
        ]);
      if (outcome.kind === 'failed' && outcome.badTemplate)
        await alertTemplateRefused(this.ds, this.config, this.logger, {
          provider: sender.provider,
          template: template.template,
          refusedKind: n.kind,
          code: outcome.code,
          message: outcome.message.slice(0, 300),
        });
      const {
        outage,
        badTemplate: _b,
        ...plain
      } = outcome as typeof outcome & { outage?: boolean; badTemplate?: boolean };
      last = { ...plain, route: sender.provider };
      if (!(outcome.kind === 'retry' && outage)) return last;
      this.logger.warn(
        { notificationId: n.id, provider: sender.provider, code: outcome.code, to: maskText(mobile) },
        'domestic SMS provider unavailable; trying the next one',
      );
    }
    return last!;
  }

  private async viaTwilio(n: NotificationEntity, to: Destination, message: RenderedMessage): Promise<SendOutcome> {
    if (!this.twilio)
      return {
        kind: 'failed',
        code: 'no_sender',
        message: 'no Twilio sender is configured for numbers outside mainland China',
        route: 'twilio',
      };
    const outcome = await this.twilio.send(n, to, message);
    if (outcome.kind !== 'sent') await this.ds.query(ROUTE_SQL, [n.id, n.attempts, 'twilio']);
    return { ...outcome, route: 'twilio' };
  }
}
