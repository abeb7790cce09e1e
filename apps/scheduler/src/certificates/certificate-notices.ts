import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  AppException,
  notificationKeys,
  requestNotification,
  unitLabelSql,
  type NotifyChannel,
  type StaffPrincipal,
} from '@kefu/shared';
import type { BatchFields } from './certificate.dto';
import type { CreatedBatch } from './certificate.service';

export type Stage = 'notice' | 'reminder' | 'final_reminder';

interface UnitOwner {
  unitId: string;
  unitLabel: string;
  ownerId: string;
  mobiles: string[];
  email: string | null;
  postalAddress: string | null;
}

/** A unit's label in SQL over `units u` and `buildings b`. */
export const unitLabel = unitLabelSql('u', 'b');

/**
 * The notices of a batch (办证通知): its rows, one notice per current owner, and each owner's messages — the first
 * SMS / letter / email, then the reminders to those who have not collected. Keys make every message once.
 */
@Injectable()
export class CertificateNotices {
  private async assertProject(
    m: Pick<EntityManager, 'query'>,
    projectId: string,
  ): Promise<{ name: string; code: string }> {
    const [p] = await m.query<Array<{ name: string; code: string }>>(`SELECT name, code FROM projects WHERE id = $1`, [
      projectId,
    ]);
    if (!p)
      throw new AppException('validation_failed', 'Invalid input: projectId', {
        fields: [{ field: 'projectId', message: 'is not an estate' }],
      });
    return p;
  }

  /** The batch, its units, one notice per current owner, and the first SMS / letter / email of each. */
  async insertBatch(
    m: EntityManager,
    f: BatchFields,
    unitIds: string[],
    staff: StaffPrincipal,
  ): Promise<{ id: string; unreachable: CreatedBatch['unreachable'] }> {
    const project = await this.assertProject(m, f.projectId);
    const [batch] = await m.query<Array<{ id: string }>>(
      `INSERT INTO certificate_batches (project_id, reference, place, hours, documents, from_date, deadline, reminder_after_days, final_reminder_days_before, created_by_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
      [
        f.projectId,
        f.reference ?? null,
        f.place,
        f.hours,
        f.documents,
        f.fromDate,
        f.deadline,
        f.reminderAfterDays,
        f.finalReminderDaysBefore,
        staff.id,
      ],
    );
    const batchId = batch!.id;
    await m.query(`INSERT INTO certificate_batch_units (batch_id, unit_id) SELECT $1, unnest($2::uuid[])`, [
      batchId,
      unitIds,
    ]);
    const owners = await m.query<UnitOwner[]>(
      `SELECT u.id AS "unitId", ${unitLabel} AS "unitLabel", o.id AS "ownerId", o.mobiles, o.email, o.postal_address AS "postalAddress"
       FROM units u JOIN buildings b ON b.id = u.building_id
       JOIN owner_units ou ON ou.unit_id = u.id AND ou.until IS NULL JOIN owners o ON o.id = ou.owner_id
       WHERE u.id = ANY($1::uuid[]) ORDER BY u.id, ou.is_primary_contact DESC, o.id`,
      [unitIds],
    );
    const unreachable: CreatedBatch['unreachable'] = [];
    for (const o of owners) {
      const [notice] = await m.query<Array<{ id: string }>>(
        `INSERT INTO certificate_notices (batch_id, unit_id, owner_id) VALUES ($1, $2, $3) RETURNING id`,
        [batchId, o.unitId, o.ownerId],
      );
      const channels: NotifyChannel[] = [];
      const missing: NotifyChannel[] = [];
      (o.mobiles.length ? channels : missing).push('sms');
      (o.postalAddress ? channels : missing).push('letter');
      if (o.email) channels.push('email');
      if (missing.length) unreachable.push({ unitId: o.unitId, ownerId: o.ownerId, missing });
      await this.ask(
        m,
        { batchId, noticeId: notice!.id, unitId: o.unitId, ownerId: o.ownerId, unitLabel: o.unitLabel },
        { ...f, estateName: project.name },
        'notice',
        channels,
        false,
      );
    }
    return { id: batchId, unreachable };
  }

  private async ask(
    m: EntityManager,
    n: { batchId: string; noticeId: string; unitId: string; ownerId: string; unitLabel: string },
    f: Pick<BatchFields, 'place' | 'hours' | 'documents' | 'fromDate' | 'deadline' | 'reference'> & {
      estateName: string;
    },
    stage: Stage,
    channels: NotifyChannel[],
    late: boolean,
  ): Promise<number> {
    let created = 0;
    for (const channel of channels) {
      const r = await requestNotification(m, {
        idempotencyKey: notificationKeys.certificate({
          batchId: n.batchId,
          unitId: n.unitId,
          ownerId: n.ownerId,
          stage,
          channel,
        }),
        kind: 'certificate_collection',
        recipient: { ownerId: n.ownerId },
        channel,
        late,
        source: { type: 'certificate_notice', id: n.noticeId },
        variables: {
          estateName: f.estateName,
          unitLabel: n.unitLabel,
          place: f.place,
          hours: f.hours,
          documents: f.documents,
          fromDate: f.fromDate,
          deadline: f.deadline,
          stage,
          reference: f.reference ?? null,
        },
      });
      if (r.created) created++;
    }
    return created;
  }

  /** A reminder at `stage` to every owner of the batch whose unit has not collected: SMS, and email where known. */
  async remind(
    m: EntityManager,
    b: BatchFields & { id: string; estateName: string },
    stage: Stage,
    late: boolean,
  ): Promise<number> {
    const open = await m.query<UnitOwner[] & Array<{ noticeId: string }>>(
      `SELECT cn.id AS "noticeId", u.id AS "unitId", ${unitLabel} AS "unitLabel", o.id AS "ownerId", o.mobiles, o.email
       FROM certificate_notices cn JOIN units u ON u.id = cn.unit_id JOIN buildings b ON b.id = u.building_id JOIN owners o ON o.id = cn.owner_id
       WHERE cn.batch_id = $1 AND NOT EXISTS (SELECT 1 FROM certificate_collections c WHERE c.batch_id = cn.batch_id AND c.unit_id = cn.unit_id)`,
      [b.id],
    );
    let n = 0;
    for (const o of open) {
      const channels: NotifyChannel[] = [
        ...(o.mobiles.length ? ['sms' as const] : []),
        ...(o.email ? ['email' as const] : []),
      ];
      n += await this.ask(
        m,
        { batchId: b.id, noticeId: o.noticeId, unitId: o.unitId, ownerId: o.ownerId, unitLabel: o.unitLabel },
        b,
        stage,
        channels,
        late,
      );
    }
    return n;
  }
}
