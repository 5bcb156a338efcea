import { OutboxEvent, ProcessedEvent } from '@app/common';
import { MerchantCustomer } from '../modules/analytics/entities/merchant-customer.entity';
import { MerchantDailyProductSales } from '../modules/analytics/entities/merchant-daily-product-sales.entity';
import { MerchantDailySales } from '../modules/analytics/entities/merchant-daily-sales.entity';
import { MerchantMonthlyTransfers } from '../modules/analytics/entities/merchant-monthly-transfers.entity';
import { AuditLog } from '../modules/audit/entities/audit-log.entity';
import { Cart, CartItem } from '../modules/cart/entities/cart.entity';
import { CheckoutIdempotencyKey, CheckoutSettings } from '../modules/checkout/entities/checkout.entities';
import { CatalogImportRun } from '../modules/catalog/entities/catalog-import-run.entity';
import { CollectionProduct } from '../modules/catalog/entities/collection-product.entity';
import { Collection } from '../modules/catalog/entities/collection.entity';
import { ProductImage } from '../modules/catalog/entities/product-image.entity';
import { ProductPrice } from '../modules/catalog/entities/product-price.entity';
import { ProductVariant } from '../modules/catalog/entities/product-variant.entity';
import { Product } from '../modules/catalog/entities/product.entity';
import { CollectionTranslation, Language, ProductTranslation } from '../modules/catalog/entities/translation.entities';
import { ApiKey } from '../modules/identity/entities/api-key.entity';
import { DeviceAuthorization } from '../modules/identity/entities/device-authorization.entity';
import { RefreshToken } from '../modules/identity/entities/refresh-token.entity';
import { User } from '../modules/identity/entities/user.entity';
import { InventoryIdempotencyKey } from '../modules/inventory/entities/inventory-idempotency-key.entity';
import { InventoryLevel } from '../modules/inventory/entities/inventory-level.entity';
import { InventoryMovement } from '../modules/inventory/entities/inventory-movement.entity';
import { InventoryReservation, InventoryReservationLine } from '../modules/inventory/entities/inventory-reservation.entity';
import { StockLocation } from '../modules/inventory/entities/stock-location.entity';
import { HomepageConfig, HomepageSection } from '../modules/homepage/entities/homepage.entities';
import { Media } from '../modules/media/entities/media.entity';
import { MerchantTranslation } from '../modules/merchants/entities/merchant-translation.entity';
import { Merchant } from '../modules/merchants/entities/merchant.entity';
import { OrderItem } from '../modules/orders/entities/order-item.entity';
import { OrderNumberCounter } from '../modules/orders/entities/order-number-counter.entity';
import { OrderStatusHistory } from '../modules/orders/entities/order-status-history.entity';
import { Order } from '../modules/orders/entities/order.entity';
import { Payment } from '../modules/payments/entities/payment.entity';
import { PaymentEvent } from '../modules/payments/entities/payment-event.entity';
import { Refund } from '../modules/payments/entities/refund.entity';
import { MerchantTransfer } from '../modules/payments/entities/merchant-transfer.entity';
import { TestPaymentRefund, TestPaymentSession } from '../modules/payments/entities/test-payment-session.entity';
import { NotificationSettings } from '../modules/notifications/entities/notification-settings.entity';
import { Notification } from '../modules/notifications/entities/notification.entity';

/** Every entity of the service; the DataSource (app, worker, CLI, tests) is built from this list. */
export const ENTITIES = [
  OutboxEvent,
  AuditLog,
  User,
  RefreshToken,
  ApiKey,
  DeviceAuthorization,
  Merchant,
  MerchantTranslation,
  Product,
  ProductVariant,
  ProductPrice,
  ProductImage,
  Collection,
  CollectionProduct,
  ProductTranslation,
  CollectionTranslation,
  Language,
  CatalogImportRun,
  StockLocation,
  InventoryLevel,
  InventoryMovement,
  InventoryReservation,
  InventoryReservationLine,
  InventoryIdempotencyKey,
  Notification,
  NotificationSettings,
  Media,
  Cart,
  CartItem,
  ProcessedEvent,
  Order,
  OrderItem,
  OrderStatusHistory,
  OrderNumberCounter,
  CheckoutIdempotencyKey,
  CheckoutSettings,
  MerchantDailySales,
  MerchantDailyProductSales,
  MerchantCustomer,
  MerchantMonthlyTransfers,
  Payment,
  PaymentEvent,
  Refund,
  MerchantTransfer,
  TestPaymentSession,
  TestPaymentRefund,
  HomepageConfig,
  HomepageSection,
];
