import { Module } from '@nestjs/common';
import { CaseLibraryController } from './case-library.controller';
import { CaseSearchService } from './case-search.service';
import { CaseWriteupsService } from './case-writeups.service';

@Module({ controllers: [CaseLibraryController], providers: [CaseSearchService, CaseWriteupsService] })
export class CaseLibraryModule {}
