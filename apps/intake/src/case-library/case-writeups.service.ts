import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import {
  APP_CONFIG,
  AppException,
  notificationKeys,
  requestNotifications,
  type AppConfig,
  type NotificationRequest,
  type StaffPrincipal,
} from '@kefu/shared';
import type { ShareBody, WriteupBody } from './case-library.dto';

export interface WriteupRow {
  id: string;
  caseId: string;
  caseNumber: string;
  category: string | null;
  estate: string | null;
  title: string;
  problem: string;
  cause: string;
  handling: string;
  lesson: string;
  tags: string[];
  author: string | null;
  createdAt: Date;
  updatedAt: Date;
  sharedWith: Array<{ departmentId: string; name: string; sharedAt: string }>;
}

const SELECT = `
SELECT w.id, w.case_id AS "caseId", c.number AS "caseNumber", c.category, p.name AS estate, w.title, w.problem,
       w.cause, w.handling, w.lesson, w.tags, s.name AS author, w.created_at AS "createdAt", w.updated_at AS "updatedAt",
       COALESCE((SELECT json_agg(json_build_object('departmentId', d.id, 'name', d.name, 'sharedAt', sh.shared_at)
                                 ORDER BY sh.shared_at)
                   FROM case_writeup_shares sh JOIN departments d ON d.id = sh.department_id
                  WHERE sh.writeup_id = w.id), '[]') AS "sharedWith"
  FROM case_writeups w
  JOIN cases c ON c.id = w.case_id
  LEFT JOIN projects p ON p.id = c.project_id
  LEFT JOIN staff s ON s.id = w.author_id`;

/** 典型案例: staff mark a case typical by writing it up; the write-up is shared with departments and exported. */
@Injectable()
export class CaseWriteupsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async list(tag?: string): Promise<WriteupRow[]> {
    return this.ds.query<WriteupRow[]>(
      `${SELECT} WHERE ($1::text IS NULL OR $1 = ANY(w.tags)) ORDER BY w.updated_at DESC, w.id LIMIT 5000`,
      [tag ?? null],
    );
  }

  departments(): Promise<Array<{ id: string; name: string }>> {
    return this.ds.query(`SELECT id, name FROM departments ORDER BY code`);
  }

  async get(id: string, m: Pick<EntityManager, 'query'> = this.ds): Promise<WriteupRow> {
    const [row] = await m.query<WriteupRow[]>(`${SELECT} WHERE w.id = $1`, [id]);
    if (!row) throw new AppException('not_found', `No case write-up ${id}.`);
    return row;
  }

  async forCase(caseId: string): Promise<WriteupRow | null> {
    const [row] = await this.ds.query<WriteupRow[]>(`${SELECT} WHERE w.case_id = $1`, [caseId]);
    return row ?? null;
  }

  /** Marks the case typical with this write-up, or rewrites its write-up (one per case). */
  async save(caseId: string, b: WriteupBody, by: StaffPrincipal): Promise<{ writeup: WriteupRow; created: boolean }> {
    const tags = [...new Set(b.tags)];
    return this.ds.transaction(async (m) => {
      const found = await m.query<unknown[]>(`SELECT 1 FROM cases WHERE id = $1 FOR KEY SHARE`, [caseId]);
      if (!found.length) throw new AppException('not_found', `No case ${caseId}.`);
      const [r] = await m.query<Array<{ id: string; created: boolean }>>(
        `INSERT INTO case_writeups (case_id, title, problem, cause, handling, lesson, tags, author_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (case_id) DO UPDATE SET title = EXCLUDED.title, problem = EXCLUDED.problem, cause = EXCLUDED.cause,
           handling = EXCLUDED.handling, lesson = EXCLUDED.lesson, tags = EXCLUDED.tags, updated_at = now()
         RETURNING id, (xmax = 0) AS created`,
        [caseId, b.title, b.problem, b.cause, b.handling, b.lesson, tags, by.id],
      );
      return { writeup: await this.get(r!.id, m), created: r!.created };
    });
  }

  /** No longer typical: the write-up and its shares go (notifications already sent stay sent). */
  async remove(id: string): Promise<void> {
    const r = await this.ds.query<unknown[]>(`DELETE FROM case_writeups WHERE id = $1 RETURNING id`, [id]);
    if (!r.length) throw new AppException('not_found', `No case write-up ${id}.`);
  }

  /**
   * Shares the write-up with departments: a share row per department and a `case_writeup_shared` message to each
   * active member of its staff, once (key per write-up, department and staff member), in one transaction.
   */
  async share(id: string, b: ShareBody, by: StaffPrincipal): Promise<{ departments: number; notified: number }> {
    return this.ds.transaction(async (m) => {
      const w = await this.get(id, m);
      const departmentIds = [...new Set(b.departmentIds)];
      const depts = await m.query<Array<{ id: string; name: string }>>(
        `SELECT id, name FROM departments WHERE id = ANY($1::uuid[])`,
        [departmentIds],
      );
      const unknown = departmentIds.filter((d) => !depts.some((x) => x.id === d));
      if (unknown.length)
        throw new AppException('validation_failed', `Unknown department(s): ${unknown.join(', ')}.`, {
          fields: [{ field: 'departmentIds', message: `unknown: ${unknown.join(', ')}` }],
        });
      await m.query(
        `INSERT INTO case_writeup_shares (writeup_id, department_id, shared_by_id)
         SELECT $1, d, $3 FROM unnest($2::uuid[]) d ON CONFLICT DO NOTHING`,
        [id, departmentIds, by.id],
      );
      const staff = await m.query<Array<{ id: string; departmentId: string; hasEmail: boolean }>>(
        `SELECT id, department_id AS "departmentId", email IS NOT NULL AS "hasEmail" FROM staff
          WHERE active AND department_id = ANY($1::uuid[]) AND id <> $2 ORDER BY id`,
        [departmentIds, by.id],
      );
      const name = new Map(depts.map((d) => [d.id, d.name]));
      const base = this.config.PUBLIC_BASE_URL.replace(/\/$/, '');
      const reqs: NotificationRequest[] = staff.map((s) => ({
        idempotencyKey: notificationKeys.writeupShare({ writeupId: id, departmentId: s.departmentId, staffId: s.id }),
        kind: 'case_writeup_shared',
        recipient: { staffId: s.id },
        // A write-up is reading matter: by email where the staff member has one (staff default to SMS first).
        ...(s.hasEmail ? { channel: 'email' as const } : {}),
        caseId: w.caseId,
        source: { type: 'case_writeup', id },
        variables: {
          title: w.title,
          caseNumber: w.caseNumber,
          departmentName: name.get(s.departmentId)!,
          sharedBy: by.name,
          lesson: w.lesson.slice(0, 500),
          url: `${base}/console/#/case-library/${id}`,
        },
      }));
      const made = await requestNotifications(m, reqs);
      return { departments: depts.length, notified: made.filter((x) => x.created).length };
    });
  }
}
