import type { BoxView } from './suggestion-box.service';

/** A box with its last emptying, over `suggestion_boxes b` (`lc` the last collection). */
export const BOX_SELECT = `
  SELECT b.id, b.project_id AS "projectId", p.code AS "projectCode", p.name AS "projectName", b.location, b.active, b.created_at AS "createdAt",
         lc.id AS "lastId", lc.collected_at AS "lastAt", lc.slip_count AS "lastSlips", s.name AS "lastCollector",
         floor(extract(epoch FROM now() - COALESCE(lc.collected_at, b.created_at)) / 86400)::int AS "days"
    FROM suggestion_boxes b
    JOIN projects p ON p.id = b.project_id
    LEFT JOIN LATERAL (SELECT id, collected_at, slip_count, collector_id FROM box_collections WHERE box_id = b.id ORDER BY collected_at DESC LIMIT 1) lc ON true
    LEFT JOIN staff s ON s.id = lc.collector_id`;

export interface BoxRow {
  id: string;
  projectId: string;
  projectCode: string;
  projectName: string;
  location: string;
  active: boolean;
  createdAt: Date;
  lastId: string | null;
  lastAt: Date | null;
  lastSlips: number | null;
  lastCollector: string | null;
  days: number;
}

export const toBoxView = (r: BoxRow): BoxView => ({
  id: r.id,
  projectId: r.projectId,
  projectCode: r.projectCode,
  projectName: r.projectName,
  location: r.location,
  active: r.active,
  createdAt: r.createdAt.toISOString(),
  lastCollection:
    r.lastId && r.lastAt
      ? {
          id: r.lastId,
          collectedAt: r.lastAt.toISOString(),
          slipCount: r.lastSlips ?? 0,
          collectorName: r.lastCollector ?? '',
        }
      : null,
  daysSinceEmptied: r.days,
});
