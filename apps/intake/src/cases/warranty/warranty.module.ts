import { Module } from '@nestjs/common';
import { WarrantyController } from './warranty.controller';
import { WarrantyOverrideService } from './warranty-override.service';

/**
 * A repair's warranty standing (000 §6.5.1(2), 003 §11.2.4): decided at intake by warranty-standing.ts (called
 * from CaseIntakeService), corrected by staff here (PATCH /cases/:id/warranty).
 */
@Module({ controllers: [WarrantyController], providers: [WarrantyOverrideService] })
export class WarrantyModule {}
