import { Module } from '@nestjs/common';
import { CatalogVersionModule } from '../catalog/catalog-version.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { InventoryController, ReservationsController } from './inventory.controller';
import { InventoryJobsHandler } from './inventory-jobs.handler';
import { InventoryReadService } from './inventory-read.service';
import { InventoryService } from './inventory.service';

/** Stock levels per variant and location, the movement ledger, reservations, low-stock alerts. */
@Module({
  imports: [NotificationsModule, CatalogVersionModule],
  controllers: [InventoryController, ReservationsController],
  providers: [InventoryService, InventoryReadService, InventoryJobsHandler],
  exports: [InventoryService],
})
export class InventoryModule {}
