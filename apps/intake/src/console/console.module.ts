import { Module } from '@nestjs/common';
import { ConsoleController } from './console.controller';
import { LocalOutboxController } from './local-outbox.controller';

/** GET /console: the operator console (apps/intake/console), served as static files; the local outbox's API. */
@Module({ controllers: [ConsoleController, LocalOutboxController] })
export class ConsoleModule {}
