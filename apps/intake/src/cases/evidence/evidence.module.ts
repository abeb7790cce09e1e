import { Module } from '@nestjs/common';
import { EvidenceController } from './evidence.controller';
import { EvidenceService } from './evidence.service';

/** Evidence on a case: files staff add and photos of forms the owner signed (003 §8.1.4, SM03-07). */
@Module({ controllers: [EvidenceController], providers: [EvidenceService] })
export class EvidenceModule {}
