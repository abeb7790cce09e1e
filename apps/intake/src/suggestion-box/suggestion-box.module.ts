import { Module } from '@nestjs/common';

/** Weekly emptying of the estates' suggestion boxes; each slip becomes a case (filled in by the suggestion-box work). */
@Module({})
export class SuggestionBoxModule {}
