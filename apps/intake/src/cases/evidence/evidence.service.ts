import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import {
  AppException,
  AttachmentEntity,
  CaseEntity,
  CaseEventEntity,
  CLOCK,
  type AttachmentRole,
  type Clock,
  type FieldProblem,
  type StaffPrincipal,
} from '@kefu/shared';
import type { Uploads } from '../../web-form/uploads';
import { checkUpload, type CheckedFile } from './evidence-files';
import {
  evidenceSchema,
  parseFields,
  signedFormSchema,
  type EvidenceDto,
  type EvidenceKind,
  type SignedFormDto,
} from './evidence.dto';

/** A stored file as the API answers it (no bytes: download through `GET /cases/:id/attachments/:attachmentId`). */
export interface EvidenceView {
  attachmentId: string;
  role: AttachmentRole;
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  uploadedBy: { id: string; name: string };
  createdAt: Date;
  /** The timeline row that records it. */
  event: { id: string; kind: string; details: Record<string, unknown> };
}

const evidenceRole: Record<EvidenceKind, AttachmentRole> = {
  photo: 'evidence_photo',
  recording: 'evidence_recording',
  document: 'evidence_document',
};

/** A signing time this far ahead of our clock is a typo, not a clock difference. */
const FUTURE_SLACK_MS = 5 * 60 * 1000;

const invalid = (fields: FieldProblem[]) =>
  new AppException('validation_failed', fields.map((f) => `${f.field}: ${f.message}`).join('; '), { fields });

/**
 * Evidence on a case (003 §8.1.4 "keep evidence: photos, recordings, signatures"): files staff add, and photos
 * of forms the owner signed on paper (SM03-07). Each is an attachment of the case with the staff member who
 * uploaded it, and one timeline event (`evidence_added`, `signed_form`) written in the same transaction.
 */
@Injectable()
export class EvidenceService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Checks the fields and the file of an evidence upload; one 400 names every problem. */
  addEvidence(caseId: string, body: unknown, uploads: Uploads, by: StaffPrincipal): Promise<EvidenceView> {
    const fields = parseFields(evidenceSchema, body);
    const upload = checkUpload(uploads.files, uploads.problem, 'file', fields.value?.kind ?? kindOf(body));
    const problems = [...fields.problems, ...upload.problems];
    if (problems.length || !fields.value || !upload.file) throw invalid(problems);
    const e: EvidenceDto = fields.value;
    return this.store(caseId, upload.file, evidenceRole[e.kind], by, 'evidence_added', {
      evidenceKind: e.kind,
      caption: e.caption,
    });
  }

  /** Checks the fields and the photo of a signed form; one 400 names every problem. */
  addSignedForm(caseId: string, body: unknown, uploads: Uploads, by: StaffPrincipal): Promise<EvidenceView> {
    const fields = parseFields(signedFormSchema, body);
    const upload = checkUpload(uploads.files, uploads.problem, 'photo', 'photo');
    const problems = [...fields.problems, ...upload.problems];
    const f: SignedFormDto | null = fields.value;
    if (f && new Date(f.signedAt).getTime() > this.clock.now().getTime() + FUTURE_SLACK_MS)
      problems.push({ field: 'signedAt', message: '签字时间不能晚于现在 (signedAt is in the future)' });
    if (problems.length || !f || !upload.file) throw invalid(problems);
    return this.store(caseId, upload.file, 'signed_form', by, 'signed_form', {
      formKind: f.formKind,
      signedAt: new Date(f.signedAt).toISOString(),
      ...(f.satisfied === undefined ? {} : { satisfied: f.satisfied }),
      ...(f.comments ? { comments: f.comments } : {}),
    });
  }

  private store(
    caseId: string,
    file: CheckedFile,
    role: AttachmentRole,
    by: StaffPrincipal,
    kind: 'evidence_added' | 'signed_form',
    details: Record<string, unknown>,
  ): Promise<EvidenceView> {
    return this.ds.transaction(async (m) => {
      // A share lock: the case cannot vanish or be rewritten under the rows that refer to it.
      const c = await m.findOne(CaseEntity, { where: { id: caseId }, lock: { mode: 'pessimistic_read' } });
      if (!c) throw new AppException('not_found', `No case ${caseId}.`);
      const a = await m.save(
        m.create(AttachmentEntity, {
          caseId,
          intakeRecordId: null,
          role,
          filename: file.filename,
          contentType: file.contentType,
          size: file.size,
          sha256: file.sha256,
          contentId: null,
          pageCount: null,
          extractedText: null,
          data: file.data,
          uploadedById: by.id,
        }),
      );
      const eventDetails = {
        attachmentId: a.id,
        ...details,
        filename: file.filename,
        contentType: file.contentType,
        size: file.size,
      };
      const ev = await m.save(
        m.create(CaseEventEntity, {
          caseId,
          kind,
          actorId: by.id,
          actorLabel: by.name,
          details: eventDetails,
        }),
      );
      return {
        attachmentId: a.id,
        role,
        filename: a.filename,
        contentType: a.contentType,
        size: a.size,
        sha256: a.sha256,
        uploadedBy: { id: by.id, name: by.name },
        createdAt: a.createdAt,
        event: { id: ev.id, kind, details: eventDetails },
      };
    });
  }
}

/** The kind as sent, when the rest of the fields fail: the file is still checked against it. */
function kindOf(body: unknown): EvidenceKind | undefined {
  const k = typeof body === 'object' && body !== null ? (body as { kind?: unknown }).kind : undefined;
  return k === 'photo' || k === 'recording' || k === 'document' ? k : undefined;
}
