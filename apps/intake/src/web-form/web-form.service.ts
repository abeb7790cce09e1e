import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import {
  APP_CONFIG,
  AppException,
  AttachmentEntity,
  CaseEntity,
  normalisePhone,
  type AppConfig,
  type FieldProblem,
} from '@kefu/shared';
import { CaseIntakeService } from '../cases/case-intake.service';
import { IntakeRefused } from '../cases/case-intake.types';
import { formatPromise } from '../hotline/read-back';
import { emptyValues, type FormPage } from './form.page';
import { WebIpLimits, type PowMode } from './ip-limit.service';
import { checkPhotos, type CheckedPhoto } from './photos';
import { PowChallenges, type IssuedChallenge } from './pow.service';
import type { Uploads } from './uploads';
import { inFormOrder, parseSubmission, webCaseTypeLabels, type FormValues, type WebComplaint } from './web-form.dto';

export interface WebSubmissionInput {
  /** 'form': the HTML page (may come without the proof of work); 'api': JSON clients (must do it). */
  via: 'form' | 'api';
  body: unknown;
  uploads: Uploads;
  /** The client address as Express sees it (see the report on `trust proxy`). */
  ip: string;
}

export type SubmitOutcome =
  | {
      kind: 'accepted';
      created: boolean;
      number: string;
      promisedReplyAt: Date | null;
      promise: string | null;
      typeLabel: string;
      description: string;
    }
  | { kind: 'spam' }
  | {
      kind: 'invalid';
      status: 400 | 409;
      problems: FieldProblem[];
      values: FormValues;
      challenge: string;
      nonce: string;
    };

const msg = {
  challengeMissing: '安全验证信息缺失，请刷新页面后重新填写',
  challengeForged: '安全验证信息无效，请重新提交',
  challengeExpired: '页面已过期，请重新提交',
  reused: '此表单已经提交过。如需反映新的问题，请重新填写后提交。',
  unsolved: '安全验证未通过，请重新提交',
  apiNonce: '请先完成安全验证：从 GET /api/v1/web-complaints/challenge 取得 challenge，求出 nonce 后一并提交',
  noProject: '所选小区不存在，请重新选择',
};

/**
 * The public web form and its JSON twin: spam defences (per-IP limits, honeypot, proof of work), field
 * validation in Chinese, then one case through CaseIntakeService with the photos as attachments. The
 * challenge id is the submission's one-time key: a double submit finds the first case.
 */
@Injectable()
export class WebFormService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly intake: CaseIntakeService,
    private readonly pow: PowChallenges,
    private readonly limits: WebIpLimits,
  ) {}

  estates(): Promise<Array<{ id: string; name: string }>> {
    return this.ds.query(`SELECT id, name FROM projects ORDER BY name, code`);
  }

  challenge(): IssuedChallenge {
    return this.pow.issue();
  }

  /** What the form page needs around the given values, problems and challenge. */
  async formPage(
    p: Partial<Pick<FormPage, 'values' | 'problems' | 'challenge' | 'nonce' | 'notice'>> = {},
  ): Promise<FormPage> {
    return {
      projects: await this.estates(),
      values: p.values ?? emptyValues,
      problems: p.problems ?? [],
      challenge: p.challenge ?? this.pow.issue().challenge,
      nonce: p.nonce ?? '',
      bits: this.pow.bits,
      noJsLimit: this.limits.limits.noJs,
      notice: p.notice ?? null,
    };
  }

  async submit(input: WebSubmissionInput): Promise<SubmitOutcome> {
    const now = new Date();
    const ipHash = this.limits.hash(input.ip);
    // An address over its hourly limit gets 429 whatever it sent. A submission that will be written is
    // judged (exactly, both limits) in the transaction that writes it; every other answer is preceded by
    // this check of the hourly limit (a refusal costs no write, but must not tell an over-limit client more).
    const refusal = async (answer: () => SubmitOutcome | Promise<SubmitOutcome>): Promise<SubmitOutcome> => {
      await this.limits.check(ipHash, 'solved', now);
      return answer();
    };
    const parsed = parseSubmission(input.body);
    const client = { ipHash, via: input.via };
    if (parsed.honeypot) {
      return refusal(async () => {
        const files = input.uploads.files.map((f) => ({ filename: f.originalname, bytes: f.size }));
        await this.quarantine({ ...parsed.raw, ...(files.length ? { photos: files } : {}), client }, now);
        await this.limits.record(ipHash, 'solved', now);
        return { kind: 'spam' };
      });
    }
    const files = [...input.uploads.files.filter((f) => f.fieldname === 'photos'), ...parsed.inlinePhotos];
    const { photos, problems: photoProblems } = checkPhotos(files, 'photos', { problem: input.uploads.problem });
    const problems = [
      ...parsed.problems.filter((p) => p.field !== 'challenge' && p.field !== 'nonce'),
      ...photoProblems,
    ];
    const data = parsed.data;
    // With other problems, list the estate's too; alone, the case insert finds it (one round trip fewer).
    if (data && problems.length > 0 && !(await this.projectExists(data.projectId)))
      problems.push({ field: 'projectId', message: msg.noProject });

    const opened = parsed.challenge ? this.pow.open(parsed.challenge) : null;
    const invalid = (
      extra: FieldProblem[],
      o: { status?: 400 | 409; fresh?: boolean; nonce?: string } = {},
    ): SubmitOutcome => ({
      kind: 'invalid',
      status: o.status ?? 400,
      problems: inFormOrder([...problems, ...extra]),
      values: parsed.values,
      challenge: o.fresh || !opened ? this.pow.issue(now).challenge : parsed.challenge,
      nonce: o.nonce ?? '',
    });
    if (!opened)
      return refusal(() =>
        invalid([{ field: 'challenge', message: parsed.challenge ? msg.challengeForged : msg.challengeMissing }]),
      );

    const fingerprint = data && problems.length === 0 ? this.fingerprint(data, photos) : null;
    // A second delivery of the same submission (double click, reload) answers with the first case. On the
    // happy path the intake record's unique key finds it (below); a submission about to be refused looks first.
    const orEarlier = (refused: SubmitOutcome): Promise<SubmitOutcome> =>
      refusal(async () => {
        const earlier = await this.ds.query<Array<{ case_id: string | null; content_hash: string | null }>>(
          `SELECT case_id, content_hash FROM intake_records WHERE source = 'web' AND external_id = $1`,
          [opened.id],
        );
        if (!earlier[0]) return refused;
        if (earlier[0].case_id && fingerprint && earlier[0].content_hash === fingerprint)
          return this.accepted(earlier[0].case_id, false);
        return invalid([{ field: 'challenge', message: msg.reused }], { status: 409, fresh: true });
      });
    if (opened.expiresAt <= now || opened.bits < this.pow.bits)
      return orEarlier(invalid([{ field: 'challenge', message: msg.challengeExpired }], { fresh: true }));

    let pow: PowMode;
    if (this.pow.bits === 0) pow = 'off';
    else if (parsed.nonce === '' && input.via === 'form') pow = 'none';
    else if (parsed.nonce === '') return orEarlier(invalid([{ field: 'nonce', message: msg.apiNonce }]));
    else if (!this.pow.solved(parsed.challenge, opened, parsed.nonce))
      return orEarlier(invalid([{ field: 'nonce', message: msg.unsolved }]));
    else pow = 'solved';
    if (!data || !fingerprint)
      return orEarlier(
        invalid(problems.length ? [] : [{ field: 'nonce', message: msg.unsolved }], {
          nonce: pow === 'solved' ? parsed.nonce : '',
        }),
      );

    const raw = {
      ...parsed.raw,
      photos: photos.map((p) => ({ filename: p.filename, contentType: p.contentType, size: p.size, sha256: p.sha256 })),
      client: { ...client, pow },
    };
    let result;
    try {
      // One statement: the address's limit (its guard), the case and its photos.
      result = await this.intake.create({
        // The challenge id is the submission's key: the intake record's unique (source, external id) makes it work once.
        channel: 'web',
        source: 'web',
        externalId: opened.id,
        contentHash: fingerprint,
        raw,
        receivedAt: now,
        // The contact exactly as typed; the matcher reads the number out of it.
        reporter: {
          name: data.name,
          contact: parsed.values.mobile,
          phones: [normalisePhone(data.mobile)?.digits ?? data.mobile],
          email: data.email || null,
        },
        description: data.description,
        unitText: data.unitText,
        projectId: data.projectId,
        type: data.type,
        actor: { kind: 'owner' },
        with: photos.map((p) => ({
          entity: AttachmentEntity,
          values: {
            role: 'photo',
            filename: p.filename,
            contentType: p.contentType,
            size: p.size,
            sha256: p.sha256,
            data: p.data,
          },
        })),
        guard: this.limits.guard(ipHash, pow, now),
      });
    } catch (err) {
      if (err instanceof IntakeRefused) return this.limits.refused(ipHash, pow, now);
      // The estate was deleted or never existed (checked up front only when other fields are wrong too).
      if (err instanceof AppException && err.code === 'validation_failed' && /projectId/.test(err.message))
        return invalid([{ field: 'projectId', message: msg.noProject }]);
      throw err;
    }
    if (!result.created) {
      // The same key again: the same submission gets the same case; a different one under a spent key is refused.
      const [rec] = await this.ds.query<Array<{ content_hash: string | null }>>(
        `SELECT content_hash FROM intake_records WHERE id = $1`,
        [result.intakeRecordId],
      );
      if (rec?.content_hash !== fingerprint)
        return invalid([{ field: 'challenge', message: msg.reused }], { status: 409, fresh: true });
      return this.accepted(result.caseRow.id, false);
    }
    return this.describe(result.caseRow, true);
  }

  private async accepted(caseId: string, created: boolean): Promise<SubmitOutcome> {
    return this.describe(await this.ds.getRepository(CaseEntity).findOneByOrFail({ id: caseId }), created);
  }

  private describe(c: CaseEntity, created: boolean): SubmitOutcome {
    const typeLabel =
      c.type in webCaseTypeLabels ? webCaseTypeLabels[c.type as keyof typeof webCaseTypeLabels] : '问题';
    return {
      kind: 'accepted',
      created,
      number: c.number,
      promisedReplyAt: c.promisedReplyAt,
      promise: c.promisedReplyAt ? formatPromise(c.promisedReplyAt, this.config.BUSINESS_TIME_ZONE) : null,
      typeLabel,
      description: c.description,
    };
  }

  /** Same fields and same photos: the same submission (a reload or a second click), not a new one. */
  private fingerprint(d: WebComplaint, photos: CheckedPhoto[]): string {
    const fields = [
      d.name,
      d.mobile,
      d.email,
      d.projectId,
      d.unitText,
      d.type,
      d.description,
      ...photos.map((p) => p.sha256),
    ];
    return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
  }

  private async projectExists(id: string): Promise<boolean> {
    return (await this.ds.query<unknown[]>(`SELECT 1 FROM projects WHERE id = $1`, [id])).length > 0;
  }

  /** Honeypot: kept (nothing a customer sent is lost) but quarantined, and no case. */
  private async quarantine(raw: Record<string, unknown>, now: Date): Promise<void> {
    await this.ds.query(
      `INSERT INTO intake_records (channel, source, external_id, raw, received_at, outcome, outcome_reason, processed_at)
       VALUES ('web', 'web', NULL, $1, $2, 'quarantined', 'spam: honeypot', now())`,
      [JSON.stringify(raw), now],
    );
  }
}
