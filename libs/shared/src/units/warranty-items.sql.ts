/**
 * The warranty catalogue as SQL, for the scheduler's notices (apps/scheduler/src/warranty) and intake's
 * warranty standing of a repair (apps/intake/src/cases/warranty): one definition, so they cannot disagree.
 */

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
