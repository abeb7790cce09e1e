import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { OnTask, refreshCaseSearch } from '@kefu/shared';

export const CASE_SEARCH_INDEX_TASK = 'case-search-index';
/** Cases re-segmented per tick at most (about 10 s of jieba on one core); the rest wait for the next tick. */
const PER_TICK = 20_000;

/**
 * Keeps the case library's search index current without waiting for a search: every minute, the cases whose words
 * are out of date (the triggers bumped their version: a new case, a note, a reply, a write-up) are re-segmented.
 * A search does the same for what is left, so this only spares searchers the wait after a bulk import.
 */
@Injectable()
export class CaseSearchIndexService {
  private readonly logger = new Logger(CaseSearchIndexService.name);

  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  @OnTask('scheduler', CASE_SEARCH_INDEX_TASK, { every: 60_000 })
  async tick(): Promise<number> {
    const n = await refreshCaseSearch(this.ds, PER_TICK, 1000);
    if (n) this.logger.log({ indexed: n }, 'case search index refreshed');
    return n;
  }
}
