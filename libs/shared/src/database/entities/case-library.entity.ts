import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  Unique,
  UpdateDateColumn,
} from 'typeorm';
import { CaseEntity } from './case.entity';
import { DepartmentEntity } from './department.entity';
import { inList } from './enums';
import { StaffEntity } from './staff.entity';

/**
 * The case search index (案例库 search): one row per case, the jieba-segmented words of its description, of every
 * text its timeline holds (notes, replies, results, analyses, mails) and of its write-up, as a tsvector of exact
 * lexemes (array_to_tsvector, no Postgres parser) with a GIN index. Segmentation runs in Node (jieba), so triggers
 * only bump `version` when a case, an event or a write-up is written; the indexer (libs/shared/src/case-library)
 * re-segments the rows whose indexed_version lags. WARNING: written by triggers (migration CaseLibrary).
 */
@Entity({ name: 'case_search' })
@Index('ix_case_search_stale', ['caseId'], { where: '"version" <> "indexed_version"' })
@Index('ix_case_search_words', { synchronize: false })
export class CaseSearchEntity {
  @PrimaryColumn('uuid') caseId!: string;
  @ManyToOne(() => CaseEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'case_id', foreignKeyConstraintName: 'fk_case_search_case' })
  case?: CaseEntity;
  /** Copies of cases.received_at and "has a write-up", so a search sorts its hits without reading the cases. */
  @Column({ type: 'timestamptz' }) receivedAt!: Date;
  @Column({ type: 'boolean', default: false }) typical!: boolean;
  @Column({ type: 'tsvector', default: '' }) words!: string;
  /** Bumped by the triggers on every change to what the case's words come from. */
  @Column({ type: 'integer', default: 1 }) version!: number;
  /** The version the words were computed from; 0: never indexed. */
  @Column({ type: 'integer', default: 0 }) indexedVersion!: number;
}

/** 典型案例 write-up: a case staff marked typical, written up for the case library (004 篇2 §3.4). One per case. */
@Entity({ name: 'case_writeups' })
@Unique('uq_case_writeups_case', ['caseId'])
@Index('ix_case_writeups_updated', ['updatedAt'])
export class CaseWriteupEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'uuid' }) caseId!: string;
  @ManyToOne(() => CaseEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'case_id', foreignKeyConstraintName: 'fk_case_writeups_case' })
  case?: CaseEntity;
  @Column({ type: 'varchar', length: 100 }) title!: string;
  /** 问题 / 原因 / 处理 / 教训: what happened, why, how it was handled, what to do differently. */
  @Column({ type: 'text' }) problem!: string;
  @Column({ type: 'text' }) cause!: string;
  @Column({ type: 'text' }) handling!: string;
  @Column({ type: 'text' }) lesson!: string;
  @Column({ type: 'text', array: true, default: () => "'{}'" }) tags!: string[];
  @Column({ type: 'uuid', nullable: true }) authorId!: string | null;
  @ManyToOne(() => StaffEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'author_id', foreignKeyConstraintName: 'fk_case_writeups_author' })
  author?: StaffEntity | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt!: Date;
}

/** A write-up shared with a department: its staff are told once (notification key per write-up, department, staff). */
@Entity({ name: 'case_writeup_shares' })
export class CaseWriteupShareEntity {
  @PrimaryColumn('uuid') writeupId!: string;
  @ManyToOne(() => CaseWriteupEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'writeup_id', foreignKeyConstraintName: 'fk_case_writeup_shares_writeup' })
  writeup?: CaseWriteupEntity;
  @PrimaryColumn('uuid') departmentId!: string;
  @ManyToOne(() => DepartmentEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'department_id', foreignKeyConstraintName: 'fk_case_writeup_shares_department' })
  department?: DepartmentEntity;
  @Column({ type: 'uuid', nullable: true }) sharedById!: string | null;
  @ManyToOne(() => StaffEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'shared_by_id', foreignKeyConstraintName: 'fk_case_writeup_shares_shared_by' })
  sharedBy?: StaffEntity | null;
  @CreateDateColumn({ type: 'timestamptz' }) sharedAt!: Date;
}

export const correctiveActionStatuses = ['open', 'in_progress', 'done', 'cancelled'] as const;
export type CorrectiveActionStatus = (typeof correctiveActionStatuses)[number];

/**
 * 整改措施: what a department will do about a recurring problem (重复/共性问题), by when, and how it stands. The
 * problem is named by its key (recurring-problems.ts: `unit:<id>`, `building:<id>`, `category:<project>:<category>`,
 * `word:<word>`), so a later period's report finds the action again. At most one action in force per problem.
 */
@Entity({ name: 'corrective_actions' })
@Index('uq_corrective_actions_active', ['problemKey'], {
  unique: true,
  where: `"status" IN ('open', 'in_progress')`,
})
@Index('ix_corrective_actions_due', ['status', 'dueOn'])
@Check('ck_corrective_actions_status', inList('status', correctiveActionStatuses))
export class CorrectiveActionEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'varchar', length: 200 }) problemKey!: string;
  /** The problem as the list showed it when the action was taken, e.g. 阳光花园 3栋 · 渗水. */
  @Column({ type: 'varchar', length: 200 }) problemLabel!: string;
  @Column({ type: 'text' }) action!: string;
  @Column({ type: 'uuid' }) departmentId!: string;
  @ManyToOne(() => DepartmentEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'department_id', foreignKeyConstraintName: 'fk_corrective_actions_department' })
  department?: DepartmentEntity;
  /** A calendar date (Asia/Shanghai). */
  @Column({ type: 'date' }) dueOn!: string;
  @Column({ type: 'varchar', length: 12, default: 'open' }) status!: CorrectiveActionStatus;
  @Column({ type: 'text', nullable: true }) result!: string | null;
  @Column({ type: 'uuid', nullable: true }) createdById!: string | null;
  @ManyToOne(() => StaffEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'created_by_id', foreignKeyConstraintName: 'fk_corrective_actions_created_by' })
  createdBy?: StaffEntity | null;
  @Column({ type: 'timestamptz', nullable: true }) finishedAt!: Date | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt!: Date;
}
