import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import {
  APP_CONFIG,
  AppException,
  cancelNotice,
  CLOCK,
  maskText,
  noticeKindNames,
  noticeProgress,
  noticeReference,
  pauseNotice,
  resolveNoticeAudience,
  settleNotice,
  startNoticeRound,
  zonedParts,
  type AppConfig,
  type Clock,
  type NoticeChange,
  type NoticeKind,
  type NoticeProgress,
  type NoticeStatus,
  type StaffPrincipal,
} from '@kefu/shared';
import type { AudienceDto, CreateNoticeDto } from './notices.dto';
import { parseAudienceCsv } from './notice-audience-csv';
import { renderNoticePdf } from './notice-pdf';
import { signOffSheet, type SignOffRow } from './notice-sign-off';
import { recipientsSql, SELECT_NOTICE, signOffSql } from './notices.sql';

export interface NoticeView {
  id: string;
  reference: string;
  projectId: string;
  estateName: string;
  kind: NoticeKind;
  kindName: string;
  title: string;
  body: string;
  audience: Record<string, unknown>;
  status: NoticeStatus;
  recipients: number;
  excluded: number;
  /** Recipients that have their notification (the fan-out's cursor, excluded ones counted as passed). */
  queuedThrough: number;
  createdBy: string | null;
  createdAt: Date;
  sentAt: Date | null;
  queuedAt: Date | null;
  finishedAt: Date | null;
  progress: NoticeProgress;
  /** Left out, by reason. */
  exclusions: Record<string, number>;
}

export interface RecipientView {
  seq: number;
  ownerId: string;
  ownerName: string;
  unitId: string;
  unitLabel: string;
  mobile: string | null;
  excluded: string | null;
  status: string | null;
  channel: string | null;
}

type NoticeRow = Omit<NoticeView, 'reference' | 'kindName' | 'progress' | 'exclusions'>;

/** Estate-wide notices for staff: draft and audience, send / pause / resume / cancel, progress, sign-off record, PDF. */
@Injectable()
export class NoticesService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private today(): string {
    return zonedParts(this.clock.now(), this.config.BUSINESS_TIME_ZONE).day;
  }

  async create(dto: CreateNoticeDto, staff: StaffPrincipal): Promise<NoticeView> {
    const id = await this.ds.transaction(async (m) => {
      const [project] = await m.query<Array<{ id: string }>>(`SELECT id FROM projects WHERE id = $1`, [dto.projectId]);
      if (!project)
        throw new AppException('validation_failed', 'No such estate.', {
          fields: [{ field: 'projectId', message: 'no such estate' }],
        });
      const [row] = await m.query<Array<{ id: string }>>(
        `INSERT INTO notices (project_id, kind, title, body, created_by_id) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
        [dto.projectId, dto.kind, dto.title, dto.body, staff.id],
      );
      await this.resolve(m, { id: row!.id, projectId: dto.projectId, kind: dto.kind }, dto.audience);
      return row!.id;
    });
    return this.get(id);
  }

  private async resolve(
    m: EntityManager,
    notice: { id: string; projectId: string; kind: NoticeKind },
    a: AudienceDto,
  ): Promise<void> {
    await this.checkInEstate(m, notice.projectId, a);
    const audience = Object.fromEntries(Object.entries(a).filter(([, v]) => v != null));
    await resolveNoticeAudience(m, notice, a, this.today(), audience);
  }

  /** Buildings and units named must be the estate's: a wrong id is a field error, not a silently smaller audience. */
  private async checkInEstate(m: EntityManager, projectId: string, a: AudienceDto): Promise<void> {
    const fields: Array<{ field: string; message: string }> = [];
    for (const [field, table, ids] of [
      ['buildingIds', 'buildings', a.buildingIds],
      ['unitIds', 'units', a.unitIds],
    ] as const) {
      if (!ids?.length) continue;
      const [{ n }] = await m.query<[{ n: number }]>(
        `SELECT count(DISTINCT id)::int AS n FROM ${table} WHERE id = ANY($1::uuid[]) AND project_id = $2`,
        [ids, projectId],
      );
      if (n !== new Set(ids).size) fields.push({ field: `audience.${field}`, message: `not all are this estate's` });
    }
    if (fields.length)
      throw new AppException('validation_failed', 'The audience names places outside the estate.', { fields });
  }

  private async draft(m: EntityManager, id: string): Promise<{ id: string; projectId: string; kind: NoticeKind }> {
    const [n] = await m.query<Array<{ id: string; projectId: string; kind: NoticeKind; status: NoticeStatus }>>(
      `SELECT id, project_id AS "projectId", kind, status FROM notices WHERE id = $1 FOR UPDATE`,
      [id],
    );
    if (!n) throw new AppException('not_found', 'No such notice.');
    if (n.status !== 'draft')
      throw new AppException('illegal_transition', `The notice is ${n.status}: its audience can no longer change.`);
    return n;
  }

  async setAudience(id: string, a: AudienceDto): Promise<NoticeView> {
    await this.ds.transaction(async (m) => this.resolve(m, await this.draft(m, id), a));
    return this.get(id);
  }

  /** The audience from a spreadsheet of units (楼栋, 单元, 房号): every row must name a unit of the estate. */
  async setAudienceFromCsv(id: string, bytes: Buffer): Promise<NoticeView & { encoding: string }> {
    let encoding = '';
    await this.ds.transaction(async (m) => {
      const n = await this.draft(m, id);
      const parsed = await parseAudienceCsv(m, n.projectId, bytes);
      encoding = parsed.encoding;
      if (parsed.problems.length)
        throw new AppException('validation_failed', 'Some rows of the file are not units of this estate.', {
          rows: parsed.problems,
        });
      await resolveNoticeAudience(m, n, { unitIds: parsed.unitIds }, this.today(), {
        csv: { rows: parsed.rows, units: parsed.unitIds.length },
      });
    });
    return { ...(await this.get(id)), encoding };
  }

  async list(q: { projectId?: string; status?: NoticeStatus }): Promise<NoticeView[]> {
    const rows = await this.ds.query<NoticeRow[]>(
      `${SELECT_NOTICE} WHERE ($1::uuid IS NULL OR n.project_id = $1) AND ($2::text IS NULL OR n.status = $2)
        ORDER BY n.created_at DESC LIMIT 200`,
      [q.projectId ?? null, q.status ?? null],
    );
    return Promise.all(rows.map((r) => this.view(r)));
  }

  async get(id: string): Promise<NoticeView> {
    // A notice whose last message settled is done now, not at the notifier's next sweep.
    await settleNotice(this.ds, id, this.clock.now());
    const [row] = await this.ds.query<NoticeRow[]>(`${SELECT_NOTICE} WHERE n.id = $1`, [id]);
    if (!row) throw new AppException('not_found', 'No such notice.');
    return this.view(row);
  }

  private async view(r: NoticeRow): Promise<NoticeView> {
    const ex = await this.ds.query<Array<{ excluded: string; n: number }>>(
      `SELECT excluded, count(*)::int AS n FROM notice_recipients WHERE notice_id = $1 AND excluded IS NOT NULL GROUP BY excluded`,
      [r.id],
    );
    return {
      ...r,
      reference: noticeReference(r.id),
      kindName: noticeKindNames[r.kind],
      progress: await noticeProgress(this.ds, r.id),
      exclusions: Object.fromEntries(ex.map((e) => [e.excluded, e.n])),
    };
  }

  /** The stored audience, page by page: who gets it and who is left out and why (mobiles masked). */
  async recipients(
    id: string,
    q: { excluded?: 'true' | 'false'; limit: number; offset: number },
  ): Promise<{ total: number; items: RecipientView[] }> {
    const filter =
      q.excluded === 'true' ? 'AND r.excluded IS NOT NULL' : q.excluded === 'false' ? 'AND r.excluded IS NULL' : '';
    const [{ total }] = await this.ds.query<[{ total: number }]>(
      `SELECT count(*)::int AS total FROM notice_recipients r WHERE r.notice_id = $1 ${filter}`,
      [id],
    );
    const items = await this.ds.query<RecipientView[]>(recipientsSql(filter), [id, q.limit, q.offset]);
    return { total, items: items.map((i) => ({ ...i, mobile: i.mobile ? maskText(i.mobile) : null })) };
  }

  private async transition(id: string, fn: (m: EntityManager) => Promise<NoticeChange>, what: string) {
    const r = await this.ds.transaction(fn);
    if (!r.ok) {
      if (r.status === null) throw new AppException('not_found', 'No such notice.');
      throw new AppException('illegal_transition', `A ${r.status} notice cannot be ${what}.`, { status: r.status });
    }
    return this.get(id);
  }

  async send(id: string, staff: StaffPrincipal): Promise<NoticeView> {
    const [n] = await this.ds.query<Array<{ status: string; recipients: number }>>(
      `SELECT status, recipients FROM notices WHERE id = $1`,
      [id],
    );
    if (n?.status === 'draft' && n.recipients === 0)
      throw new AppException(
        'illegal_transition',
        'Nobody in the audience can be reached: there is nobody to send to.',
      );
    return this.transition(
      id,
      (m) => startNoticeRound(m, id, 'draft', { staffId: staff.id, at: this.clock.now() }),
      'sent (again)',
    );
  }

  pause(id: string): Promise<NoticeView> {
    return this.transition(id, (m) => pauseNotice(m, id), 'paused');
  }

  resume(id: string, staff: StaffPrincipal): Promise<NoticeView> {
    return this.transition(
      id,
      (m) => startNoticeRound(m, id, 'paused', { staffId: staff.id, at: this.clock.now() }),
      'resumed',
    );
  }

  cancel(id: string): Promise<NoticeView> {
    return this.transition(id, (m) => cancelNotice(m, id), 'cancelled');
  }

  /**
   * The sign-off record (004 篇3 §4.8.5–4.8.6), one line per recipient: how it reached them (the channel that
   * delivered, after any fallback), when it was sent and delivered per the provider's receipt, the EMS signer and
   * sign-off time of a letter; left-out owners with the reason. Addresses masked.
   */
  async signOffCsv(id: string): Promise<{ reference: string; csv: string }> {
    const n = await this.get(id);
    const rows = await this.ds.query<SignOffRow[]>(signOffSql(), [id]);
    const csv = signOffSheet(n, rows, this.config.BUSINESS_TIME_ZONE);
    return { reference: n.reference, csv };
  }

  /** A printable A4 of the notice for the estate's notice boards. */
  async pdf(id: string): Promise<{ reference: string; pdf: Buffer }> {
    const n = await this.get(id);
    const pdf = await renderNoticePdf(
      {
        companyName: this.config.LETTER_COMPANY_NAME,
        hotline: this.config.LETTER_COMPANY_HOTLINE,
        estateName: n.estateName,
        kindName: n.kindName,
        title: n.title,
        body: n.body,
        reference: n.reference,
        date: n.sentAt ?? this.clock.now(),
        timeZone: this.config.BUSINESS_TIME_ZONE,
      },
      { path: this.config.LETTER_FONT_PATH, family: this.config.LETTER_FONT_FAMILY },
    );
    return { reference: n.reference, pdf };
  }
}
