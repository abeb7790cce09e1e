import { Module } from '@nestjs/common';
import { CasesModule } from '../cases/cases.module';
import { HotlineController } from './hotline.controller';
import { HotlineService } from './hotline.service';

@Module({ imports: [CasesModule], controllers: [HotlineController], providers: [HotlineService] })
export class HotlineModule {}
