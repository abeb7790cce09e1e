import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import {
  AppException,
  CaseEntity,
  CaseEventEntity,
  effectiveItemsSql,
  type StaffPrincipal,
  type WarrantyStatus,
} from '@kefu/shared';
import type { WarrantyOverride } from './warranty.dto';
import { unitWarrantyItems } from './warranty-standing';

/** A case's warranty standing as the API shows it. */
export interface CaseWarranty {
  caseId: string;
  number: string;
  warrantyStatus: WarrantyStatus | null;
  warrantyItemCode: string | null;
  warrantyExpiresOn: string | null;
}

/** A closed or rejected case's record is final. */
const finalStatuses = new Set(['closed', 'rejected']);

/**
 * Staff's correction of the warranty standing decided at intake (warranty-standing.ts): the case's three
 * warranty columns and a `warranty_overridden` event (from, to, reason, by whom) in one transaction.
 */
@Injectable()
export class WarrantyOverrideService {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async override(caseId: string, o: WarrantyOverride, by: StaffPrincipal): Promise<CaseWarranty> {
    return this.ds.transaction(async (m) => {
      const c = await m.findOne(CaseEntity, { where: { id: caseId }, lock: { mode: 'pessimistic_write' } });
      if (!c) throw new AppException('not_found', `No case ${caseId}.`);
      if (finalStatuses.has(c.status))
        throw new AppException(
          'illegal_transition',
          `案件 ${c.number} 已${c.status === 'closed' ? '结案' : '判为无效'}，不能再修改保修判定。(The case is ${c.status}.)`,
        );
      const itemCode = o.itemCode === undefined ? c.warrantyItemCode : o.itemCode;
      let expiresOn = o.expiresOn === undefined ? c.warrantyExpiresOn : o.expiresOn;
      if (itemCode !== null && itemCode !== c.warrantyItemCode) {
        const unit = c.unitId ? await unitWarrantyItems(m, c.unitId) : null;
        // An item of the unit's estate (its own over the defaults); without a unit, of the case's estate or the defaults.
        const known = unit
          ? unit.items.find((i) => i.code === itemCode)
          : (
              await m.query<unknown[]>(
                c.projectId
                  ? `SELECT 1 FROM (${effectiveItemsSql('p.id = $2')}) e WHERE e.code = $1`
                  : `SELECT 1 FROM warranty_items WHERE project_id IS NULL AND code = $1 AND active`,
                c.projectId ? [itemCode, c.projectId] : [itemCode],
              )
            )[0];
        if (!known)
          throw new AppException('validation_failed', 'Invalid input: itemCode', {
            fields: [{ field: 'itemCode', message: "not an item of the estate's warranty catalogue" }],
          });
        // The item's expiry for this unit, unless staff gave one.
        if (o.expiresOn === undefined) expiresOn = unit?.items.find((i) => i.code === itemCode)?.expiresOn ?? null;
      }
      const from = { status: c.warrantyStatus, itemCode: c.warrantyItemCode, expiresOn: c.warrantyExpiresOn };
      const to = { status: o.status, itemCode, expiresOn };
      await m.update(
        CaseEntity,
        { id: c.id },
        { warrantyStatus: to.status, warrantyItemCode: to.itemCode, warrantyExpiresOn: to.expiresOn },
      );
      await m.save(
        m.create(CaseEventEntity, {
          caseId: c.id,
          kind: 'warranty_overridden',
          actorId: by.id,
          actorLabel: by.name,
          details: { from, to, reason: o.reason },
        }),
      );
      return {
        caseId: c.id,
        number: c.number,
        warrantyStatus: to.status,
        warrantyItemCode: to.itemCode,
        warrantyExpiresOn: to.expiresOn,
      };
    });
  }
}
