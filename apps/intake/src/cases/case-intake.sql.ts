import type { EntityManager } from 'typeorm';
import {
  businessYear,
  GENERAL_CASE_PREFIX,
  notificationKeys,
  notificationsCte,
  routeCtes,
  routedEventDetailsSql,
  type CaseChannel,
  type CaseEntity,
  type NotifyChannel,
  type RouteInput,
} from '@kefu/shared';
import type { NewCaseInput } from './case-intake.types';

/**
 * How the reporter hears that the case was taken (受理回执, with the promised reply date): by email when
 * they wrote in by email (the answer threads back into the case), else SMS to their number, else email;
 * nobody to tell (an anonymous slip) → none.
 */
export function acknowledgementChannel(c: CaseEntity, channel: CaseChannel): NotifyChannel | null {
  if (channel === 'email' && c.reporterEmail) return 'email';
  if (c.reporterPhone) return 'sms';
  return c.reporterEmail ? 'email' : null;
}

/**
 * The whole write in ONE statement (each round trip costs more than the SQL): the intake record (the
 * exactly-once guard: on a conflict nothing else is written and null comes back), the case with its
 * number, its events, duplicate links, the `case-received` outbox row, and the reporter's acknowledgement
 * (notificationsCte: a notification row + its outbox row, as requestNotification writes them), and its
 * routing (the responsible department and person looked up in the same statement, with a `routed` event
 * naming the rule; libs/shared/src/routing). Foreign keys
 * are checked at the end of the statement, so the order of the CTEs does not matter to them.
 *
 * The number comes from the estate's counter row, locked from here until COMMIT: keep what runs after
 * this (the channel's `extra`) short.
 */
export function insertCaseSql(
  m: EntityManager,
  input: NewCaseInput,
  c: CaseEntity,
  recordId: string,
  projectCode: string | null,
  events: Array<Record<string, unknown>>,
  duplicates: Array<{ id: string; score: number }>,
  route: RouteInput,
  timeZone: string,
): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const p = (v: unknown) => `$${params.push(v)}`;
  const caseId = p(c.id);
  const raw = p(JSON.stringify(input.raw));
  const rec = input.adopt
    ? `UPDATE intake_records SET outcome = 'case_created', outcome_reason = NULL, case_id = ${caseId}, processed_at = now(), channel = ${p(input.channel)},
              attempts = attempts + ${p(input.adopt.attempt)}, raw = COALESCE(raw, '{}'::jsonb) || ${raw}::jsonb
        WHERE id = ${p(recordId)} AND outcome = ANY(${p(input.adopt.allow)}::text[]) RETURNING id`
    : `INSERT INTO intake_records (id, channel, source, external_id, raw, content_hash, received_at, outcome, case_id, processed_at)
       SELECT ${p(recordId)}::uuid, ${p(input.channel)}::text, ${p(input.source)}::text, ${p(input.externalId)}::text, ${raw}::jsonb, ${p(input.contentHash ?? null)}::text,
              ${p(input.receivedAt)}::timestamptz, 'case_created', ${caseId}::uuid, now()${input.guard ? ' WHERE EXISTS (SELECT 1 FROM guard)' : ''}
       ON CONFLICT (source, external_id) DO NOTHING RETURNING id`;
  if (input.guard && input.adopt) throw new Error('a guard is not for adopted records');
  const guard = input.guard
    ? `guard AS (${input.guard(p)}),
    `
    : '';
  const sql = `
    WITH ${guard}rec AS (${rec}),
    ${routeCtes(route, p)},
    pfx AS (SELECT COALESCE(${p(projectCode)}::text, (SELECT code FROM projects WHERE id = ${p(c.projectId)}::uuid), '${GENERAL_CASE_PREFIX}') AS prefix,
                   ${p(businessYear(input.receivedAt, timeZone))}::int AS year FROM rec),
    n AS (INSERT INTO case_number_counters (prefix, year, last_value) SELECT prefix, year, 1 FROM pfx
          ON CONFLICT (prefix, year) DO UPDATE SET last_value = case_number_counters.last_value + 1 RETURNING prefix, year, last_value),
    c AS (INSERT INTO cases (id, number, type, category, severity, validity, channel, status, project_id, unit_id, owner_id, reporter_name, reporter_contact,
                             reporter_phone, reporter_email, description, match_status, match_details, classification_rules, promised_reply_rule, promised_reply_at, received_at,
                             department_id, assignee_id, warranty_status, warranty_item_code, warranty_expires_on)
          SELECT ${caseId}, n.prefix || '-' || n.year || '-' || lpad(n.last_value::text, 5, '0'), ${p(c.type)}, ${p(c.category)}, ${p(c.severity)}, 'pending', ${p(c.channel)}, 'new',
                 ${p(c.projectId)}::uuid, ${p(c.unitId)}::uuid, ${p(c.ownerId)}::uuid, ${p(c.reporterName)}, ${p(c.reporterContact)}, ${p(c.reporterPhone)}, ${p(c.reporterEmail)},
                 ${p(c.description)}, ${p(c.matchStatus)}, ${p(JSON.stringify(c.matchDetails))}::jsonb, ${p(c.classificationRules)}::text[], ${p(c.promisedReplyRule)},
                 ${p(c.promisedReplyAt)}::timestamptz, ${p(c.receivedAt)}::timestamptz, route.department_id, route.assignee_id,
                 ${p(c.warrantyStatus)}::text, ${p(c.warrantyItemCode)}::text, ${p(c.warrantyExpiresOn)}::date
            FROM n LEFT JOIN route ON true RETURNING number, department_id, assignee_id),
    ev AS (INSERT INTO case_events (case_id, kind, actor_id, actor_label, details)
           SELECT e.case_id, e.kind, e.actor_id, e.actor_label, e.details
             FROM rec CROSS JOIN jsonb_to_recordset(${p(JSON.stringify(events))}::jsonb) AS e(case_id uuid, kind text, actor_id uuid, actor_label text, details jsonb)
           UNION ALL -- after 'created': one INSERT numbers its rows in this order
           SELECT ${caseId}::uuid, 'routed', NULL::uuid, 'system', ${routedEventDetailsSql(route, p)} FROM rec CROSS JOIN route),
    lk AS (INSERT INTO case_links (case_id, linked_case_id, kind, score)
           SELECT ${caseId}, d.id, 'possible_duplicate', d.score
             FROM rec CROSS JOIN unnest(${p(duplicates.map((d) => d.id))}::uuid[], ${p(duplicates.map((d) => d.score))}::real[]) AS d(id, score)
           ON CONFLICT DO NOTHING),
    ob AS (INSERT INTO outbox (job_name, payload, dedupe_key)
           SELECT 'case-received', jsonb_build_object('caseId', ${caseId}::text), 'case-received:' || ${caseId} FROM rec ON CONFLICT (dedupe_key) DO NOTHING),
    ${acknowledgementCte(c, input.channel, p, caseId)}${channelRows(m, input, p, caseId)}
    SELECT c.number, c.department_id, c.assignee_id${input.guard ? ', EXISTS (SELECT 1 FROM guard) AS admitted' : ''}
      FROM (SELECT 1) one LEFT JOIN c ON true`;
  return { sql, params };
}

/** The reporter's acknowledgement (受理回执) as CTEs `ack` / `ack_outbox`, written when the case row is (`c`). */
function acknowledgementCte(c: CaseEntity, channel: CaseChannel, p: (v: unknown) => string, caseId: string): string {
  const ack = p(acknowledgementChannel(c, channel));
  const from = `c WHERE ${ack}::text IS NOT NULL AND ${p(c.promisedReplyAt)}::timestamptz IS NOT NULL`;
  return notificationsCte('ack', from, {
    kind: 'case_acknowledgement',
    idempotencyKey: notificationKeys.caseAck.sql({ caseId }),
    recipient: { caseReporterOf: caseId },
    channel: ack,
    source: { type: 'case', id: caseId },
    variables: {
      caseNumber: 'c.number',
      // No reporter name: it is whatever the web form or a mail's From said, and this goes to an address nobody
      // has verified (issue 16: our SMS must not carry a stranger's text to a victim's phone).
      promisedReplyAt: `${p(c.promisedReplyAt?.toISOString() ?? null)}::text`,
    },
  });
}

/** `input.with` as CTEs: one INSERT … SELECT … FROM rec per row, each value cast to its column's type. */
function channelRows(m: EntityManager, input: NewCaseInput, p: (v: unknown) => string, caseId: string): string {
  return (input.with ?? [])
    .map(({ entity, values }, i) => {
      const meta = m.connection.getMetadata(entity);
      const cols = Object.entries({ ...values, caseId: null, intakeRecordId: null }).map(([prop, v]) => {
        const col = meta.findColumnWithPropertyName(prop);
        if (!col) throw new Error(`${meta.tableName} has no property ${prop}`);
        const value =
          prop === 'caseId' ? `${caseId}::uuid` : prop === 'intakeRecordId' ? 'rec.id' : `${p(v)}::${String(col.type)}`;
        return { name: `"${col.databaseName}"`, value };
      });
      return `,\n      w${i} AS (INSERT INTO "${meta.tableName}" (${cols.map((c) => c.name).join(', ')}) SELECT ${cols.map((c) => c.value).join(', ')} FROM rec)`;
    })
    .join('');
}
