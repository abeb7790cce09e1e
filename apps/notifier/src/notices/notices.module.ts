import { Module } from '@nestjs/common';
import { NoticeFanOutService } from './notice-fan-out.service';

/** Estate-wide notices on the notifier's side: the fan-out job and its sweep (the staff API is intake's). */
@Module({ providers: [NoticeFanOutService] })
export class NoticesModule {}
