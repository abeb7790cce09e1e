import type { EntityManager } from 'typeorm';
import type { NoticeKind, NotifyChannel } from '../database/entities';
import { lifeStageSql, type LifeStage } from './life-stage';
import { noticePolicies, type NoticePolicy } from './notice-policy';

type Queryable = Pick<EntityManager, 'query'>;

/** Who is in the audience: units of the notice's estate, narrowed by any of these (all given must hold). */
export interface AudienceFilter {
  buildingIds?: string[] | null;
  unitIds?: string[] | null;
  lifeStages?: LifeStage[] | null;
}

// A mainland mobile or E.164 number (isSmsNumber in SQL).
const hasSms = (o: string) =>
  `EXISTS (SELECT 1 FROM unnest(${o}.mobiles) m WHERE m ~ '^(1[3-9][0-9]{9}|\\+[0-9]{8,15})$')`;
const reachable = (o: string, c: NotifyChannel) => {
  const address =
    c === 'sms' ? hasSms(o) : c === 'email' ? `${o}.email IS NOT NULL` : `${o}.postal_address IS NOT NULL`;
  return { address, usable: `(${address} AND NOT ('${c}' = ANY(${o}.opt_outs)))` };
};

/** SQL: why owner `o` is left out of a notice of this kind, or NULL. */
function exclusionSql(policy: NoticePolicy, o = 'o'): string {
  const channels: NotifyChannel[] = policy.channel === 'letter' ? ['letter'] : ['sms', 'email', 'letter'];
  const any = (k: 'address' | 'usable') => channels.map((c) => reachable(o, c)[k]).join(' OR ');
  return `CASE WHEN ${o}.erased_at IS NOT NULL THEN 'erased'
    ${policy.marketing ? `WHEN ${o}.marketing_opt_out THEN 'opted_out'` : ''}
    WHEN NOT (${any('address')}) THEN 'no_contact'
    WHEN NOT (${any('usable')}) THEN 'opted_out' END`;
}

/**
 * Resolves and stores a draft notice's audience (replacing what was there): each current owner of the chosen units,
 * once, with the first of their units (by building, entrance, room), numbered in that order, and why any is left out.
 * `today` (YYYY-MM-DD, business time zone) decides life stages. Returns the counts written to the notice.
 */
export async function resolveNoticeAudience(
  m: Queryable,
  notice: { id: string; projectId: string; kind: NoticeKind },
  filter: AudienceFilter,
  today: string,
  audience: Record<string, unknown>,
): Promise<{ recipients: number; excluded: number }> {
  await m.query(`DELETE FROM notice_recipients WHERE notice_id = $1`, [notice.id]);
  const [counts] = await m.query<[{ recipients: number; excluded: number }]>(
    `WITH cand AS (
       SELECT DISTINCT ON (ou.owner_id) ou.owner_id, u.id AS unit_id, b.name AS building, u.entrance, u.room
         FROM units u
         JOIN buildings b ON b.id = u.building_id
         JOIN owner_units ou ON ou.unit_id = u.id AND ou.until IS NULL
        WHERE u.project_id = $2
          AND ($3::uuid[] IS NULL OR u.building_id = ANY($3::uuid[]))
          AND ($4::uuid[] IS NULL OR u.id = ANY($4::uuid[]))
          AND ($5::text[] IS NULL OR ${lifeStageSql('$6::date')} = ANY($5::text[]))
        ORDER BY ou.owner_id, b.name, u.entrance, u.room
     ),
     ins AS (
       INSERT INTO notice_recipients (notice_id, owner_id, unit_id, seq, excluded)
       SELECT $1, c.owner_id, c.unit_id,
              row_number() OVER (ORDER BY c.building, c.entrance, c.room, c.owner_id),
              ${exclusionSql(noticePolicies[notice.kind])}
         FROM cand c JOIN owners o ON o.id = c.owner_id
       RETURNING excluded
     ),
     counted AS (
       SELECT count(*) FILTER (WHERE excluded IS NULL)::int AS recipients,
              count(*) FILTER (WHERE excluded IS NOT NULL)::int AS excluded FROM ins
     ),
     upd AS (
       UPDATE notices n SET recipients = c.recipients, excluded = c.excluded, audience = $7::jsonb, updated_at = now()
         FROM counted c WHERE n.id = $1
     )
     SELECT recipients, excluded FROM counted`,
    [
      notice.id,
      notice.projectId,
      filter.buildingIds?.length ? filter.buildingIds : null,
      filter.unitIds ?? null,
      filter.lifeStages?.length ? filter.lifeStages : null,
      today,
      JSON.stringify(audience),
    ],
  );
  return counts;
}
