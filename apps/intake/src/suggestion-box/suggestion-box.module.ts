import { Module } from '@nestjs/common';
import { CasesModule } from '../cases/cases.module';
import { SuggestionBoxController } from './suggestion-box.controller';
import { SuggestionBoxService } from './suggestion-box.service';

/** Weekly emptying of the estates' suggestion boxes; each slip becomes a case. */
@Module({ imports: [CasesModule], controllers: [SuggestionBoxController], providers: [SuggestionBoxService] })
export class SuggestionBoxModule {}
