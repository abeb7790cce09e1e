import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { CaseEntity } from './case.entity';
import { IntakeRecordEntity } from './intake-record.entity';
import { StaffEntity } from './staff.entity';

export const attachmentRoles = [
  'attachment',
  'inline',
  'fax_document',
  'photo',
  'slip_photo',
  'evidence_photo',
  'evidence_recording',
  'evidence_document',
  'signed_form',
] as const;
export type AttachmentRole = (typeof attachmentRoles)[number];

/**
 * Files that came with an inbound item (mail attachments and inline images, fax documents, web-form
 * photos, photos of suggestion slips), and the evidence staff add to a case (photos, recordings,
 * documents, photos of forms the owner signed on paper: 003 §8.1.4). Bytes live in Postgres with the
 * item, so a case and its evidence commit, back up and restore together.
 */
@Entity({ name: 'attachments' })
@Index('ix_attachments_case', ['caseId'])
@Index('ix_attachments_intake_record', ['intakeRecordId'])
@Check(
  'ck_attachments_role',
  `"role" IN ('attachment', 'inline', 'fax_document', 'photo', 'slip_photo', 'evidence_photo', 'evidence_recording', 'evidence_document', 'signed_form')`,
)
@Check('ck_attachments_size', '"size" >= 0')
export class AttachmentEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'uuid', nullable: true }) caseId!: string | null;
  @ManyToOne(() => CaseEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'case_id', foreignKeyConstraintName: 'fk_attachments_case' })
  case?: CaseEntity | null;
  @Column({ type: 'uuid', nullable: true }) intakeRecordId!: string | null;
  @ManyToOne(() => IntakeRecordEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'intake_record_id', foreignKeyConstraintName: 'fk_attachments_intake_record' })
  intakeRecord?: IntakeRecordEntity | null;
  @Column({ type: 'varchar', length: 20, default: 'attachment' }) role!: AttachmentRole;
  /** The staff member who added it (evidence, signed forms); null for what came in with an inbound item. */
  @Column({ type: 'uuid', nullable: true }) uploadedById!: string | null;
  @ManyToOne(() => StaffEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'uploaded_by_id', foreignKeyConstraintName: 'fk_attachments_uploaded_by' })
  uploadedBy?: StaffEntity | null;
  @Column({ type: 'varchar', length: 255 }) filename!: string;
  @Column({ type: 'varchar', length: 150 }) contentType!: string;
  @Column({ type: 'integer' }) size!: number;
  @Column({ type: 'varchar', length: 64 }) sha256!: string;
  /** Content-ID of an inline image, to rebuild the HTML view. */
  @Column({ type: 'varchar', length: 300, nullable: true }) contentId!: string | null;
  /** Pages of a fax document (PDF or multi-page TIFF). */
  @Column({ type: 'integer', nullable: true }) pageCount!: number | null;
  /** Text layer of a PDF, where it has one. */
  @Column({ type: 'text', nullable: true }) extractedText!: string | null;
  @Column({ type: 'bytea', select: false }) data!: Buffer;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}
