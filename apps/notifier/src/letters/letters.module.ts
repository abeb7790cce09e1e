import { Module, type OnModuleInit } from '@nestjs/common';
import { ChannelRegistry } from '../channels/channel-sender';
import { LetterSender } from './letter.sender';
import { LetterTrackingService } from './letter-tracking.service';
import { LettersController } from './letters.controller';
import { LettersService } from './letters.service';

/** EMS letters: the letter sender (PDF + letters row), manifests, waybill numbers and tracking imports. */
@Module({
  controllers: [LettersController],
  providers: [LetterSender, LettersService, LetterTrackingService],
  exports: [LetterSender, LettersService],
})
export class LettersModule implements OnModuleInit {
  constructor(
    private readonly registry: ChannelRegistry,
    private readonly sender: LetterSender,
  ) {}

  onModuleInit(): void {
    this.registry.register(this.sender);
  }
}
