import { Module } from '@nestjs/common';
import { CaseSearchIndexService } from './case-search-index.service';

/** The case library's search index, kept current every minute (apps/intake/src/case-library has the API). */
@Module({ providers: [CaseSearchIndexService], exports: [CaseSearchIndexService] })
export class CaseSearchIndexModule {}
