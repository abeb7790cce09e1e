import { Module } from '@nestjs/common';
import { PrivacyController } from './privacy.controller';
import { PrivacyEraseService } from './privacy-erase.service';
import { PrivacyExportService } from './privacy-export.service';

/** Owners' personal-data requests (PIPL): export and erasure, within the records-retention rules. */
@Module({ controllers: [PrivacyController], providers: [PrivacyExportService, PrivacyEraseService] })
export class PrivacyModule {}
