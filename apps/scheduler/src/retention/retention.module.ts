import { Module } from '@nestjs/common';
import { RetentionController } from './retention.controller';
import { RetentionPurgeService } from './retention-purge.service';

/** Records retention (002 §8, 004 篇2 §3.2, 004 篇3 §4.5): the daily purge and its runs. */
@Module({ controllers: [RetentionController], providers: [RetentionPurgeService], exports: [RetentionPurgeService] })
export class RetentionModule {}
