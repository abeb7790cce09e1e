import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import {
  addDays,
  APP_CONFIG,
  AppException,
  excelCsv,
  unitLabelSql,
  WarrantyItemEntity,
  WarrantySeasonEntity,
  type AppConfig,
  type WarrantyBasis,
} from '@kefu/shared';
import type { ItemBody } from './warranty.dto';
import { WarrantyScanService } from './warranty-scan.service';
import { rangeRecordset } from './warranty.sql';
import { handoverRanges } from './warranty-windows';

export interface CatalogueItem {
  code: string;
  name: string;
  basis: WarrantyBasis;
  amount: number;
  monthsAhead: number;
  active: boolean;
  source: string | null;
  /** True when the estate has its own figure for this item. */
  estateSpecific: boolean;
}

export interface NoticeRow {
  id: string;
  unitId: string;
  unitLabel: string;
  itemCode: string;
  itemName: string;
  handoverDate: string;
  expiresOn: string;
  dueOn: string;
  status: string;
  late: boolean;
  owners: number;
  createdAt: string;
}

export interface UpcomingRow {
  unitId: string;
  unitLabel: string;
  itemCode: string;
  itemName: string;
  handoverDate: string;
  expiresOn: string;
  dueOn: string;
  owners: number;
}

@Injectable()
export class WarrantyService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly scanner: WarrantyScanService,
  ) {}

  private async assertProject(projectId: string): Promise<void> {
    const rows = await this.ds.query<unknown[]>(`SELECT 1 FROM projects WHERE id = $1`, [projectId]);
    if (!rows.length) throw new AppException('not_found', `There is no estate ${projectId}.`);
  }

  async catalogue(projectId?: string): Promise<CatalogueItem[]> {
    if (projectId) await this.assertProject(projectId);
    return this.ds.query<CatalogueItem[]>(
      `SELECT DISTINCT ON (code) code, name, basis, amount, months_ahead AS "monthsAhead", active, source, project_id IS NOT NULL AS "estateSpecific"
       FROM warranty_items WHERE project_id IS NULL OR project_id = $1 ORDER BY code, project_id NULLS LAST`,
      [projectId ?? null],
    );
  }

  /** The estate's own figure for an item (a new item, or an override of the default of that code). */
  async upsertItem(projectId: string, code: string, body: ItemBody): Promise<CatalogueItem> {
    await this.assertProject(projectId);
    const current = (await this.catalogue(projectId)).find((i) => i.code === code);
    if (!current && (!body.name || !body.basis || !body.amount)) {
      throw new AppException('validation_failed', 'Invalid input: a new item needs name, basis and amount', {
        fields: (['name', 'basis', 'amount'] as const)
          .filter((f) => !body[f])
          .map((field) => ({ field, message: 'required for a new item' })),
      });
    }
    const row = {
      projectId,
      code,
      name: body.name ?? current!.name,
      basis: body.basis ?? current!.basis,
      amount: body.amount ?? current!.amount,
      // A new item's lead time: SLA_POLICY.warrantyNoticeLead (000 §6.6.3: 2 months; validated to be months).
      monthsAhead: body.monthsAhead ?? current?.monthsAhead ?? this.config.SLA_POLICY.warrantyNoticeLead.amount,
      active: body.active ?? current?.active ?? true,
      source: body.source !== undefined ? body.source : (current?.source ?? null),
    };
    if (row.basis === 'months' && row.monthsAhead >= row.amount) {
      throw new AppException('validation_failed', 'Invalid input: monthsAhead', {
        fields: [{ field: 'monthsAhead', message: 'must be shorter than the warranty period' }],
      });
    }
    await this.ds.query(
      `INSERT INTO warranty_items (project_id, code, name, basis, amount, months_ahead, active, source) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (project_id, code) WHERE project_id IS NOT NULL DO UPDATE
       SET name = EXCLUDED.name, basis = EXCLUDED.basis, amount = EXCLUDED.amount, months_ahead = EXCLUDED.months_ahead, active = EXCLUDED.active, source = EXCLUDED.source, updated_at = now()`,
      [row.projectId, row.code, row.name, row.basis, row.amount, row.monthsAhead, row.active, row.source],
    );
    return (await this.catalogue(projectId)).find((i) => i.code === code)!;
  }

  async resetItem(projectId: string, code: string): Promise<void> {
    const { affected } = await this.ds.getRepository(WarrantyItemEntity).delete({ projectId, code });
    if (!affected) throw new AppException('not_found', `Estate ${projectId} has no figure of its own for ${code}.`);
  }

  seasons(): Promise<WarrantySeasonEntity[]> {
    return this.ds.getRepository(WarrantySeasonEntity).find({ order: { city: 'ASC' } });
  }

  async upsertSeason(city: string, s: Omit<WarrantySeasonEntity, 'city'>): Promise<WarrantySeasonEntity> {
    await this.ds.getRepository(WarrantySeasonEntity).upsert({ city, ...s }, ['city']);
    return this.ds.getRepository(WarrantySeasonEntity).findOneByOrFail({ city });
  }

  /** The estate's notices, by due day (default: the last 60 days), for posting and planning repairs. */
  async notices(projectId: string, from?: string, to?: string): Promise<NoticeRow[]> {
    await this.assertProject(projectId);
    const today = this.scanner.today();
    return this.ds.query<NoticeRow[]>(
      `SELECT wn.id, wn.unit_id AS "unitId", ${unitLabelSql('u', 'b')} AS "unitLabel", wn.item_code AS "itemCode", wn.item_name AS "itemName",
              to_char(wn.handover_date, 'YYYY-MM-DD') AS "handoverDate", to_char(wn.expires_on, 'YYYY-MM-DD') AS "expiresOn",
              to_char(wn.due_on, 'YYYY-MM-DD') AS "dueOn", wn.status, wn.late,
              (SELECT count(*) FROM notifications n WHERE n.source_type = 'warranty_notice' AND n.source_id = wn.id AND n.status <> 'cancelled')::int AS owners,
              wn.created_at AS "createdAt"
       FROM warranty_notices wn JOIN units u ON u.id = wn.unit_id JOIN buildings b ON b.id = u.building_id
       WHERE wn.project_id = $1 AND wn.due_on BETWEEN $2 AND $3
       ORDER BY wn.expires_on, b.name, u.entrance, u.room, wn.item_code`,
      [projectId, from ?? addDays(today, -60), to ?? today],
    );
  }

  /** What the scan will send in the next `days` days (from tomorrow), per estate. */
  async upcoming(projectId: string, days: number): Promise<UpcomingRow[]> {
    await this.assertProject(projectId);
    const today = this.scanner.today();
    const to = addDays(today, days);
    const ranges = (await this.scanner.effectiveItems(this.ds, projectId)).flatMap((i) => handoverRanges(i, today, to));
    if (!ranges.length) return [];
    return this.ds.query<UpcomingRow[]>(
      `WITH r AS (SELECT * FROM ${rangeRecordset}),
       due AS (
         SELECT u.id AS unit_id, u.building_id, u.entrance, u.room, r.code, r.name, u.handover_date, e.expires_on,
                (e.expires_on - make_interval(months => r."monthsAhead"))::date AS due_on
         FROM r
         -- LATERAL: one index range scan of ix_units_project_handover per band, whatever the planner guesses of the bands
         CROSS JOIN LATERAL (SELECT * FROM units u WHERE u.project_id = r."projectId" AND u.handover_date BETWEEN r."handoverFrom" AND r."handoverTo" OFFSET 0) u
         CROSS JOIN LATERAL (SELECT warranty_expiry(u.handover_date, r.basis, r.amount, r."seasonStart", r."seasonEnd") AS expires_on) e
       )
       SELECT d.unit_id AS "unitId", ${unitLabelSql('d', 'b')} AS "unitLabel", d.code AS "itemCode", d.name AS "itemName",
              to_char(d.handover_date, 'YYYY-MM-DD') AS "handoverDate", to_char(d.expires_on, 'YYYY-MM-DD') AS "expiresOn", to_char(d.due_on, 'YYYY-MM-DD') AS "dueOn",
              (SELECT count(*) FROM owner_units ou WHERE ou.unit_id = d.unit_id AND ou.until IS NULL)::int AS owners
       FROM due d JOIN buildings b ON b.id = d.building_id
       WHERE d.due_on > $2::date AND d.due_on <= $3::date
       ORDER BY d.due_on, b.name, d.entrance, d.room, d.code`,
      [JSON.stringify(ranges), today, to],
    );
  }
}

/** CSV for Excel (UTF-8 with BOM, formula-safe), Chinese headers as the property company posts them. */
export function noticesCsv(rows: NoticeRow[]): string {
  const header = ['房号', '保修项目', '交付日期', '保修到期日', '通知日期', '业主数', '状态', '补发'];
  return excelCsv([
    header,
    ...rows.map((r) => [
      r.unitLabel,
      r.itemName,
      r.handoverDate,
      r.expiresOn,
      r.dueOn,
      r.owners,
      r.status === 'superseded' ? '已作废' : '已通知',
      r.late ? '是' : '',
    ]),
  ]);
}
