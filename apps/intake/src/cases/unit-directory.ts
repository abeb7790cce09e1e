import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { UnitRow } from '../normalise';

const RELOAD_MS = 60_000;
const MAX_ESTATES = 1_000;

/**
 * An estate's units in the shape the unit-text matcher wants, kept in memory: a large estate has
 * thousands, and every item naming a unit would otherwise fetch them all. Each use checks the estate's
 * `units_version` (bumped by triggers on any change to its units or buildings; given by the caller, who
 * reads it with its other look-ups, or one primary-key row) and reloads when it moved — a unit added or a
 * building renamed a moment ago is matched at once. Anything older than a minute is reloaded anyway.
 */
@Injectable()
export class UnitDirectory {
  private readonly cache = new Map<string, { loadedAt: number; version: string; units: UnitRow[] }>();

  /** The cached units of an estate and their version, unchecked (to read ahead what an item probably names). */
  cached(projectId: string): { version: string; units: UnitRow[] } | undefined {
    const hit = this.cache.get(projectId);
    return hit && Date.now() - hit.loadedAt < RELOAD_MS ? hit : undefined;
  }

  /** The estate's units; `version` is its units_version read just now, if the caller has it. */
  async units(m: EntityManager, projectId: string, version?: string): Promise<UnitRow[]> {
    const hit = this.cached(projectId);
    if (hit) {
      const current =
        version ??
        (
          await m.query<Array<{ v: string }>>(`SELECT units_version::text AS v FROM projects WHERE id = $1`, [
            projectId,
          ])
        )[0]?.v;
      if (current === hit.version) return hit.units;
    }
    // The units and the version they are at, from one snapshot.
    const rows = await m.query<Array<UnitRow & { version: string }>>(
      `SELECT p.units_version::text AS version, u.id, b.name AS "buildingName", u.entrance, u.room
         FROM projects p LEFT JOIN units u ON u.project_id = p.id LEFT JOIN buildings b ON b.id = u.building_id WHERE p.id = $1`,
      [projectId],
    );
    const units = rows
      .filter((r) => r.id !== null)
      .map(({ id, buildingName, entrance, room }) => ({ id, buildingName, entrance, room }));
    if (rows[0]) {
      if (this.cache.size >= MAX_ESTATES) this.cache.clear();
      this.cache.set(projectId, { loadedAt: Date.now(), version: rows[0].version, units });
    }
    return units;
  }
}
