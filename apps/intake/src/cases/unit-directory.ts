import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { UnitRow } from '../normalise';

const RELOAD_MS = 60_000;
const MAX_ESTATES = 1_000;

/**
 * An estate's units in the shape the unit-text matcher wants, kept in memory: a large estate has
 * thousands, and every item naming a unit would otherwise fetch them all. Each use checks the estate's
 * unit count (given by the caller, who reads it with its other look-ups, or one row) and reloads when it
 * changed — a unit added a moment ago is matched at once — and anything older than a minute is
 * reloaded anyway (a renamed building).
 */
@Injectable()
export class UnitDirectory {
  private readonly cache = new Map<string, { loadedAt: number; units: UnitRow[] }>();

  /** The cached units of an estate if loaded within the minute, not yet checked against the count. */
  private peek(projectId: string): UnitRow[] | undefined {
    const hit = this.cache.get(projectId);
    return hit && Date.now() - hit.loadedAt < RELOAD_MS ? hit.units : undefined;
  }

  /** The estate's units; `count` is its unit count read just now, if the caller has it. */
  async units(m: EntityManager, projectId: string, count?: number): Promise<UnitRow[]> {
    const hit = this.peek(projectId);
    if (hit) {
      const n = count ?? (await m.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM units WHERE project_id = $1`, [projectId]))[0]?.n ?? -1;
      if (n === hit.length) return hit;
    }
    const units = await m.query<UnitRow[]>(
      `SELECT u.id, b.name AS "buildingName", u.entrance, u.room FROM units u JOIN buildings b ON b.id = u.building_id WHERE u.project_id = $1`,
      [projectId],
    );
    if (this.cache.size >= MAX_ESTATES) this.cache.clear();
    this.cache.set(projectId, { loadedAt: Date.now(), units });
    return units;
  }
}
