import { Module } from '@nestjs/common';
import { ConsoleController } from './console.controller';

/** GET /console: the operator console (apps/intake/console), served as static files. */
@Module({ controllers: [ConsoleController] })
export class ConsoleModule {}
