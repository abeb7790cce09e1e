import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import {
  APP_CONFIG,
  AppException,
  CalendarService,
  CaseEntity,
  CLOCK,
  dutyDayOf,
  initialDeadlines,
  OutboxRelay,
  zonedParts,
  type AppConfig,
  type BusinessCalendar,
  type Clock,
  type RouteInput,
} from '@kefu/shared';
import { classify, matchUnit, overrideRule } from '../normalise';
import { actorColumns, IntakeRecordDecided, IntakeRefused, type NewCaseInput } from './case-intake.types';
import { matchReporter, reporterKeys, unitRefsOf } from './case-matcher';
import { possibleDuplicates, readIntakeContext } from './case-intake.context';
import { insertCaseSql } from './case-intake.sql';
import { preparedQuery } from './prepared-query';
import { UnitDirectory } from './unit-directory';
import { decideWarranty, unitWarrantyItems } from './warranty/warranty-standing';

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

/** Case statements with at most this many channel rows (a call, a few photos or attachments) run as prepared statements. */
const PREPARED_MAX_ROWS = 5;

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
    const ctx = await readIntakeContext(
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
    const duplicates = await possibleDuplicates(
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

  /** The whole write in ONE statement (insertCaseSql): null when the intake record was there already. */
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
    const { sql, params } = insertCaseSql(
      m,
      input,
      c,
      recordId,
      projectCode,
      events,
      duplicates,
      route,
      this.config.BUSINESS_TIME_ZONE,
    );
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
}
