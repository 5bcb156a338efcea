import { Module } from '@nestjs/common';
import { AnalyticsModule } from '../analytics/analytics.module';
import { InventoryModule } from '../inventory/inventory.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { OrderEventsHandler } from './order-events.handler';
import { CustomerOrdersController, MerchantOrdersController, TrackingController } from './orders.controller';
import { OrdersReadService } from './orders-read.service';
import { OrdersService } from './orders.service';

/** Orders: the state machine, merchant and customer routes, order events and their consumers. */
@Module({
  imports: [InventoryModule, NotificationsModule, AnalyticsModule],
  controllers: [MerchantOrdersController, CustomerOrdersController, TrackingController],
  providers: [OrdersService, OrdersReadService, OrderEventsHandler],
  exports: [OrdersService, OrdersReadService],
})
export class OrdersModule {}
