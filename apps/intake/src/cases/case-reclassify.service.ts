import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { z } from 'zod';
import type { DataSource } from 'typeorm';
import {
  APP_CONFIG,
  AppException,
  CalendarService,
  CaseEntity,
  CLOCK,
  initialDeadlines,
  type AppConfig,
  type Clock,
  type StaffPrincipal,
  zonedParts,
} from '@kefu/shared';
import type { reclassifySchema } from './case.dto';
import { overrideRule } from '../normalise';
import { decideWarranty, unitWarrantyItems } from './warranty/warranty-standing';
import { CaseSteps, type CaseUpdate } from './case-steps.service';

type In<S extends z.ZodType> = z.output<S>;

/** Staff correcting a case's keyword classification, and what follows from the new class. */
@Injectable()
export class CaseReclassifyService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly calendars: CalendarService,
    private readonly steps: CaseSteps,
  ) {}

  /**
   * Staff override of the keyword classification; the rules that fired stay recorded. The deadlines follow the new
   * class (the scheduler plans them again): a case that becomes major or a repair gets that class's steps from now,
   * and its promised reply date is brought forward to that class's promise when it has not been moved with the
   * customer yet — never pushed later than what the customer was told.
   */
  async reclassify(id: string, b: In<typeof reclassifySchema>, by: StaffPrincipal): Promise<CaseEntity> {
    return this.ds.transaction(async (m) => {
      const c = await m.findOne(CaseEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!c) throw new AppException('not_found', `No case ${id}.`);
      const changes = (['type', 'category', 'severity'] as const).filter((f) => b[f] !== undefined && b[f] !== c[f]);
      if (!changes.length) return c;
      const before = Object.fromEntries(changes.map((f) => [f, c[f]]));
      const after = Object.fromEntries(changes.map((f) => [f, b[f]]));
      const rules = [...new Set([...c.classificationRules, ...changes.map((f) => overrideRule('manual', f))])];
      const promise = await this.promiseAfterReclassify(c, {
        type: b.type ?? c.type,
        severity: b.severity ?? c.severity,
      });
      // Made a repair: its warranty standing is judged now, as intake would have (000 §6.5.1(2)).
      const warranty =
        b.type === 'repair' && c.warrantyStatus === null
          ? decideWarranty(
              c.description,
              zonedParts(c.receivedAt, this.config.BUSINESS_TIME_ZONE).day,
              c.unitId ? await unitWarrantyItems(m, c.unitId) : null,
            )
          : null;
      await m.update(
        CaseEntity,
        { id },
        {
          ...after,
          classificationRules: rules,
          ...(promise?.set ?? {}),
          ...(warranty
            ? {
                warrantyStatus: warranty.status,
                warrantyItemCode: warranty.itemCode,
                warrantyExpiresOn: warranty.expiresOn,
              }
            : {}),
        },
      );
      const eventId = await this.steps.event(m, id, 'reclassified', by, {
        before,
        after,
        ...(promise ? { promise: promise.event } : {}),
        ...(warranty ? { warranty } : {}),
      });
      await this.steps.replan(m, id, eventId);
      return m.findOneByOrFail(CaseEntity, { id });
    });
  }

  private async promiseAfterReclassify(
    c: CaseEntity,
    to: Pick<CaseEntity, 'type' | 'severity'>,
  ): Promise<{ set: CaseUpdate; event: Record<string, unknown> } | null> {
    if (c.replyDateMoves > 0 || !['new', 'accepted', 'assigned'].includes(c.status)) return null;
    const now = this.clock.now();
    const d = initialDeadlines(await this.calendars.current(), this.config.SLA_POLICY, { ...to, receivedAt: now });
    if (c.promisedReplyAt && d.firstReply.at >= c.promisedReplyAt) return null;
    return {
      set: { promisedReplyAt: d.firstReply.at, promisedReplyRule: d.firstReplyRule },
      event: {
        from: c.promisedReplyAt?.toISOString() ?? null,
        to: d.firstReply.at.toISOString(),
        rule: d.firstReplyRule,
      },
    };
  }
}
