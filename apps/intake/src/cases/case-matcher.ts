import { AppException, findPhones, normalisePhone } from '@kefu/shared';
import { findUnitRefs, type UnitMatch, type UnitRef } from '../normalise';
import type { NewCaseInput } from './case-intake.types';

export interface MatchResult {
  projectId: string | null;
  /** Known when the estate came from the owner's units; otherwise look it up. */
  projectCode: string | null;
  unitId: string | null;
  ownerId: string | null;
  reporterPhone: string | null;
  reporterEmail: string | null;
  status: 'matched' | 'ambiguous' | 'unmatched';
  /** Ids only (no personal data): what was tried and what was found. */
  details: Record<string, unknown>;
}

const emailPattern = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/;

/** The reporter's numbers (digits) and email, as matching and the look-ups use them. */
export interface ReporterKeys {
  phones: string[];
  email: string | null;
}

export function reporterKeys(input: NewCaseInput): ReporterKeys {
  const contact = input.reporter.contact ?? '';
  const phones = [
    ...new Set(
      [
        ...(input.reporter.phones ?? []).map((p) => normalisePhone(p)?.digits),
        ...findPhones(contact).map((p) => p.digits),
      ].filter((d): d is string => !!d),
    ),
  ];
  const email = (input.reporter.email ?? emailPattern.exec(contact)?.[0] ?? null)?.trim().toLowerCase() || null;
  return { phones, email };
}

/** An owner found by number or email, with one of their current units (null: none). */
export interface OwnerUnitRow {
  owner_id: string;
  unit_id: string | null;
  project_id: string | null;
  project_code: string | null;
}

/**
 * Owners (at most 20, oldest first) by any of their numbers or their email, with their current units:
 * `$1` the numbers, `$2` the email. Used as a subquery of the intake's one read statement, which is
 * prepared, and written so Postgres keeps ONE plan for it (a generic plan: matching-plan.integration-spec):
 * planning it anew cost 1.2–1.8 ms per case, more than running it. Hence two index look-ups in a UNION,
 * not one OR (`$2 IS NOT NULL AND …` has no plan good for every reporter); the numbers behind a sub-select,
 * so no plan is costed on the particular numbers (custom plans then look no cheaper than the generic one);
 * and the units by a LATERAL look-up fenced with OFFSET 0 (not merged into a join, so it stays an index
 * look-up per owner whatever the estimate of owners found; a hash join read all of owner_units).
 */
export const OWNERS_SQL = `SELECT o.id AS owner_id, ou.unit_id, u.project_id, p.code AS project_code, o.created_at
           FROM (SELECT id, created_at FROM owners WHERE mobiles && (SELECT $1::text[])
                 UNION
                 SELECT id, created_at FROM owners WHERE lower(email) = $2::text
                 ORDER BY created_at LIMIT 20) o
           LEFT JOIN LATERAL (SELECT unit_id FROM owner_units WHERE owner_id = o.id AND until IS NULL OFFSET 0) ou ON true
           LEFT JOIN units u ON u.id = ou.unit_id
           LEFT JOIN projects p ON p.id = u.project_id`;

/** What the text names (read once), and what the database said before matching: the owners, the given unit's estate. */
export function unitRefsOf(input: NewCaseInput): UnitRef[] {
  return input.unitId ? [] : findUnitRefs(`${input.unitText ?? ''} ${input.description}`);
}

export interface MatchFacts {
  /** Unit references in the unit text and the description (none looked for when a unit is given). */
  unitRefs: UnitRef[];
  owners: OwnerUnitRow[];
  /** The estate of `input.unitId` (null: no such unit); undefined when no unit was given. */
  givenUnit?: { project_id: string } | null;
}

/**
 * Finds the owner, unit and estate of an inbound item from its phone numbers, email and unit text.
 * Anything that fits several candidates stays unset with the candidates listed: never a silent guess.
 * `matchIn` matches unit references against an estate's units.
 */
export async function matchReporter(
  input: NewCaseInput,
  keys: ReporterKeys,
  facts: MatchFacts,
  matchIn: (projectId: string, refs: UnitRef[]) => Promise<UnitMatch>,
): Promise<MatchResult> {
  const details: Record<string, unknown> = {};
  const { phones } = keys;
  let ambiguous = false;

  const ownerRows = facts.owners;
  const ownerIds = [...new Set(ownerRows.map((o) => o.owner_id))];
  const ownerUnits = ownerRows.filter(
    (r): r is { owner_id: string; unit_id: string; project_id: string; project_code: string } => r.unit_id !== null,
  );
  const codes = new Map(ownerUnits.map((u) => [u.project_id, u.project_code]));

  let projectId = input.projectId ?? null;
  let unitId: string | null = null;
  if (input.unitId) {
    const unit = facts.givenUnit;
    if (!unit)
      throw new AppException('validation_failed', 'Invalid input: unitId', {
        fields: [{ field: 'unitId', message: 'no such unit' }],
      });
    if (projectId && unit.project_id !== projectId)
      throw new AppException('validation_failed', 'Invalid input: unitId', {
        fields: [{ field: 'unitId', message: 'is not in the given estate' }],
      });
    unitId = input.unitId;
    projectId = unit.project_id;
    details.unit = 'given';
  } else {
    const ownerProjects = [...new Set(ownerUnits.map((u) => u.project_id))];
    const scope = projectId ?? (ownerProjects.length === 1 ? ownerProjects[0]! : null);
    const refs = facts.unitRefs;
    if (refs.length && scope) {
      const match = await matchIn(scope, refs);
      details.unitRef = refs.map((r) => r.text);
      if (match.status === 'matched') {
        unitId = match.unitId;
        projectId = scope;
        details.unit = 'text';
      } else if (match.status === 'ambiguous') {
        ambiguous = true;
        details.unitCandidates = match.candidates;
      }
    }
    if (!unitId && !details.unitCandidates) {
      const owned = [...new Set(ownerUnits.map((u) => u.unit_id))];
      if (ownerIds.length === 1 && owned.length === 1) {
        unitId = owned[0]!;
        projectId = ownerUnits[0]!.project_id;
        details.unit = 'owner_single_unit';
      } else if (owned.length > 1) {
        ambiguous = true;
        details.unitCandidates = owned;
      }
    }
    if (!projectId && ownerProjects.length === 1) projectId = ownerProjects[0]!;
  }

  let ownerId: string | null = null;
  if (ownerIds.length === 1) ownerId = ownerIds[0]!;
  else if (ownerIds.length > 1) {
    // Co-owners sharing a number: the unit decides, if it names exactly one of them.
    const ofUnit = ownerUnits.filter((u) => u.unit_id === unitId).map((u) => u.owner_id);
    if (unitId && ofUnit.length === 1) ownerId = ofUnit[0]!;
    else {
      ambiguous = true;
      details.ownerCandidates = ownerIds;
    }
  }
  if (ownerId) details.owner = phones.length ? 'phone_or_email' : 'email';

  const status = ambiguous ? 'ambiguous' : ownerId || unitId ? 'matched' : 'unmatched';
  return {
    projectId,
    projectCode: projectId ? (codes.get(projectId) ?? null) : null,
    unitId,
    ownerId,
    reporterPhone: phones[0] ?? null,
    reporterEmail: keys.email,
    status,
    details,
  };
}
