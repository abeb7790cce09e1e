import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AppException, unitLabelSql } from '@kefu/shared';

type Q = Pick<EntityManager, 'query'>;

/** What the department holds about one owner, as one JSON document (PIPL art. 45: the right to a copy). */
export interface PersonalDataExport {
  exportedAt: string;
  owner: Record<string, unknown>;
  units: Array<Record<string, unknown>>;
  cases: Array<Record<string, unknown>>;
  notifications: Array<Record<string, unknown>>;
  certificateNotices: Array<Record<string, unknown>>;
  /** Visits made to them (客户访问记录单): when, how, topics, notes, outcome, the follow-up case. */
  visitRecords: Array<Record<string, unknown>>;
  /** Satisfaction surveys they were asked, and what they answered (every score and text, the case it opened). */
  surveys: Array<Record<string, unknown>>;
  /** Visits planned to them (拜访计划): kind, due date, done or ended and why. */
  plannedVisits: Array<Record<string, unknown>>;
  /** Estate-wide notices they were on the list of: left out and why, and the sign-off record of each message. */
  notices: Array<Record<string, unknown>>;
  privacyRequests: Array<Record<string, unknown>>;
}

/**
 * The owner's row, their units (never the co-owners'), the cases matched to them with what was filed with each (the
 * items as received, calls, return visits, attachments listed, the timeline's kinds and times), every message sent to
 * them or to the reporter of their cases with its receipts and letter, their certificate notices, the records of
 * visits made to them and those planned, their survey invitations and answers, and the estate-wide notices they were on
 * the list of with each one's sign-off record. Bytes (mail, photos, PDFs) are listed, not included.
 */
@Injectable()
export class PrivacyExportService {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async export(ownerId: string, staffId: string): Promise<PersonalDataExport> {
    return this.ds.transaction('REPEATABLE READ', async (m) => {
      const [owner] = await m.query<Array<Record<string, unknown>>>(
        `SELECT id, name, mobiles, email, postal_address AS "postalAddress", postcode, preferred_channels AS "preferredChannels",
                opt_outs AS "optOuts", marketing_opt_out AS "marketingOptOut", created_at AS "createdAt",
                erased_at AS "erasedAt"
           FROM owners WHERE id = $1`,
        [ownerId],
      );
      if (!owner) throw new AppException('not_found', 'No such owner');
      const out: PersonalDataExport = {
        exportedAt: new Date().toISOString(),
        owner,
        units: await this.units(m, ownerId),
        cases: await this.cases(m, ownerId),
        notifications: await this.notifications(m, ownerId),
        certificateNotices: await m.query(
          `SELECT cn.id, cb.id AS "batchId", ${unitLabelSql()} AS unit, cn.created_at AS "createdAt"
             FROM certificate_notices cn JOIN certificate_batches cb ON cb.id = cn.batch_id
             JOIN units u ON u.id = cn.unit_id JOIN buildings b ON b.id = u.building_id
            WHERE cn.owner_id = $1 ORDER BY cn.created_at`,
          [ownerId],
        ),
        visitRecords: await m.query(
          `SELECT r.id, p.name AS estate, ${unitLabelSql()} AS unit, r.visited_at AS "visitedAt", r.method, r.topics,
                  r.notes, r.outcome, c.number AS "caseNumber"
             FROM visit_records r JOIN units u ON u.id = r.unit_id JOIN buildings b ON b.id = u.building_id
             JOIN projects p ON p.id = r.project_id LEFT JOIN cases c ON c.id = r.case_id
            WHERE r.owner_id = $1 ORDER BY r.visited_at`,
          [ownerId],
        ),
        surveys: await this.surveys(m, ownerId),
        plannedVisits: await m.query(
          `SELECT v.kind, p.name AS estate, ${unitLabelSql()} AS unit, to_char(v.due_on, 'YYYY-MM-DD') AS "dueOn",
                  v.status, v.done_at AS "doneAt", v.ended_at AS "endedAt", v.end_reason AS "endReason"
             FROM owner_visits v JOIN units u ON u.id = v.unit_id JOIN buildings b ON b.id = u.building_id
             JOIN projects p ON p.id = v.project_id
            WHERE v.owner_id = $1 ORDER BY v.due_on, v.kind`,
          [ownerId],
        ),
        notices: await this.notices(m, ownerId),
        privacyRequests: await m.query(
          `SELECT kind, created_at AS "createdAt" FROM privacy_requests WHERE owner_id = $1 ORDER BY created_at`,
          [ownerId],
        ),
      };
      await m.query(
        `INSERT INTO privacy_requests (kind, owner_id, requested_by_id, result) VALUES ('export', $1, $2, $3)`,
        [
          ownerId,
          staffId,
          { units: out.units.length, cases: out.cases.length, notifications: out.notifications.length },
        ],
      );
      return out;
    });
  }

  private surveys(m: Q, ownerId: string) {
    return m.query<Array<Record<string, unknown>>>(
      `SELECT si.occasion, p.name AS estate, ${unitLabelSql()} AS unit, to_char(si.due_on, 'YYYY-MM-DD') AS "dueOn",
              si.life_stage AS "lifeStage", si.created_at AS "invitedAt", si.reminded_at AS "remindedAt",
              si.answered_at AS "answeredAt", a.overall, a.buy_again AS "buyAgain", a.recommend, a.scores, a.texts,
              a.via, c.number AS "caseNumber"
         FROM survey_invitations si LEFT JOIN survey_answers a ON a.invitation_id = si.id
         LEFT JOIN cases c ON c.id = a.case_id
         JOIN units u ON u.id = si.unit_id JOIN buildings b ON b.id = u.building_id
         JOIN projects p ON p.id = si.project_id
        WHERE si.owner_id = $1 ORDER BY si.due_on, si.occasion`,
      [ownerId],
    );
  }

  /** The notice, whether they were left out (why), and each message of it to them: how, when, delivered, EMS signer. */
  private notices(m: Q, ownerId: string) {
    return m.query<Array<Record<string, unknown>>>(
      `SELECT n.id AS "noticeId", n.kind, n.title, p.name AS estate, ${unitLabelSql()} AS unit, n.sent_at AS "sentAt",
              nr.excluded AS "leftOut",
              (SELECT coalesce(jsonb_agg(jsonb_build_object('channel', x.channel, 'status', x.status,
                        'toAddress', x.to_address,
                        'sentAt', x.sent_at, 'deliveredAt', x.delivered_at, 'signer', l.signer, 'signedAt', l.signed_at)
                        ORDER BY x.created_at, x.id), '[]')
                 FROM notifications x LEFT JOIN letters l ON l.notification_id = x.id
                WHERE x.source_type = 'notice' AND x.source_id = n.id AND x.owner_id = nr.owner_id) AS "signOff"
         FROM notice_recipients nr JOIN notices n ON n.id = nr.notice_id JOIN projects p ON p.id = n.project_id
         JOIN units u ON u.id = nr.unit_id JOIN buildings b ON b.id = u.building_id
        WHERE nr.owner_id = $1 ORDER BY n.created_at, n.id`,
      [ownerId],
    );
  }

  private units(m: Q, ownerId: string) {
    return m.query<Array<Record<string, unknown>>>(
      `SELECT u.id AS "unitId", p.name AS estate, ${unitLabelSql()} AS unit, ou.relation, ou.is_primary_contact AS "isPrimaryContact",
              to_char(ou.since, 'YYYY-MM-DD') AS since, to_char(ou.until, 'YYYY-MM-DD') AS until,
              to_char(ou.moved_in_on, 'YYYY-MM-DD') AS "movedInOn"
         FROM owner_units ou JOIN units u ON u.id = ou.unit_id JOIN buildings b ON b.id = u.building_id
         JOIN projects p ON p.id = u.project_id
        WHERE ou.owner_id = $1 ORDER BY ou.since NULLS FIRST, u.id`,
      [ownerId],
    );
  }

  private cases(m: Q, ownerId: string) {
    return m.query<Array<Record<string, unknown>>>(
      `SELECT c.id, c.number, c.type, c.category, c.channel, c.status, c.received_at AS "receivedAt", c.closed_at AS "closedAt",
              c.reporter_name AS "reporterName", c.reporter_contact AS "reporterContact", c.description,
              (SELECT coalesce(jsonb_agg(jsonb_build_object('kind', e.kind, 'occurredAt', e.occurred_at) ORDER BY e.occurred_at, e.id), '[]')
                 FROM case_events e WHERE e.case_id = c.id) AS timeline,
              (SELECT coalesce(jsonb_agg(jsonb_build_object('channel', r.channel, 'receivedAt', r.received_at, 'asReceived', r.raw,
                        'rawMailBytes', octet_length(r.raw_bytes)) ORDER BY r.received_at), '[]')
                 FROM intake_records r WHERE r.case_id = c.id) AS "itemsReceived",
              (SELECT coalesce(jsonb_agg(jsonb_build_object('startedAt', cl.started_at, 'callerNumber', cl.caller_number,
                        'durationSeconds', cl.duration_seconds, 'summary', cl.summary, 'recordingHeld', cl.recording_ref IS NOT NULL)
                        ORDER BY cl.started_at), '[]')
                 FROM calls cl WHERE cl.case_id = c.id) AS calls,
              (SELECT coalesce(jsonb_agg(jsonb_build_object('round', v.round, 'via', v.via, 'satisfied', v.satisfied,
                        'rating', v.rating, 'comments', v.comments, 'at', v.created_at) ORDER BY v.round), '[]')
                 FROM return_visits v WHERE v.case_id = c.id) AS "returnVisits",
              (SELECT coalesce(jsonb_agg(jsonb_build_object('id', a.id, 'filename', a.filename, 'contentType', a.content_type,
                        'size', a.size, 'role', a.role, 'at', a.created_at) ORDER BY a.created_at), '[]')
                 FROM attachments a WHERE a.case_id = c.id) AS attachments
         FROM cases c WHERE c.owner_id = $1 ORDER BY c.received_at`,
      [ownerId],
    );
  }

  private notifications(m: Q, ownerId: string) {
    return m.query<Array<Record<string, unknown>>>(
      `SELECT n.id, n.kind, n.channel, n.status, n.case_id AS "caseId", n.to_address AS "toAddress", n.subject, n.body,
              n.created_at AS "createdAt", n.sent_at AS "sentAt", n.delivered_at AS "deliveredAt",
              (SELECT coalesce(jsonb_agg(jsonb_build_object('status', r.status, 'source', r.source, 'occurredAt', r.occurred_at,
                        'detail', r.detail) ORDER BY r.occurred_at, r.id), '[]')
                 FROM notification_receipts r WHERE r.notification_id = n.id) AS receipts,
              (SELECT jsonb_build_object('reference', l.reference, 'recipientName', l.recipient_name, 'postalAddress', l.postal_address,
                        'postcode', l.postcode, 'status', l.status, 'waybill', l.waybill, 'signer', l.signer, 'signedAt', l.signed_at)
                 FROM letters l WHERE l.notification_id = n.id) AS letter
         FROM notifications n
        WHERE n.owner_id = $1
           OR (n.recipient_type = 'case_reporter' AND n.case_id IN (SELECT id FROM cases WHERE owner_id = $1))
        ORDER BY n.created_at, n.id`,
      [ownerId],
    );
  }
}
