import type { EntityTarget, ObjectLiteral } from 'typeorm';
import type { CaseCategory, CaseChannel, CaseSeverity, CaseType, IntakeOutcome } from '@kefu/shared';

/** Who did something, for the timeline. */
export type Actor = { kind: 'staff'; id: string; name: string } | { kind: 'owner' } | { kind: 'system'; label: string };

export function actorColumns(actor: Actor): { actorId: string | null; actorLabel: string } {
  switch (actor.kind) {
    case 'staff':
      return { actorId: actor.id, actorLabel: actor.name };
    case 'owner':
      return { actorId: null, actorLabel: 'owner' };
    case 'system':
      return { actorId: null, actorLabel: actor.label };
  }
}

/** What every channel hands to CaseIntakeService once it has parsed its own format. */
export interface NewCaseInput {
  channel: CaseChannel;
  /** 'hotline', 'web', 'cdr', 'suggestion_box', 'imap:<mailbox>'. */
  source: string;
  /** The source's own id (idempotency key, CDR uniqueid…): a second item with the same id creates nothing. */
  externalId: string | null;
  /** The item as received, kept in intake_records. */
  raw: Record<string, unknown>;
  receivedAt: Date;
  reporter: {
    name?: string | null;
    /** The contact exactly as given ("张先生 138-1234-5678"). */
    contact?: string | null;
    phones?: string[];
    email?: string | null;
  };
  description: string;
  /** Extra text that may name the unit (address line, subject); the description is searched too. */
  unitText?: string | null;
  projectId?: string | null;
  unitId?: string | null;
  /** Set by staff: wins over the keyword rules (which are still recorded). */
  type?: CaseType;
  category?: CaseCategory | null;
  severity?: CaseSeverity;
  /**
   * A staff member the complaint names (002 §5, §7.3.5: a complaint about a member of staff goes to their
   * superior): the case is routed to their `reports_to`, whatever its category. Unknown id → 400.
   */
  namedStaffId?: string | null;
  actor: Actor;
  /** Same item, same fields (web form): stored with the record so a second delivery can be told from a new item under a reused key. */
  contentHash?: string | null;
  /**
   * The item was stored as an intake record before it was decided (mail: stored before the server is
   * told): the case adopts that record instead of inserting one, if its outcome is still one of `allow`.
   * When it is not, IntakeRecordDecided is thrown and nothing is written.
   */
  adopt?: { recordId: string; allow: readonly IntakeOutcome[]; attempt: 0 | 1 };
  /**
   * The channel's own rows (the hotline's call), written in the case's statement with `caseId` and
   * `intakeRecordId` filled in. Values by entity property; unknown properties are refused.
   */
  with?: Array<{ entity: EntityTarget<ObjectLiteral>; values: Record<string, unknown> }>;
  /**
   * A condition the item must pass in the case's own statement (the web form's per-address limit): a
   * data-modifying SQL statement, built with the statement's parameter function, that returns a row when
   * the item may be written. No row: nothing is written and IntakeRefused is thrown. Not with `adopt`.
   */
  guard?: (param: (value: unknown) => string) => string;
}

/** The item's `guard` returned no row: nothing was written. */
export class IntakeRefused extends Error {}

/** The stored record a case was to adopt was decided meanwhile (another worker, a re-process). */
export class IntakeRecordDecided extends Error {}
