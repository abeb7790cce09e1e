import { notificationKeys, notificationsCte, unitLabelSql } from '@kefu/shared';

// The effective catalogue is read by intake too (a repair's warranty standing); it lives in the shared library.
export { effectiveItemsSql } from '@kefu/shared';

/** SQL shared by the scan, the rechecks and the preview. */

/** Columns of the JSON recordset of handover ranges (HandoverRange). */
export const rangeRecordset = `jsonb_to_recordset($1::jsonb) AS r("projectId" uuid, code text, name text, basis text, amount int, "monthsAhead" int, "seasonStart" text, "seasonEnd" text, "handoverFrom" date, "handoverTo" date)`;

/**
 * Notifications for notices (rows of the CTE or table `src` with id, unit_id, item_code, item_name,
 * expires_on, late, and the unit's estate_name and unit_label): one per current owner
 * (notificationKeys.warranty), channel left to the owner's preferences, with one outbox entry per thousand — the
 * CTEs `notified` and `notified_outbox` (notificationsCte). The owners are an index look-up per notice: a
 * join to `src` (whose size the planner cannot know) could hash all of owner_units once per statement.
 */
export const notifyOwnersSql = (src: string) =>
  notificationsCte(
    'notified',
    `${src} n
     CROSS JOIN LATERAL (SELECT owner_id FROM owner_units WHERE unit_id = n.unit_id AND until IS NULL OFFSET 0) ou`,
    {
      kind: 'warranty_expiry',
      idempotencyKey: notificationKeys.warranty.sql({
        unitId: 'n.unit_id',
        itemCode: 'n.item_code',
        ownerId: 'ou.owner_id',
        expiresOn: `to_char(n.expires_on, 'YYYY-MM-DD')`,
      }),
      recipient: { ownerId: 'ou.owner_id' },
      source: { type: 'warranty_notice', id: 'n.id' },
      variables: {
        estateName: 'n.estate_name',
        unitLabel: 'n.unit_label',
        itemName: 'n.item_name',
        expiresOn: `to_char(n.expires_on, 'YYYY-MM-DD')`,
        servicePhone: 'NULL::text',
      },
      late: 'n.late',
      // A heating day asks for tens of thousands at once: one outbox job per thousand, fanned out by the notifier.
      outbox: 'batch',
    },
  );

/** The estate's name and the unit's label (estate_name, unit_label) of unit `u`, for notifyOwnersSql's source. */
export const unitNamesSql = (u: string) => `
  SELECT p.name AS estate_name, ${unitLabelSql(u, 'b')} AS unit_label
  FROM buildings b, projects p WHERE b.id = ${u}.building_id AND p.id = ${u}.project_id`;
