import { Module } from '@nestjs/common';
import { CartModule } from '../cart/cart.module';
import { InventoryModule } from '../inventory/inventory.module';
import { OrdersModule } from '../orders/orders.module';
import { PaymentsModule } from '../payments/payments.module';
import { CountryRateTaxStrategy, FlatRateShippingCalculator, SHIPPING_CALCULATOR, TAX_STRATEGY } from './checkout-pricing';
import { CheckoutSettingsController, CheckoutController } from './checkout.controller';
import { CheckoutSettingsService } from './checkout-settings.service';
import { CheckoutService } from './checkout.service';

/**
 * Checkout: cart or lines → priced, reserved, pending order → payment session. Shipping and tax are
 * strategies (SHIPPING_CALCULATOR, TAX_STRATEGY) with defaults read from checkout_settings.
 */
@Module({
  imports: [CartModule, InventoryModule, OrdersModule, PaymentsModule],
  controllers: [CheckoutController, CheckoutSettingsController],
  providers: [
    CheckoutService,
    CheckoutSettingsService,
    { provide: SHIPPING_CALCULATOR, useClass: FlatRateShippingCalculator },
    { provide: TAX_STRATEGY, useClass: CountryRateTaxStrategy },
  ],
  exports: [CheckoutSettingsService],
})
export class CheckoutModule {}
