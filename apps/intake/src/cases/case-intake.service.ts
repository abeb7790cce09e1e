import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import {
  addToOutbox, assignCaseNumber, placeholderCaseNumber, APP_CONFIG, AppException, CalendarService, CaseEntity, CaseEventEntity, initialDeadlines, OutboxRelay,
  ProjectEntity, type AppConfig, type BusinessCalendar,
} from '@kefu/shared';
import { classify, textSimilarity } from '../normalise';
import { actorColumns, type NewCaseInput } from './case-intake.types';
import { matchReporter } from './case-matcher';

type Extra = (m: EntityManager, c: CaseEntity, intakeRecordId: string) => Promise<void>;

export interface IntakeResult {
  /** False when the same item (source + external id) was received before: nothing new was created. */
  created: boolean;
  caseRow: CaseEntity;
  intakeRecordId: string;
}

/** Same owner or unit, similar text, within this many days: linked as a possible duplicate. */
const DUPLICATE_WINDOW_DAYS = 7;
const DUPLICATE_MIN_SIMILARITY = 0.4;

/**
 * Turns one normalised inbound item into a case, in one transaction: the intake record (the exactly-once
 * guard), owner/unit matching, keyword classification, the promised reply date, the case number, the
 * `created` event, possible-duplicate links and the `case-received` outbox row. Every channel ends here.
 */
@Injectable()
export class CaseIntakeService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly calendars: CalendarService,
    private readonly relay: OutboxRelay,
  ) {}

  /** In its own transaction. `extra` runs inside it (e.g. the hotline's call row). */
  async create(input: NewCaseInput, extra?: Extra): Promise<IntakeResult> {
    const calendar = await this.calendars.current();
    const result = await this.ds.transaction((m) => this.createWith(m, calendar, input, extra));
    if (result.created) this.afterCommit();
    return result;
  }

  /**
   * Inside the caller's transaction, so several cases commit or roll back as one (a suggestion-box
   * collection). Call afterCommit() once the caller has committed.
   */
  async createIn(m: EntityManager, input: NewCaseInput, extra?: Extra): Promise<IntakeResult> {
    return this.createWith(m, await this.calendars.current(), input, extra);
  }

  /** Relays the new cases' jobs now rather than at the relay's next tick. */
  afterCommit(): void {
    this.relay.kick();
  }

  private async createWith(m: EntityManager, calendar: BusinessCalendar, input: NewCaseInput, extra?: Extra): Promise<IntakeResult> {
    const recordId = await this.insertRecord(m, input);
    if (!recordId) return this.existing(m, input);

    const match = await matchReporter(m, input);
    // Classified without the given type as a hint, so an override by staff (or a channel) shows as one.
    const auto = classify(input.description);
    const by = input.actor.kind === 'staff' ? 'manual' : 'channel';
    const manual = (['type', 'category', 'severity'] as const).filter((f) => input[f] !== undefined && input[f] !== auto[f]).map((f) => `${by}.${f}`);
    const type = input.type ?? auto.type;
    const severity = input.severity ?? auto.severity;
    const deadlines = initialDeadlines(calendar, this.config.SLA_POLICY, { type, severity, receivedAt: input.receivedAt });
    const projectCode = match.projectCode ?? (match.projectId ? (await m.findOneBy(ProjectEntity, { id: match.projectId }))?.code : null);
    if (match.projectId && !projectCode) throw new AppException('validation_failed', 'Invalid input: projectId', { fields: [{ field: 'projectId', message: 'no such estate' }] });
    const duplicates = await this.possibleDuplicates(m, { ...match, description: input.description, receivedAt: input.receivedAt });

    const caseRow = m.create(CaseEntity, {
      id: randomUUID(), type, severity, category: input.category !== undefined ? input.category : auto.category,
      channel: input.channel, status: 'new', validity: 'pending',
      projectId: match.projectId, unitId: match.unitId, ownerId: match.ownerId,
      reporterName: input.reporter.name?.trim() || null, reporterContact: input.reporter.contact?.trim() || null,
      reporterPhone: match.reporterPhone, reporterEmail: match.reporterEmail,
      description: input.description, matchStatus: match.status, matchDetails: match.details,
      classificationRules: [...auto.rules, ...manual],
      promisedReplyAt: deadlines.firstReply.at, promisedReplyRule: deadlines.firstReplyRule,
      receivedAt: input.receivedAt, escalationLevel: 0, replyDateMoves: 0, departmentId: null, assigneeId: null, closedAt: null,
    });
    caseRow.number = placeholderCaseNumber(caseRow.id);
    // insert, not save: one INSERT, no existence check for the id we generated. (jsonb columns need the cast.)
    await m.insert(CaseEntity, caseRow as QueryDeepPartialEntity<CaseEntity>);
    const events = [
      {
        caseId: caseRow.id, kind: 'created', ...actorColumns(input.actor),
        details: {
          channel: input.channel, intakeRecordId: recordId, match: match.status, classificationRules: caseRow.classificationRules,
          promisedReplyAt: caseRow.promisedReplyAt?.toISOString() ?? null, promisedReplyRule: deadlines.firstReplyRule,
          ...(deadlines.firstReply.provisional ? { provisional: 'the promised date depends on a day beyond the holiday data' } : {}),
        },
      },
      ...duplicates.flatMap((d) => [
        { caseId: caseRow.id, kind: 'possible_duplicate', actorId: null, actorLabel: 'system', details: { of: d.number, caseId: d.id, score: d.score } },
        // Our own number is not known yet (it is assigned last); the case id identifies it.
        { caseId: d.id, kind: 'possible_duplicate', actorId: null, actorLabel: 'system', details: { caseId: caseRow.id, score: d.score } },
      ]),
    ];
    await m.insert(CaseEventEntity, events as QueryDeepPartialEntity<CaseEventEntity>[]);
    if (duplicates.length) {
      await m.query(
        `INSERT INTO case_links (case_id, linked_case_id, kind, score) SELECT $1, unnest($2::uuid[]), 'possible_duplicate', unnest($3::real[]) ON CONFLICT DO NOTHING`,
        [caseRow.id, duplicates.map((d) => d.id), duplicates.map((d) => d.score)],
      );
    }
    await m.query(`UPDATE intake_records SET outcome = 'case_created', case_id = $2, processed_at = now() WHERE id = $1`, [recordId, caseRow.id]);
    await extra?.(m, caseRow, recordId);
    await addToOutbox(m, 'case-received', { caseId: caseRow.id });
    // Last statement before COMMIT: the estate's counter row is locked only from here.
    caseRow.number = await assignCaseNumber(m, caseRow.id, { projectCode: projectCode ?? null, at: input.receivedAt, timeZone: this.config.BUSINESS_TIME_ZONE });
    return { created: true, caseRow, intakeRecordId: recordId };
  }

  private async insertRecord(m: EntityManager, input: NewCaseInput): Promise<string | null> {
    const rows = await m.query<Array<{ id: string }>>(
      `INSERT INTO intake_records (channel, source, external_id, raw, received_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (source, external_id) DO NOTHING RETURNING id`,
      [input.channel, input.source, input.externalId, JSON.stringify(input.raw), input.receivedAt],
    );
    return rows[0]?.id ?? null;
  }

  /** The second delivery of an item: answer with the case the first one created. */
  private async existing(m: EntityManager, input: NewCaseInput): Promise<IntakeResult> {
    const rec = await m.query<Array<{ id: string; case_id: string | null }>>(`SELECT id, case_id FROM intake_records WHERE source = $1 AND external_id = $2`, [input.source, input.externalId]);
    const caseId = rec[0]?.case_id;
    if (!rec[0] || !caseId) throw new AppException('conflict', 'This item was already received and is still being processed.');
    return { created: false, caseRow: await m.findOneByOrFail(CaseEntity, { id: caseId }), intakeRecordId: rec[0].id };
  }

  /** Same owner, unit or number within the window, and similar text: linked for staff to judge, never merged. */
  private async possibleDuplicates(
    m: EntityManager,
    c: { ownerId: string | null; unitId: string | null; reporterPhone: string | null; description: string; receivedAt: Date },
  ): Promise<Array<{ id: string; number: string; score: number }>> {
    if (!c.ownerId && !c.unitId && !c.reporterPhone) return [];
    const recent = await m.query<Array<{ id: string; number: string; description: string }>>(
      `SELECT id, number, description FROM cases
       WHERE received_at > $1::timestamptz - make_interval(days => $2) AND received_at <= $1::timestamptz + interval '1 hour'
         AND (owner_id = $3 OR unit_id = $4 OR reporter_phone = $5)
       ORDER BY received_at DESC LIMIT 50`,
      [c.receivedAt, DUPLICATE_WINDOW_DAYS, c.ownerId, c.unitId, c.reporterPhone],
    );
    return recent
      .map((r) => ({ id: r.id, number: r.number, score: Math.round(textSimilarity(c.description, r.description) * 100) / 100 }))
      .filter((r) => r.score >= DUPLICATE_MIN_SIMILARITY);
  }
}
