import { Module } from '@nestjs/common';

/** The public complaint form at /complaint and POST /api/v1/web-complaints (filled in by the web-form work). */
@Module({})
export class WebFormModule {}
