import type { EntityManager } from 'typeorm';
import { queryWords } from '../text/segment';

type Queryable = Pick<EntityManager, 'query'>;

/** A tsquery asking for every word (words from queryWords: no quotes or backslashes left). */
export function allWordsQuery(words: readonly string[]): string {
  return words.map((w) => `'${w}'`).join(' & ');
}

export interface CaseSearchHit {
  caseId: string;
  number: string;
  type: string;
  category: string | null;
  status: string;
  receivedAt: Date;
  estate: string | null;
  excerpt: string;
  writeupId: string | null;
  writeupTitle: string | null;
}

export interface CaseSearchResult {
  words: string[];
  total: number;
  hits: CaseSearchHit[];
}

/**
 * 案例库 search: cases whose description, timeline texts or write-up hold every word of the query (jieba words,
 * looked up in the GIN index on case_search.words). Write-ups first, then the newest. `typicalOnly`: write-ups only.
 */
export async function searchCases(
  m: Queryable,
  q: { query: string; typicalOnly?: boolean; limit?: number; offset?: number },
): Promise<CaseSearchResult> {
  const words = queryWords(q.query);
  if (!words.length) return { words, total: 0, hits: [] };
  // The matches are read once, from case_search alone (its copies of received_at and typical), sorted and
  // counted there; only the page's rows are joined to cases, write-ups and estates.
  const rows = await m.query<Array<CaseSearchHit & { total: number }>>(
    `WITH m AS MATERIALIZED (
       SELECT case_id, received_at, typical FROM case_search
        WHERE words @@ $1::tsquery ${q.typicalOnly ? 'AND typical' : ''}
     ), page AS (
       SELECT case_id, received_at, typical FROM m ORDER BY typical DESC, received_at DESC, case_id LIMIT $2 OFFSET $3
     )
     SELECT c.id AS "caseId", c.number, c.type, c.category, c.status, c.received_at AS "receivedAt",
            pr.name AS estate, left(c.description, 200) AS excerpt, w.id AS "writeupId", w.title AS "writeupTitle",
            (SELECT count(*) FROM m)::int AS total
       FROM page
       JOIN cases c ON c.id = page.case_id
       LEFT JOIN case_writeups w ON w.case_id = page.case_id
       LEFT JOIN projects pr ON pr.id = c.project_id
      ORDER BY page.typical DESC, page.received_at DESC, page.case_id`,
    [allWordsQuery(words), q.limit ?? 20, q.offset ?? 0],
  );
  return { words, total: rows[0]?.total ?? 0, hits: rows.map(({ total: _t, ...hit }) => hit) };
}
