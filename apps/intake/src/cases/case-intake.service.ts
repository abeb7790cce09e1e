import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import {
  businessYear,
  APP_CONFIG,
  AppException,
  CalendarService,
  CaseEntity,
  CLOCK,
  dutyDayOf,
  GENERAL_CASE_PREFIX,
  initialDeadlines,
  notificationKeys,
  notificationsCte,
  OutboxRelay,
  routeCtes,
  routedEventDetailsSql,
  zonedParts,
  type AppConfig,
  type BusinessCalendar,
  type CaseChannel,
  type Clock,
  type NotifyChannel,
  type RouteInput,
} from '@kefu/shared';
import { classify, matchUnit, overrideRule, textSimilarity, type UnitRef } from '../normalise';
import { actorColumns, IntakeRecordDecided, IntakeRefused, type NewCaseInput } from './case-intake.types';
import {
  matchReporter,
  OWNERS_SQL,
  reporterKeys,
  unitRefsOf,
  type MatchFacts,
  type OwnerUnitRow,
  type ReporterKeys,
} from './case-matcher';
import { preparedQuery } from './prepared-query';
import { UnitDirectory } from './unit-directory';
import { decideWarranty, unitWarrantyItems, unitWarrantySql, type UnitWarranty } from './warranty/warranty-standing';

type Extra = (m: EntityManager, c: CaseEntity, intakeRecordId: string) => Promise<void>;

export interface IntakeResult {
  /** False when the same item (source + external id) was received before: nothing new was created. */
  created: boolean;
  caseRow: CaseEntity;
  intakeRecordId: string;
}

/** Column names for jsonb_to_recordset. */
const snake = (a: { actorId: string | null; actorLabel: string }) => ({
  actor_id: a.actorId,
  actor_label: a.actorLabel,
});

/**
 * How the reporter hears that the case was taken (受理回执, with the promised reply date): by email when
 * they wrote in by email (the answer threads back into the case), else SMS to their number, else email;
 * nobody to tell (an anonymous slip) → none.
 */
function acknowledgementChannel(c: CaseEntity, channel: CaseChannel): NotifyChannel | null {
  if (channel === 'email' && c.reporterEmail) return 'email';
  if (c.reporterPhone) return 'sms';
  return c.reporterEmail ? 'email' : null;
}

/** Same owner or unit, similar text, within this many days: linked as a possible duplicate. */
const DUPLICATE_WINDOW_DAYS = 7;
const DUPLICATE_MIN_SIMILARITY = 0.4;
/** The most recent cases of an owner, unit or number compared for duplicates. */
const DUPLICATE_CANDIDATES = 50;
/** Case statements with at most this many channel rows (a call, a few photos or attachments) run as prepared statements. */
const PREPARED_MAX_ROWS = 5;

/** Everything matching reads, from ONE statement. */
interface IntakeContext extends MatchFacts {
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
interface RecentCases {
  units: Set<string>;
  rows: RecentCase[];
}

/** Recent cases by one key: `$k` the key column's condition; `$t` the item's time (window as possibleDuplicates). */
const recentBy = (cond: string) =>
  `SELECT id, number, description, received_at, owner_id, unit_id, reporter_phone FROM cases
    WHERE ${cond} AND received_at > $6::timestamptz - make_interval(days => ${DUPLICATE_WINDOW_DAYS}) AND received_at <= $6::timestamptz + interval '1 hour'
    ORDER BY received_at DESC LIMIT ${DUPLICATE_CANDIDATES}`;

/**
 * Turns one normalised inbound item into a case, in one transaction: the intake record (the exactly-once
 * guard), owner/unit matching, keyword classification, the promised reply date, a repair's warranty standing
 * (warranty/warranty-standing.ts, recorded in the `created` event), the case number, the `created` event, possible-duplicate links, the `case-received` outbox row and the reporter's
 * acknowledgement notification. Every channel ends here.
 */
@Injectable()
export class CaseIntakeService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly calendars: CalendarService,
    private readonly relay: OutboxRelay,
    private readonly unitDirectory: UnitDirectory,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * One statement, no transaction: the look-ups before it see committed data either way, and the writes
   * are all in it (the channel's own rows as `input.with`).
   */
  async create(input: NewCaseInput): Promise<IntakeResult> {
    const result = await this.createWith(this.ds.manager, await this.calendars.current(), input);
    if (result.created) this.afterCommit();
    return result;
  }

  /**
   * Inside the caller's transaction, so several cases commit or roll back as one (a suggestion-box
   * collection), or after the caller's own checks (the web form's per-address lock). With the data
   * source's manager and no `extra`, one statement of its own. Call afterCommit() once committed.
   */
  async createIn(m: EntityManager, input: NewCaseInput, extra?: Extra): Promise<IntakeResult> {
    return this.createWith(m, await this.calendars.current(), input, extra);
  }

  /** Relays the new cases' jobs now rather than at the relay's next tick. */
  afterCommit(): void {
    this.relay.kick();
  }

  private async createWith(
    m: EntityManager,
    calendar: BusinessCalendar,
    input: NewCaseInput,
    extra?: Extra,
  ): Promise<IntakeResult> {
    const keys = reporterKeys(input);
    const unitRefs = unitRefsOf(input);
    // An item naming a unit of a given estate (the web form): matched ahead against the cached directory,
    // so the recent cases of that unit come with the one read. Only a read-ahead: the match that counts is
    // made after the read, against the directory checked by its version — the same one, nearly always.
    const cached = unitRefs.length > 0 && input.projectId ? this.unitDirectory.cached(input.projectId) : undefined;
    const ahead = cached ? { version: cached.version, match: matchUnit(unitRefs, cached.units) } : undefined;
    // Classified without the given type as a hint, so an override by staff (or a channel) shows as one.
    const auto = classify(input.description);
    const type = input.type ?? auto.type;
    const ctx = await this.readContext(
      m,
      input,
      keys,
      unitRefs,
      ahead?.match.status === 'matched' ? ahead.match.unitId : null,
      type === 'repair',
    );
    const match = await matchReporter(input, keys, ctx, async (projectId, refs) =>
      ahead && projectId === input.projectId && ctx.unitVersions.get(projectId) === ahead.version
        ? ahead.match
        : matchUnit(refs, await this.unitDirectory.units(m, projectId, ctx.unitVersions.get(projectId))),
    );
    const by = input.actor.kind === 'staff' ? 'manual' : 'channel';
    const manual = (['type', 'category', 'severity'] as const)
      .filter((f) => input[f] !== undefined && input[f] !== auto[f])
      .map((f) => overrideRule(by, f));
    const severity = input.severity ?? auto.severity;
    const deadlines = initialDeadlines(calendar, this.config.SLA_POLICY, {
      type,
      severity,
      receivedAt: input.receivedAt,
    });
    const duplicates = await this.possibleDuplicates(
      m,
      { ...match, description: input.description, receivedAt: input.receivedAt },
      ctx.recent,
    );

    // A repair's warranty standing (000 §6.5.1(2), 003 §11.2.4), from the units read ahead; a unit found
    // only by its text in the directory costs one more read.
    const warranty =
      type === 'repair'
        ? decideWarranty(
            input.description,
            zonedParts(input.receivedAt, this.config.BUSINESS_TIME_ZONE).day,
            match.unitId ? (ctx.warranty.get(match.unitId) ?? (await unitWarrantyItems(m, match.unitId))) : null,
          )
        : null;

    if (
      input.namedStaffId &&
      !(await m.query<unknown[]>(`SELECT 1 FROM staff WHERE id = $1`, [input.namedStaffId])).length
    )
      throw new AppException('validation_failed', 'Invalid input: namedStaffId', {
        fields: [{ field: 'namedStaffId', message: 'no such staff member' }],
      });

    const caseRow = m.create(CaseEntity, {
      id: randomUUID(),
      type,
      severity,
      category: input.category !== undefined ? input.category : auto.category,
      channel: input.channel,
      status: 'new',
      validity: 'pending',
      projectId: match.projectId,
      unitId: match.unitId,
      ownerId: match.ownerId,
      reporterName: input.reporter.name?.trim() || null,
      reporterContact: input.reporter.contact?.trim() || null,
      reporterPhone: match.reporterPhone,
      reporterEmail: match.reporterEmail,
      description: input.description,
      matchStatus: match.status,
      matchDetails: match.details,
      classificationRules: [...auto.rules, ...manual],
      promisedReplyAt: deadlines.firstReply.at,
      promisedReplyRule: deadlines.firstReplyRule,
      warrantyStatus: warranty?.status ?? null,
      warrantyItemCode: warranty?.itemCode ?? null,
      warrantyExpiresOn: warranty?.expiresOn ?? null,
      receivedAt: input.receivedAt,
      escalationLevel: 0,
      replyDateMoves: 0,
      departmentId: null,
      assigneeId: null,
      closedAt: null,
    });
    const recordId = input.adopt?.recordId ?? randomUUID();
    const events = [
      {
        case_id: caseRow.id,
        kind: 'created',
        ...snake(actorColumns(input.actor)),
        details: {
          channel: input.channel,
          intakeRecordId: recordId,
          match: match.status,
          classificationRules: caseRow.classificationRules,
          promisedReplyAt: caseRow.promisedReplyAt?.toISOString() ?? null,
          promisedReplyRule: deadlines.firstReplyRule,
          ...(deadlines.firstReply.provisional
            ? { provisional: 'the promised date depends on a day beyond the holiday data' }
            : {}),
          ...(warranty ? { warranty } : {}),
        },
      },
      ...duplicates.flatMap((d) => [
        {
          case_id: caseRow.id,
          kind: 'possible_duplicate',
          actor_id: null,
          actor_label: 'system',
          details: { of: d.number, caseId: d.id, score: d.score },
        },
        // Our own number is not known yet (it is assigned in the same statement); the case id identifies it.
        {
          case_id: d.id,
          kind: 'possible_duplicate',
          actor_id: null,
          actor_label: 'system',
          details: { caseId: caseRow.id, score: d.score },
        },
      ]),
    ];

    // Routed by who is on duty when the case is taken (a CDR import of last night's calls: today's duty).
    const route: RouteInput = {
      category: caseRow.category,
      projectId: caseRow.projectId,
      namedStaffId: input.namedStaffId ?? null,
      on: dutyDayOf(calendar, this.clock.now()),
    };
    const written = await this.insertCase(m, input, caseRow, recordId, match.projectCode, events, duplicates, route);
    if (written === null) {
      if (input.adopt) throw new IntakeRecordDecided(`intake record ${recordId} was decided meanwhile`);
      return this.existing(m, input);
    }
    caseRow.number = written.number;
    caseRow.departmentId = written.departmentId;
    caseRow.assigneeId = written.assigneeId;
    await extra?.(m, caseRow, recordId);
    return { created: true, caseRow, intakeRecordId: recordId };
  }

  /**
   * The whole write in ONE statement (each round trip costs more than the SQL): the intake record (the
   * exactly-once guard: on a conflict nothing else is written and null comes back), the case with its
   * number, its events, duplicate links, the `case-received` outbox row, and the reporter's acknowledgement
   * (notificationsCte: a notification row + its outbox row, as requestNotification writes them), and its
   * routing (the responsible department and person looked up in the same statement, with a `routed` event
   * naming the rule; libs/shared/src/routing). Foreign keys
   * are checked at the end of the statement, so the order of the CTEs does not matter to them.
   *
   * The number comes from the estate's counter row, locked from here until COMMIT: keep what runs after
   * this (the channel's `extra`) short.
   */
  private async insertCase(
    m: EntityManager,
    input: NewCaseInput,
    c: CaseEntity,
    recordId: string,
    projectCode: string | null,
    events: Array<Record<string, unknown>>,
    duplicates: Array<{ id: string; score: number }>,
    route: RouteInput,
  ): Promise<{ number: string; departmentId: string | null; assigneeId: string | null } | null> {
    const params: unknown[] = [];
    const p = (v: unknown) => `$${params.push(v)}`;
    const caseId = p(c.id);
    const raw = p(JSON.stringify(input.raw));
    const rec = input.adopt
      ? `UPDATE intake_records SET outcome = 'case_created', outcome_reason = NULL, case_id = ${caseId}, processed_at = now(), channel = ${p(input.channel)},
                attempts = attempts + ${p(input.adopt.attempt)}, raw = COALESCE(raw, '{}'::jsonb) || ${raw}::jsonb
          WHERE id = ${p(recordId)} AND outcome = ANY(${p(input.adopt.allow)}::text[]) RETURNING id`
      : `INSERT INTO intake_records (id, channel, source, external_id, raw, content_hash, received_at, outcome, case_id, processed_at)
         SELECT ${p(recordId)}::uuid, ${p(input.channel)}::text, ${p(input.source)}::text, ${p(input.externalId)}::text, ${raw}::jsonb, ${p(input.contentHash ?? null)}::text,
                ${p(input.receivedAt)}::timestamptz, 'case_created', ${caseId}::uuid, now()${input.guard ? ' WHERE EXISTS (SELECT 1 FROM guard)' : ''}
         ON CONFLICT (source, external_id) DO NOTHING RETURNING id`;
    if (input.guard && input.adopt) throw new Error('a guard is not for adopted records');
    const guard = input.guard
      ? `guard AS (${input.guard(p)}),
      `
      : '';
    const sql = `
      WITH ${guard}rec AS (${rec}),
      ${routeCtes(route, p)},
      pfx AS (SELECT COALESCE(${p(projectCode)}::text, (SELECT code FROM projects WHERE id = ${p(c.projectId)}::uuid), '${GENERAL_CASE_PREFIX}') AS prefix,
                     ${p(businessYear(input.receivedAt, this.config.BUSINESS_TIME_ZONE))}::int AS year FROM rec),
      n AS (INSERT INTO case_number_counters (prefix, year, last_value) SELECT prefix, year, 1 FROM pfx
            ON CONFLICT (prefix, year) DO UPDATE SET last_value = case_number_counters.last_value + 1 RETURNING prefix, year, last_value),
      c AS (INSERT INTO cases (id, number, type, category, severity, validity, channel, status, project_id, unit_id, owner_id, reporter_name, reporter_contact,
                               reporter_phone, reporter_email, description, match_status, match_details, classification_rules, promised_reply_rule, promised_reply_at, received_at,
                               department_id, assignee_id, warranty_status, warranty_item_code, warranty_expires_on)
            SELECT ${caseId}, n.prefix || '-' || n.year || '-' || lpad(n.last_value::text, 5, '0'), ${p(c.type)}, ${p(c.category)}, ${p(c.severity)}, 'pending', ${p(c.channel)}, 'new',
                   ${p(c.projectId)}::uuid, ${p(c.unitId)}::uuid, ${p(c.ownerId)}::uuid, ${p(c.reporterName)}, ${p(c.reporterContact)}, ${p(c.reporterPhone)}, ${p(c.reporterEmail)},
                   ${p(c.description)}, ${p(c.matchStatus)}, ${p(JSON.stringify(c.matchDetails))}::jsonb, ${p(c.classificationRules)}::text[], ${p(c.promisedReplyRule)},
                   ${p(c.promisedReplyAt)}::timestamptz, ${p(c.receivedAt)}::timestamptz, route.department_id, route.assignee_id,
                   ${p(c.warrantyStatus)}::text, ${p(c.warrantyItemCode)}::text, ${p(c.warrantyExpiresOn)}::date
              FROM n LEFT JOIN route ON true RETURNING number, department_id, assignee_id),
      ev AS (INSERT INTO case_events (case_id, kind, actor_id, actor_label, details)
             SELECT e.case_id, e.kind, e.actor_id, e.actor_label, e.details
               FROM rec CROSS JOIN jsonb_to_recordset(${p(JSON.stringify(events))}::jsonb) AS e(case_id uuid, kind text, actor_id uuid, actor_label text, details jsonb)
             UNION ALL -- after 'created': one INSERT numbers its rows in this order
             SELECT ${caseId}::uuid, 'routed', NULL::uuid, 'system', ${routedEventDetailsSql(route, p)} FROM rec CROSS JOIN route),
      lk AS (INSERT INTO case_links (case_id, linked_case_id, kind, score)
             SELECT ${caseId}, d.id, 'possible_duplicate', d.score
               FROM rec CROSS JOIN unnest(${p(duplicates.map((d) => d.id))}::uuid[], ${p(duplicates.map((d) => d.score))}::real[]) AS d(id, score)
             ON CONFLICT DO NOTHING),
      ob AS (INSERT INTO outbox (job_name, payload, dedupe_key)
             SELECT 'case-received', jsonb_build_object('caseId', ${caseId}::text), 'case-received:' || ${caseId} FROM rec ON CONFLICT (dedupe_key) DO NOTHING),
      ${this.acknowledgementCte(c, input.channel, p, caseId)}${this.channelRows(m, input, p, caseId)}
      SELECT c.number, c.department_id, c.assignee_id${input.guard ? ', EXISTS (SELECT 1 FROM guard) AS admitted' : ''}
        FROM (SELECT 1) one LEFT JOIN c ON true`;
    try {
      // A few shapes (mail's adoption or an insert, and the channel's rows): prepared; an unusual one (many attachments) is not.
      type Row = {
        number: string | null;
        department_id: string | null;
        assignee_id: string | null;
        admitted?: boolean;
      };
      const rows =
        (input.with?.length ?? 0) <= PREPARED_MAX_ROWS
          ? await preparedQuery<Row>(m, sql, params)
          : await m.query<Row[]>(sql, params);
      if (input.guard && rows[0]?.admitted !== true) throw new IntakeRefused('the item was refused by its guard');
      const row = rows[0];
      return row?.number ? { number: row.number, departmentId: row.department_id, assigneeId: row.assignee_id } : null;
    } catch (err) {
      if ((err as { constraint?: string }).constraint === 'fk_cases_project') {
        throw new AppException('validation_failed', 'Invalid input: projectId', {
          fields: [{ field: 'projectId', message: 'no such estate' }],
        });
      }
      throw err;
    }
  }

  /** The reporter's acknowledgement (受理回执) as CTEs `ack` / `ack_outbox`, written when the case row is (`c`). */
  private acknowledgementCte(c: CaseEntity, channel: CaseChannel, p: (v: unknown) => string, caseId: string): string {
    const ack = p(acknowledgementChannel(c, channel));
    const from = `c WHERE ${ack}::text IS NOT NULL AND ${p(c.promisedReplyAt)}::timestamptz IS NOT NULL`;
    return notificationsCte('ack', from, {
      kind: 'case_acknowledgement',
      idempotencyKey: notificationKeys.caseAck.sql({ caseId }),
      recipient: { caseReporterOf: caseId },
      channel: ack,
      source: { type: 'case', id: caseId },
      variables: {
        caseNumber: 'c.number',
        // No reporter name: it is whatever the web form or a mail's From said, and this goes to an address nobody
        // has verified (issue 16: our SMS must not carry a stranger's text to a victim's phone).
        promisedReplyAt: `${p(c.promisedReplyAt?.toISOString() ?? null)}::text`,
      },
    });
  }

  /** `input.with` as CTEs: one INSERT … SELECT … FROM rec per row, each value cast to its column's type. */
  private channelRows(m: EntityManager, input: NewCaseInput, p: (v: unknown) => string, caseId: string): string {
    return (input.with ?? [])
      .map(({ entity, values }, i) => {
        const meta = m.connection.getMetadata(entity);
        const cols = Object.entries({ ...values, caseId: null, intakeRecordId: null }).map(([prop, v]) => {
          const col = meta.findColumnWithPropertyName(prop);
          if (!col) throw new Error(`${meta.tableName} has no property ${prop}`);
          const value =
            prop === 'caseId'
              ? `${caseId}::uuid`
              : prop === 'intakeRecordId'
                ? 'rec.id'
                : `${p(v)}::${String(col.type)}`;
          return { name: `"${col.databaseName}"`, value };
        });
        return `,\n      w${i} AS (INSERT INTO "${meta.tableName}" (${cols.map((c) => c.name).join(', ')}) SELECT ${cols.map((c) => c.value).join(', ')} FROM rec)`;
      })
      .join('');
  }

  /** The second delivery of an item: answer with the case the first one created. */
  private async existing(m: EntityManager, input: NewCaseInput): Promise<IntakeResult> {
    const rec = await m.query<Array<{ id: string; case_id: string | null }>>(
      `SELECT id, case_id FROM intake_records WHERE source = $1 AND external_id = $2`,
      [input.source, input.externalId],
    );
    const caseId = rec[0]?.case_id;
    if (!rec[0] || !caseId)
      throw new AppException('conflict', 'This item was already received and is still being processed.');
    return { created: false, caseRow: await m.findOneByOrFail(CaseEntity, { id: caseId }), intakeRecordId: rec[0].id };
  }

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
  private async readContext(
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
  private async possibleDuplicates(
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
}
