import { Module, Provider } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@app/common';
import { InventoryModule } from '../inventory/inventory.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { OrdersModule } from '../orders/orders.module';
import { PaymentEventsService } from './payment-events.service';
import { PaymentJobsHandler } from './payment-jobs.handler';
import { PaymentVerificationService } from './payment-verification.service';
import { PaymentsController } from './payments.controller';
import { PaymentsService } from './payments.service';
import { RefundJobsHandler } from './refund-jobs.handler';
import { RefundsController } from './refunds.controller';
import { RefundsService } from './refunds.service';
import { TransfersController } from './transfers.controller';
import { TransfersService } from './transfers.service';
import { WebhooksController } from './webhooks.controller';
import { PAYMENT_PROVIDER, PaymentProvider } from './providers/payment-provider';
import { StripePaymentProvider } from './providers/stripe.provider';
import { TestPaymentProvider } from './providers/test.provider';

/** Stripe with the configured keys, or null when PAYMENT_PROVIDER resolved to the test provider. */
export function createStripeProvider(config: AppConfig): StripePaymentProvider | null {
  const stripe = config.payments.stripe;
  if (config.payments.provider !== 'stripe' || !stripe) return null;
  return new StripePaymentProvider({ secretKey: stripe.secretKey, webhookSecret: stripe.webhookSecret, apiBaseUrl: stripe.apiBaseUrl });
}

const stripeProvider: Provider = { provide: StripePaymentProvider, inject: [APP_CONFIG], useFactory: createStripeProvider };

/** The provider the rest of the service uses; nothing else knows which one it is. */
const paymentProvider: Provider = {
  provide: PAYMENT_PROVIDER,
  inject: [APP_CONFIG, StripePaymentProvider, TestPaymentProvider],
  useFactory: (config: AppConfig, stripe: StripePaymentProvider | null, test: TestPaymentProvider): PaymentProvider =>
    config.payments.provider === 'stripe' ? stripe! : test,
};

/**
 * Payments: the provider strategy (providers/: Stripe, or the test provider when no Stripe key is
 * configured). Inject PAYMENT_PROVIDER; TestPaymentProvider is exported for its checkout page
 * (complete/fail), StripePaymentProvider is null unless Stripe is selected. Provider events (the
 * Stripe webhook, the test checkout's buttons, payment verification) are stored once and applied
 * by the worker through PaymentEventsService.
 */
@Module({
  imports: [OrdersModule, InventoryModule, NotificationsModule],
  controllers: [WebhooksController, PaymentsController, RefundsController, TransfersController],
  providers: [stripeProvider, TestPaymentProvider, paymentProvider, PaymentsService, PaymentEventsService, PaymentVerificationService, PaymentJobsHandler, RefundsService, TransfersService, RefundJobsHandler],
  exports: [PAYMENT_PROVIDER, StripePaymentProvider, TestPaymentProvider, PaymentsService, RefundsService, TransfersService],
})
export class PaymentsModule {}
