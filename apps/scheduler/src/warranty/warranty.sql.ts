import { notificationKeys, notificationsCte, unitLabelSql } from '@kefu/shared';

/** SQL shared by the scan, the rechecks and the preview. */

/**
 * Each estate's effective catalogue: its own rows over the defaults, with its city's season dates (the
 * '*' row for a city not listed; a listed city without a heating season, e.g. Shenzhen, has no heating notices).
 */
export const effectiveItemsSql = (projectFilter: string) => `
  SELECT p.id AS "projectId", i.code, i.name, i.basis, i.amount, i.months_ahead AS "monthsAhead",
         CASE i.basis WHEN 'heating_seasons' THEN CASE WHEN cs.city IS NULL THEN ds.heating_start ELSE cs.heating_start END WHEN 'cooling_seasons' THEN CASE WHEN cs.city IS NULL THEN ds.cooling_start ELSE cs.cooling_start END END AS "seasonStart",
         CASE i.basis WHEN 'heating_seasons' THEN CASE WHEN cs.city IS NULL THEN ds.heating_end ELSE cs.heating_end END WHEN 'cooling_seasons' THEN CASE WHEN cs.city IS NULL THEN ds.cooling_end ELSE cs.cooling_end END END AS "seasonEnd"
  FROM projects p
  CROSS JOIN LATERAL (
    SELECT DISTINCT ON (wi.code) wi.* FROM warranty_items wi
    WHERE wi.project_id = p.id OR wi.project_id IS NULL
    ORDER BY wi.code, wi.project_id NULLS LAST
  ) i
  LEFT JOIN warranty_seasons cs ON cs.city = p.city
  LEFT JOIN warranty_seasons ds ON ds.city = '*'
  WHERE i.active AND ${projectFilter}`;

/** Columns of the JSON recordset of handover ranges (HandoverRange). */
export const rangeRecordset = `jsonb_to_recordset($1::jsonb) AS r("projectId" uuid, code text, name text, basis text, amount int, "monthsAhead" int, "seasonStart" text, "seasonEnd" text, "handoverFrom" date, "handoverTo" date)`;

/**
 * Notifications for notices (rows of the CTE or table `src` with id, unit_id, item_code, item_name,
 * expires_on, late, and the unit's estate_name and unit_label): one per current owner
 * (notificationKeys.warranty), channel left to the owner's preferences, each with its outbox entry — the
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
    },
  );

/** The estate's name and the unit's label (estate_name, unit_label) of unit `u`, for notifyOwnersSql's source. */
export const unitNamesSql = (u: string) => `
  SELECT p.name AS estate_name, ${unitLabelSql(u, 'b')} AS unit_label
  FROM buildings b, projects p WHERE b.id = ${u}.building_id AND p.id = ${u}.project_id`;
