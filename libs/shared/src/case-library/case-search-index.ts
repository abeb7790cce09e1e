import type { EntityManager } from 'typeorm';
import { indexText } from '../text/segment';

type Queryable = Pick<EntityManager, 'query'>;

/**
 * The case_events detail keys that hold text people wrote: notes, reasons, replies (content), results, analyses,
 * plans, survey findings, return-visit comments and open problems, received mails (text, subject).
 * WARNING: the migration CaseLibrary's trigger lists the same keys; a new key needs a migration that redefines it.
 */
export const CASE_TEXT_KEYS = [
  'note',
  'reason',
  'content',
  'result',
  'analysis',
  'plan',
  'findings',
  'comments',
  'openProblems',
  'text',
  'subject',
] as const;

const eventText = CASE_TEXT_KEYS.map((k) => `e.details->>'${k}'`).join(', ');

/** The texts a case's words come from, per stale row (at most `limit`). */
const STALE_SQL = `
SELECT s.case_id AS "caseId", s.version, c.description,
       (SELECT string_agg(concat_ws(' ', ${eventText}), ' ') FROM case_events e
         WHERE e.case_id = s.case_id AND e.details ?| $2::text[]) AS events,
       (SELECT concat_ws(' ', w.title, w.problem, w.cause, w.handling, w.lesson, array_to_string(w.tags, ' '))
          FROM case_writeups w WHERE w.case_id = s.case_id) AS writeup
  FROM case_search s JOIN cases c ON c.id = s.case_id
 WHERE s.version <> s.indexed_version
 LIMIT $1`;

// Only the version read is recorded: a change made meanwhile bumped `version` past it, so the row stays stale.
const UPDATE_SQL = `
UPDATE case_search s
   SET words = array_to_tsvector(ARRAY(SELECT jsonb_array_elements_text(r.words))), indexed_version = r.version
  FROM jsonb_to_recordset($1::jsonb) AS r(case_id uuid, version integer, words jsonb)
 WHERE s.case_id = r.case_id`;

interface StaleRow {
  caseId: string;
  version: number;
  description: string;
  events: string | null;
  writeup: string | null;
}

/** The distinct words a case is found by. */
export function caseWords(texts: ReadonlyArray<string | null>): string[] {
  const words = new Set<string>();
  for (const t of texts) if (t) for (const w of indexText(t).split(' ')) if (w) words.add(w);
  return [...words];
}

/**
 * Re-segments up to `limit` cases whose words are out of date (a case, event or write-up written since), in
 * batches of `batch`. Returns how many it indexed. Safe to run concurrently: each row records the version it read.
 */
export async function refreshCaseSearch(m: Queryable, limit = 5000, batch = 500): Promise<number> {
  let done = 0;
  while (done < limit) {
    const rows = await m.query<StaleRow[]>(STALE_SQL, [Math.min(batch, limit - done), CASE_TEXT_KEYS]);
    if (!rows.length) break;
    const payload = rows.map((r) => ({
      case_id: r.caseId,
      version: r.version,
      words: caseWords([r.description, r.events, r.writeup]),
    }));
    await m.query(UPDATE_SQL, [JSON.stringify(payload)]);
    done += rows.length;
    if (rows.length < batch) break;
  }
  return done;
}

/** How many cases wait to be (re)indexed. */
export async function staleCaseSearchCount(m: Queryable): Promise<number> {
  const [r] = await m.query<Array<{ n: number }>>(
    `SELECT count(*)::int AS n FROM case_search WHERE version <> indexed_version`,
  );
  return r?.n ?? 0;
}
