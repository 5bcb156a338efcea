import { AuditModule } from './audit/audit.module';
import { CartModule } from './cart/cart.module';
import { CatalogModule } from './catalog/catalog.module';
import { IdentityModule } from './identity/identity.module';
import { InventoryModule } from './inventory/inventory.module';
import { MediaModule } from './media/media.module';
import { MerchantsModule } from './merchants/merchants.module';
import { NotificationsModule } from './notifications/notifications.module';
import { PaymentsModule } from './payments/payments.module';
import { OrdersModule } from './orders/orders.module';
import { CheckoutModule } from './checkout/checkout.module';
import { AnalyticsModule } from './analytics/analytics.module';
import { HomepageModule } from './homepage/homepage.module';

/**
 * The domain modules. Both processes load all of them: the API routes their controllers, the
 * worker runs their @OnJob handlers.
 */
export const DOMAIN_MODULES = [AuditModule, MerchantsModule, IdentityModule, CatalogModule, NotificationsModule, InventoryModule, MediaModule, CartModule, AnalyticsModule, OrdersModule, PaymentsModule, CheckoutModule, HomepageModule];
