import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import {
  addToOutbox, allocateCaseNumber, APP_CONFIG, AppException, CalendarService, CaseEntity, CaseEventEntity, initialDeadlines, OutboxRelay,
  ProjectEntity, type AppConfig,
} from '@kefu/shared';
import { classify, textSimilarity } from '../normalise';
import { actorColumns, type NewCaseInput } from './case-intake.types';
import { matchReporter } from './case-matcher';

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

  /** `extra` runs inside the same transaction (e.g. the hotline's call row). */
  async create(input: NewCaseInput, extra?: (m: EntityManager, c: CaseEntity, intakeRecordId: string) => Promise<void>): Promise<IntakeResult> {
    const calendar = await this.calendars.current();
    const result = await this.ds.transaction(async (m) => {
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
      const project = match.projectId ? await m.findOneBy(ProjectEntity, { id: match.projectId }) : null;
      if (match.projectId && !project) throw new AppException('validation_failed', 'Invalid input: projectId', { fields: [{ field: 'projectId', message: 'no such estate' }] });
      const number = await allocateCaseNumber(m, { projectCode: project?.code ?? null, at: input.receivedAt, timeZone: this.config.BUSINESS_TIME_ZONE });

      const caseRow = await m.save(
        m.create(CaseEntity, {
          number, type, severity, category: input.category !== undefined ? input.category : auto.category,
          channel: input.channel, status: 'new', validity: 'pending',
          projectId: match.projectId, unitId: match.unitId, ownerId: match.ownerId,
          reporterName: input.reporter.name?.trim() || null, reporterContact: input.reporter.contact?.trim() || null,
          reporterPhone: match.reporterPhone, reporterEmail: match.reporterEmail,
          description: input.description, matchStatus: match.status, matchDetails: match.details,
          classificationRules: [...auto.rules, ...manual],
          promisedReplyAt: deadlines.firstReply.at, promisedReplyRule: deadlines.firstReplyRule,
          receivedAt: input.receivedAt,
        }),
      );
      await m.insert(CaseEventEntity, {
        caseId: caseRow.id, kind: 'created', ...actorColumns(input.actor),
        details: {
          channel: input.channel, intakeRecordId: recordId, match: match.status, classificationRules: caseRow.classificationRules,
          promisedReplyAt: caseRow.promisedReplyAt?.toISOString(), promisedReplyRule: deadlines.firstReplyRule,
          ...(deadlines.firstReply.provisional ? { provisional: 'the promised date depends on a day beyond the holiday data' } : {}),
        },
      });
      await this.linkPossibleDuplicates(m, caseRow);
      await m.query(`UPDATE intake_records SET outcome = 'case_created', case_id = $2, processed_at = now() WHERE id = $1`, [recordId, caseRow.id]);
      await extra?.(m, caseRow, recordId);
      await addToOutbox(m, 'case-received', { caseId: caseRow.id });
      return { created: true, caseRow, intakeRecordId: recordId };
    });
    if (result.created) this.relay.kick();
    return result;
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

  private async linkPossibleDuplicates(m: EntityManager, c: CaseEntity): Promise<void> {
    if (!c.ownerId && !c.unitId && !c.reporterPhone) return;
    const recent = await m.query<Array<{ id: string; number: string; description: string }>>(
      `SELECT id, number, description FROM cases
       WHERE id <> $1 AND received_at > $2::timestamptz - make_interval(days => $3) AND received_at <= $2::timestamptz + interval '1 hour'
         AND (owner_id = $4 OR unit_id = $5 OR reporter_phone = $6)
       ORDER BY received_at DESC LIMIT 50`,
      [c.id, c.receivedAt, DUPLICATE_WINDOW_DAYS, c.ownerId, c.unitId, c.reporterPhone],
    );
    for (const other of recent) {
      const score = textSimilarity(c.description, other.description);
      if (score < DUPLICATE_MIN_SIMILARITY) continue;
      await m.query(`INSERT INTO case_links (case_id, linked_case_id, kind, score) VALUES ($1, $2, 'possible_duplicate', $3) ON CONFLICT DO NOTHING`, [c.id, other.id, score]);
      await m.insert(CaseEventEntity, [
        { caseId: c.id, kind: 'possible_duplicate', actorId: null, actorLabel: 'system', details: { of: other.number, caseId: other.id, score: Math.round(score * 100) / 100 } },
        { caseId: other.id, kind: 'possible_duplicate', actorId: null, actorLabel: 'system', details: { of: c.number, caseId: c.id, score: Math.round(score * 100) / 100 } },
      ]);
    }
  }
}
