import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { addToOutbox, AttachmentEntity, type IntakeOutcome } from '@kefu/shared';
import { CaseIntakeService } from '../cases/case-intake.service';
import { reportReason, type MailDecision } from './mail-decision';
import type { ProcessResult, StoredMail } from './mail-processing.service';
import { finishRecord, insertParts, partRow } from './mail-writes';

const MAX_EVENT_TEXT = 10_000;

/**
 * Commits a decided mail: a new case (through CaseIntakeService, adopting the stored record), a reply on an
 * existing case's timeline, a bounce for the notifier, or the auto-reply / quarantine outcome. Each write is
 * guarded by the record's outcome (`allow`).
 */
@Injectable()
export class MailOutcomeWriter {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly intake: CaseIntakeService,
  ) {}

  /** Writes one decision other than a new case inside the caller's transaction. */
  async write(
    m: EntityManager,
    mail: StoredMail,
    d: Exclude<MailDecision, { kind: 'case' }>,
    allow: IntakeOutcome[],
    attempt: 0 | 1,
  ): Promise<ProcessResult> {
    const none = { caseId: null, caseNumber: null };
    switch (d.kind) {
      case 'quarantine':
      case 'auto_reply': {
        const outcome = d.kind === 'quarantine' ? 'quarantined' : 'auto_reply';
        await finishRecord(m, mail.id, allow, { outcome, reason: d.reason, summary: d.summary }, attempt);
        return { recordId: mail.id, outcome, reason: d.reason, ...none };
      }
      case 'bounce': {
        const reason = reportReason(d.report);
        const finish = { outcome: 'bounce' as const, reason, summary: d.summary, deliveryReport: d.report };
        await finishRecord(m, mail.id, allow, finish, attempt);
        await addToOutbox(m, 'delivery-report-received', { intakeRecordId: mail.id });
        return { recordId: mail.id, outcome: 'bounce', reason, ...none };
      }
      case 'reply': {
        const reason = `reply to ${d.caseNumber} (matched by ${d.matchedBy})`;
        await finishRecord(
          m,
          mail.id,
          allow,
          { outcome: 'added_to_case', reason, summary: d.summary, caseId: d.caseId },
          attempt,
        );
        const files = await insertParts(m, d.caseId, mail.id, d.parsed.attachments);
        const p = d.parsed;
        const details = {
          intakeRecordId: mail.id,
          channel: 'email',
          matchedBy: d.matchedBy,
          from: p.replyTo ?? p.from,
          subject: p.subject.slice(0, 500),
          messageId: p.messageId,
          text: p.text.slice(0, MAX_EVENT_TEXT),
          attachments: files,
        };
        await m.query(
          `INSERT INTO case_events (case_id, kind, actor_id, actor_label, details) VALUES ($1, 'message_received', NULL, 'email', $2::jsonb)`,
          [d.caseId, JSON.stringify(details)],
        );
        return { recordId: mail.id, outcome: 'added_to_case', reason, caseId: d.caseId, caseNumber: d.caseNumber };
      }
    }
  }

  /**
   * A new case from a mail, in ONE statement: the stored record adopted (only while its outcome is still
   * one of `allow`), the case, and the attachments (the fax document with its page count and text layer)
   * as rows of the case's statement.
   */
  async writeCase(
    mail: StoredMail,
    d: Extract<MailDecision, { kind: 'case' }>,
    allow: IntakeOutcome[],
    attempt: 0 | 1,
  ): Promise<ProcessResult> {
    const fax = d.fax;
    const result = await this.intake.createIn(this.ds.manager, {
      channel: d.channel,
      source: mail.source,
      externalId: null,
      raw: d.summary,
      receivedAt: mail.receivedAt,
      reporter: d.reporter,
      description: d.description,
      unitText: d.unitText.slice(0, 2000),
      actor: { kind: 'system', label: d.channel === 'fax' ? 'fax' : 'email' },
      // The mail was stored (and its key claimed) before the server was told: the case adopts that record.
      adopt: { recordId: mail.id, allow, attempt },
      with: d.parts.map((part) => ({
        entity: AttachmentEntity,
        values: partRow(part, fax && part === fax.match.document ? { pages: fax.doc.pages, text: fax.doc.text } : null),
      })),
    });
    return {
      recordId: result.intakeRecordId,
      outcome: 'case_created',
      reason: null,
      caseId: result.caseRow.id,
      caseNumber: result.caseRow.number,
    };
  }
}
