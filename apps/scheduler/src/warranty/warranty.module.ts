import { Module } from '@nestjs/common';
import { WarrantyController } from './warranty.controller';
import { WarrantyScanService } from './warranty-scan.service';
import { WarrantyService } from './warranty.service';

/** Warranty-expiry notices (000 §6.6.3): the catalogue, the daily scan, the estate list and preview. */
@Module({
  controllers: [WarrantyController],
  providers: [WarrantyScanService, WarrantyService],
  exports: [WarrantyScanService],
})
export class WarrantyModule {}
