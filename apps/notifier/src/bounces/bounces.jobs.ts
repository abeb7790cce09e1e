import { Injectable } from '@nestjs/common';
import { OnJob, type JobPayloads } from '@kefu/shared';
import { BounceService, type BounceOutcome } from './bounce.service';

/** Bounces' job: a delivery or feedback report intake stored, parsed, with its record. */
@Injectable()
export class BounceJobs {
  constructor(private readonly bounces: BounceService) {}

  @OnJob('delivery-report-received')
  deliveryReport({ intakeRecordId }: JobPayloads['delivery-report-received']): Promise<BounceOutcome> {
    return this.bounces.handleIntakeRecord(intakeRecordId);
  }
}
