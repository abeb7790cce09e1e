import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, routeOfSource, type AppConfig, type IntakeOutcome, type MailboxRoute } from '@kefu/shared';
import { CaseIntakeService } from '../cases/case-intake.service';
import { decide, type CaseLookup, type MailDecision } from './mail-decision';
import { IntakeRecordDecided } from '../cases/case-intake.types';
import { MailOutcomeWriter } from './mail-outcome.writer';
import { returning } from './mail-writes';
import { mapLimit } from './map-limit';
import { errorMessage, isTransient } from './transient-error';

/** A stored mail, as the poller holds it (bytes in hand) or as re-read for re-processing. */
export interface StoredMail {
  id: string;
  source: string;
  /** What the mailbox it came from is for (by its source). */
  route: MailboxRoute;
  raw: Buffer;
  receivedAt: Date;
  size: number;
  truncated: boolean;
}

export interface ProcessResult {
  /** The record that now holds the mail (a new case adopts the stored one; records decided before adoption existed may have been absorbed: raw.claimedFrom). */
  recordId: string;
  /** 'pending' when a transient failure left it for the next attempt. */
  outcome: IntakeOutcome;
  reason: string | null;
  caseId: string | null;
  caseNumber: string | null;
}

/** Transient failures tolerated per mail before it is quarantined (a fault misread as transient must not block it forever). */
const MAX_ATTEMPTS = 10;

const fault = (err: unknown): MailDecision => ({
  kind: 'quarantine',
  reason: `processing error: ${errorMessage(err)}`.slice(0, 1000),
  summary: null,
});

/** A decision, or the database failure that kept us from making one. */
type Attempt = MailDecision | { kind: 'retry'; err: unknown };

type StoredRow = {
  id: string;
  source: string;
  raw_bytes: Buffer | null;
  received_at: Date;
  size: string | null;
  truncated: boolean | null;
};

/**
 * Decides what a stored mail is and commits that decision with everything it implies: a case (through
 * CaseIntakeService, attachments included), an entry on an existing case's timeline, a bounce job for the
 * notifier, or the auto-reply / quarantine outcome with its reason. Every write is guarded by the record's
 * outcome, so a mail is decided once however often, and by however many processes, it is processed.
 */
@Injectable()
export class MailProcessingService {
  private readonly logger = new Logger(MailProcessingService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly intake: CaseIntakeService,
    private readonly writer: MailOutcomeWriter,
  ) {}

  /** Stored mail by record id, bytes included, that is still in one of these outcomes. */
  async loadStored(ids: string[], allow: IntakeOutcome[]): Promise<StoredMail[]> {
    if (ids.length === 0) return [];
    const rows = await this.ds.query<StoredRow[]>(
      `SELECT id, source, raw_bytes, received_at, raw->>'size' AS size, (raw->>'truncated')::boolean AS truncated FROM intake_records WHERE id = ANY($1::uuid[]) AND outcome = ANY($2::text[])`,
      [ids, allow],
    );
    return rows
      .filter((r): r is StoredRow & { raw_bytes: Buffer } => r.raw_bytes !== null)
      .map((r) => ({
        id: r.id,
        source: r.source,
        route: routeOfSource(this.config, r.source),
        raw: r.raw_bytes,
        receivedAt: r.received_at,
        size: Number(r.size ?? r.raw_bytes.length),
        truncated: r.truncated === true,
      }));
  }

  /** Re-reads a stored mail and processes it (re-processing from the API). */
  async processStored(id: string, allow: IntakeOutcome[]): Promise<ProcessResult | null> {
    const [mail] = await this.loadStored([id], allow);
    return mail ? this.process(mail, allow) : null;
  }

  /** One mail, in its own transaction. */
  async process(mail: StoredMail, allow: IntakeOutcome[] = ['pending']): Promise<ProcessResult> {
    const d = await this.decideSafely(mail);
    return d.kind === 'retry' ? this.retryLater(mail, d.err, 1) : this.commitOne(mail, d, allow, 1);
  }

  /**
   * Pending mail in bulk: each mail decided and committed in its own transaction, `concurrency` at a time
   * (a transaction per mail keeps the case-number lock short and one bad mail costs only itself). The
   * attempt is counted for the whole lot up front, so a mail that kills the process while it is being
   * read is quarantined after MAX_ATTEMPTS restarts instead of killing it forever. The outbox relay is
   * kicked once for the lot, not once per mail.
   */
  async processMany(mails: StoredMail[], concurrency: number): Promise<ProcessResult[]> {
    if (mails.length === 0) return [];
    const counted = await returning<{ id: string; attempts: number }>(
      this.ds.manager,
      `UPDATE intake_records SET attempts = attempts + 1 WHERE id = ANY($1::uuid[]) AND outcome = 'pending' RETURNING id, attempts`,
      [mails.map((m) => m.id)],
    );
    const attempts = new Map(counted.map((r) => [r.id, r.attempts]));
    const results = await mapLimit(mails, concurrency, async (mail) => {
      const n = attempts.get(mail.id);
      if (n === undefined) return this.current(mail.id);
      if (n > MAX_ATTEMPTS) {
        const reason = `gave up after ${n - 1} attempts that did not finish (the intake process may have died reading this mail)`;
        return this.commitOne(mail, { kind: 'quarantine', reason, summary: null }, ['pending'], 0, false);
      }
      const d = await this.decideSafely(mail);
      return d.kind === 'retry' ? this.retryLater(mail, d.err, 0) : this.commitOne(mail, d, ['pending'], 0, false);
    });
    this.intake.afterCommit();
    return results;
  }

  /** The decision, a quarantine for a fault of this mail or of our code, or 'retry' when the database failed. */
  private async decideSafely(mail: StoredMail): Promise<Attempt> {
    try {
      const { size, truncated, route } = mail;
      return await decide(mail.raw, {
        maxBytes: this.config.MAIL_MAX_BYTES,
        size,
        truncated,
        route,
        lookup: this.lookup(),
      });
    } catch (err) {
      if (isTransient(err)) return { kind: 'retry', err };
      this.logger.error({ intakeRecordId: mail.id, err: errorMessage(err) }, 'mail processing failed; quarantined');
      return fault(err);
    }
  }

  /** `attempt` 1 counts this attempt with the outcome; 0 when processMany counted it already. */
  private async commitOne(
    mail: StoredMail,
    d: MailDecision,
    allow: IntakeOutcome[],
    attempt: 0 | 1,
    kick = true,
  ): Promise<ProcessResult> {
    try {
      // A new case is one statement of its own (no transaction around it): the estate's case-number
      // counter stays locked only while that statement runs, not across further round trips.
      const result =
        d.kind === 'case'
          ? await this.writer.writeCase(mail, d, allow, attempt)
          : await this.ds.transaction((m) => this.writer.write(m, mail, d, allow, attempt));
      if (kick) this.intake.afterCommit();
      return result;
    } catch (err) {
      // Decided meanwhile (another poller, a re-process request; or adoption refused by CaseIntakeService).
      if (err instanceof IntakeRecordDecided) return this.current(mail.id);
      // A quarantine that cannot be written either stays pending, with the reason.
      if (isTransient(err) || d.kind === 'quarantine') return this.retryLater(mail, err, attempt);
      // A write our data cannot satisfy (a constraint, a value too long): keep the mail, with the reason.
      this.logger.error({ intakeRecordId: mail.id, err: errorMessage(err) }, 'committing the mail failed; quarantined');
      return this.commitOne(mail, fault(err), allow, attempt, kick);
    }
  }

  private lookup(): CaseLookup {
    return {
      byMessageIds: async (ids) =>
        (
          await this.ds.query<Array<{ id: string; number: string }>>(
            `SELECT c.id, c.number FROM sent_messages s JOIN cases c ON c.id = s.case_id WHERE s.message_id = ANY($1::text[]) ORDER BY s.created_at DESC LIMIT 1`,
            [ids],
          )
        )[0] ?? null,
      byNumbers: async (numbers) =>
        (
          await this.ds.query<Array<{ id: string; number: string; addresses: string[] }>>(
            `SELECT c.id, c.number,
                    array_remove(ARRAY[lower(c.reporter_email), lower(o.email)], NULL)
                      || ARRAY(SELECT lower(s.email) FROM staff s WHERE s.active AND s.email IS NOT NULL) AS addresses
               FROM cases c LEFT JOIN owners o ON o.id = c.owner_id
              WHERE c.number = ANY($1::text[]) LIMIT 1`,
            [numbers],
          )
        )[0] ?? null,
    };
  }

  /** Left pending for the next cycle; after MAX_ATTEMPTS a failure that keeps coming back quarantines the mail instead. */
  private async retryLater(mail: StoredMail, err: unknown, attempt: 0 | 1): Promise<ProcessResult> {
    const reason = `will retry: ${errorMessage(err)}`.slice(0, 500);
    this.logger.warn(
      { intakeRecordId: mail.id, err: errorMessage(err) },
      'mail left pending after a transient failure',
    );
    const rows = await returning<{ outcome: IntakeOutcome }>(
      this.ds.manager,
      `UPDATE intake_records SET attempts = attempts + $4,
              outcome = CASE WHEN attempts + $4 >= $3 THEN 'quarantined' ELSE outcome END,
              outcome_reason = CASE WHEN attempts + $4 >= $3 THEN 'gave up after ' || (attempts + $4) || ' attempts, last: ' || $2 ELSE $2 END,
              processed_at = CASE WHEN attempts + $4 >= $3 THEN now() ELSE processed_at END
        WHERE id = $1 AND outcome = 'pending' RETURNING outcome`,
      [mail.id, reason, MAX_ATTEMPTS, attempt],
    ).catch(() => []);
    return { recordId: mail.id, outcome: rows[0]?.outcome ?? 'pending', reason, caseId: null, caseNumber: null };
  }

  /** Where a record stands now (or, if a new case absorbed it, the record that holds the same mail). */
  private async current(id: string): Promise<ProcessResult> {
    const rows = await this.ds.query<
      Array<{
        id: string;
        outcome: IntakeOutcome;
        outcome_reason: string | null;
        case_id: string | null;
        number: string | null;
      }>
    >(
      `SELECT r.id, r.outcome, r.outcome_reason, r.case_id, c.number FROM intake_records r LEFT JOIN cases c ON c.id = r.case_id
        WHERE r.id = $1::uuid OR r.raw->>'claimedFrom' = $2 LIMIT 1`,
      [id, id],
    );
    const r = rows[0];
    return r
      ? { recordId: r.id, outcome: r.outcome, reason: r.outcome_reason, caseId: r.case_id, caseNumber: r.number }
      : { recordId: id, outcome: 'pending', reason: null, caseId: null, caseNumber: null };
  }
}
