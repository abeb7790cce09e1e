import type { EntityManager } from 'typeorm';
import { textSimilarity, type UnitRef } from '../normalise';
import type { NewCaseInput } from './case-intake.types';
import { OWNERS_SQL, type MatchFacts, type OwnerUnitRow, type ReporterKeys } from './case-matcher';
import { preparedQuery } from './prepared-query';
import { unitWarrantySql, type UnitWarranty } from './warranty/warranty-standing';

/** Same owner or unit, similar text, within this many days: linked as a possible duplicate. */
const DUPLICATE_WINDOW_DAYS = 7;
const DUPLICATE_MIN_SIMILARITY = 0.4;
/** The most recent cases of an owner, unit or number compared for duplicates. */
const DUPLICATE_CANDIDATES = 50;

/** Everything matching reads, from ONE statement. */
export interface IntakeContext extends MatchFacts {
  /** When the text names units: units_version per estate of the owners' units and the given estate (checks the unit directory). */
  unitVersions: Map<string, string>;
  /** Recent cases of every owner, unit and number the item can end up with, but a unit found in its text. */
  recent: RecentCases;
  /** A repair's: the handover date and catalogue of each of those units (the warranty standing), by unit id. */
  warranty: Map<string, UnitWarranty>;
}

interface RecentCase {
  id: string;
  number: string;
  description: string;
  received_at: string;
  owner_id: string | null;
  unit_id: string | null;
  reporter_phone: string | null;
}

/** The duplicate check's candidates read ahead, and the units they were read for (owners and number are always covered). */
export interface RecentCases {
  units: Set<string>;
  rows: RecentCase[];
}

/** Recent cases by one key: `$k` the key column's condition; `$t` the item's time (window as possibleDuplicates). */
const recentBy = (cond: string) =>
  `SELECT id, number, description, received_at, owner_id, unit_id, reporter_phone FROM cases
    WHERE ${cond} AND received_at > $6::timestamptz - make_interval(days => ${DUPLICATE_WINDOW_DAYS}) AND received_at <= $6::timestamptz + interval '1 hour'
    ORDER BY received_at DESC LIMIT ${DUPLICATE_CANDIDATES}`;

/**
 * The look-ups matching needs, in ONE round trip: the reporter's owners with their units, the given
 * unit's estate, (when the text names a unit) the estates' units_version to check the cached unit
 * directory, and the duplicate check's candidates: the recent cases of each owner found, each of their
 * units, the given unit, the unit the text names in the cached directory, and the reporter's number —
 * every key the item can end up with (a unit named outside them costs possibleDuplicates a query) — and, for
 * a repair, the handover date and catalogue of those units (its warranty standing; the same exception). Each
 * key is its own LATERAL index look-up with its own LIMIT: one OR over all keys let the planner (stale
 * statistics on a growing cases table) scan a whole week of cases through the unit index, 15 ms a
 * statement (EXPLAIN in the bench).
 */
export async function readIntakeContext(
  m: EntityManager,
  input: NewCaseInput,
  keys: ReporterKeys,
  unitRefs: UnitRef[],
  unitAhead: string | null,
  repair: boolean,
): Promise<IntakeContext> {
  const [row] = await preparedQuery<{
    owners: Array<OwnerUnitRow>;
    given_unit: { project_id: string } | null;
    unit_versions: Record<string, string>;
    recent: RecentCase[];
    warranty: Record<string, UnitWarranty>;
  }>(
    m,
    `WITH o AS (${OWNERS_SQL}),
     gu AS (SELECT project_id FROM units WHERE id = $3::uuid),
     pr AS (SELECT project_id FROM o WHERE project_id IS NOT NULL UNION SELECT $4::uuid WHERE $4::uuid IS NOT NULL UNION SELECT project_id FROM gu),
     uv AS (SELECT id, units_version::text AS v FROM projects WHERE $5::boolean AND id IN (SELECT project_id FROM pr)),
     rc AS (SELECT r.* FROM (SELECT DISTINCT owner_id FROM o) k CROSS JOIN LATERAL (${recentBy('owner_id = k.owner_id')}) r
            UNION
            SELECT r.* FROM (SELECT unit_id FROM o WHERE unit_id IS NOT NULL UNION SELECT unnest(ARRAY[$3::uuid, $8::uuid]) AS unit_id) k CROSS JOIN LATERAL (${recentBy('unit_id = k.unit_id')}) r
            UNION
            SELECT r.* FROM (SELECT $7::text AS phone WHERE $7::text IS NOT NULL) k CROSS JOIN LATERAL (${recentBy('reporter_phone = k.phone')}) r),
     wu AS (SELECT unit_id FROM o WHERE $9::boolean AND unit_id IS NOT NULL
            UNION SELECT unit_id FROM unnest(ARRAY[$3::uuid, $8::uuid]) AS k(unit_id) WHERE $9::boolean AND unit_id IS NOT NULL)
     SELECT (SELECT coalesce(json_agg(json_build_object('owner_id', owner_id, 'unit_id', unit_id, 'project_id', project_id, 'project_code', project_code) ORDER BY created_at), '[]') FROM o) AS owners,
            (SELECT json_build_object('project_id', project_id) FROM gu) AS given_unit,
            (SELECT coalesce(json_object_agg(id, v), '{}') FROM uv) AS unit_versions,
            (SELECT coalesce(json_agg(rc), '[]') FROM rc) AS recent,
            (SELECT coalesce(json_object_agg(u.id, ${unitWarrantySql('u')}), '{}') FROM wu JOIN units u ON u.id = wu.unit_id) AS warranty`,
    [
      keys.phones,
      keys.email,
      input.unitId ?? null,
      input.projectId ?? null,
      unitRefs.length > 0,
      input.receivedAt,
      keys.phones[0] ?? null,
      unitAhead,
      repair,
    ],
  );
  const owners = row?.owners ?? [];
  const units = new Set(owners.map((o) => o.unit_id).filter((u): u is string => u !== null));
  if (input.unitId) units.add(input.unitId);
  if (unitAhead) units.add(unitAhead);
  return {
    unitRefs,
    owners,
    ...(input.unitId ? { givenUnit: row?.given_unit ?? null } : {}),
    unitVersions: new Map(Object.entries(row?.unit_versions ?? {})),
    recent: { units, rows: row?.recent ?? [] },
    warranty: new Map(Object.entries(row?.warranty ?? {})),
  };
}

/**
 * Same owner, unit or number within the window, and similar text: linked for staff to judge, never
 * merged. From the candidates read ahead when they cover the item's keys (the reporter's number is
 * always `reporterPhone`; the owner is one of those read), else one query.
 */
export async function possibleDuplicates(
  m: EntityManager,
  c: {
    ownerId: string | null;
    unitId: string | null;
    reporterPhone: string | null;
    description: string;
    receivedAt: Date;
  },
  ahead: RecentCases,
): Promise<Array<{ id: string; number: string; score: number }>> {
  if (!c.ownerId && !c.unitId && !c.reporterPhone) return [];
  const recent =
    c.unitId === null || ahead.units.has(c.unitId)
      ? ahead.rows
          .filter(
            (r) =>
              (c.ownerId !== null && r.owner_id === c.ownerId) ||
              (c.unitId !== null && r.unit_id === c.unitId) ||
              (c.reporterPhone !== null && r.reporter_phone === c.reporterPhone),
          )
          .sort((a, b) => Date.parse(b.received_at) - Date.parse(a.received_at))
          .slice(0, DUPLICATE_CANDIDATES)
      : await m.query<Array<{ id: string; number: string; description: string }>>(
          `SELECT id, number, description FROM cases
           WHERE received_at > $1::timestamptz - make_interval(days => $2) AND received_at <= $1::timestamptz + interval '1 hour'
             AND (owner_id = $3 OR unit_id = $4 OR reporter_phone = $5)
           ORDER BY received_at DESC LIMIT $6`,
          [c.receivedAt, DUPLICATE_WINDOW_DAYS, c.ownerId, c.unitId, c.reporterPhone, DUPLICATE_CANDIDATES],
        );
  return recent
    .map((r) => ({
      id: r.id,
      number: r.number,
      score: Math.round(textSimilarity(c.description, r.description) * 100) / 100,
    }))
    .filter((r) => r.score >= DUPLICATE_MIN_SIMILARITY);
}
