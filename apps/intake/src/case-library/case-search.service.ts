import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { refreshCaseSearch, searchCases, type CaseSearchResult } from '@kefu/shared';
import type { SearchQuery } from './case-library.dto';

/** Cases re-segmented before a search at most; more (a bulk import) are left to later searches. */
const REFRESH_BEFORE_SEARCH = 2000;

/** 案例库 search over write-ups and every case text (jieba words, GIN index). */
@Injectable()
export class CaseSearchService {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** What changed since the last search is indexed first, so a note written a moment ago is found. */
  async search(q: SearchQuery): Promise<CaseSearchResult & { pendingIndex: boolean }> {
    const refreshed = await refreshCaseSearch(this.ds, REFRESH_BEFORE_SEARCH);
    const result = await searchCases(this.ds, {
      query: q.q,
      typicalOnly: q.typical,
      limit: q.limit,
      offset: q.offset,
    });
    return { ...result, pendingIndex: refreshed >= REFRESH_BEFORE_SEARCH };
  }
}
