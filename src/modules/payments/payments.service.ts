import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG, AppConfig, formatMinor, isDelayed, Jobs, OUTBOX_CHANNEL, OutboxService, preparedQuery, sendStatement } from '@app/common';
import { Merchant } from '../merchants/entities/merchant.entity';
import { OrderItem } from '../orders/entities/order-item.entity';
import { Order } from '../orders/entities/order.entity';
import { OrdersReadService } from '../orders/orders-read.service';
import type { OrderDraft } from '../orders/orders.service';
import { PaymentStatusDto } from './dto/payments.dto';
import { Payment } from './entities/payment.entity';
import { CheckoutSession, PAYMENT_PROVIDER, paymentIdempotencyKey, PaymentProvider } from './providers/payment-provider';
import { TransfersService } from './transfers.service';

/**
 * Records an opened session in ONE statement (atomic without a transaction around it, and one round
 * trip on every checkout): the order gets the session unless one was recorded already (a racing
 * request: then nothing is written and no row comes back), its payment row is inserted and the
 * payment.verify event ($8, the outbox's insert) with it.
 */
const recordSessionSql = (verifyInsert: string) => `
  WITH o AS (
    UPDATE orders SET payment_provider = $2, payment_session_id = $3, stripe_payment_intent_id = $4, checkout_url = $5, updated_at = now()
     WHERE id = $1 AND payment_session_id IS NULL
     RETURNING id, merchant_id, amount_total, currency, updated_at
  ), p AS (
    INSERT INTO payments (merchant_id, order_id, provider, session_id, payment_intent_id, status, amount, currency, checkout_url, client_secret, expires_at)
    SELECT o.merchant_id, o.id, $2, $3, $4, 'pending', o.amount_total, o.currency, $5, $6, $7 FROM o
    ON CONFLICT (order_id) DO NOTHING RETURNING id
  ), verify AS (
    ${verifyInsert} WHERE EXISTS (SELECT 1 FROM p)
  )
  SELECT o.updated_at, CASE WHEN $11 AND EXISTS (SELECT 1 FROM p) THEN pg_notify($9, $10) END AS notified FROM o`;

/** A new order's payment row and its payment.verify event ($11, the outbox's insert), in the checkout's transaction. */
const insertPaymentSql = (verifyInsert: string) => `
  WITH p AS (
    INSERT INTO payments (merchant_id, order_id, provider, session_id, payment_intent_id, status, amount, currency, checkout_url, client_secret, expires_at)
    VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, $8, $9, $10)
  ), verify AS (
    ${verifyInsert}
  )
  SELECT CASE WHEN $12 THEN pg_notify($13, $14) END AS notified`;

/** The columns of a new order that name its payment session. */
export type OrderSessionFields = Pick<Order, 'paymentProvider' | 'paymentSessionId' | 'stripePaymentIntentId' | 'checkoutUrl'>;

/**
 * Payments of orders through the configured provider. A remote provider's session (Stripe) is
 * opened after the checkout transaction committed (no lock is held while it answers) and is
 * idempotent: the provider call carries a key derived from the order id, and the payment row is
 * unique per order, so a retried or racing checkout ends with one session.
 */
@Injectable()
export class PaymentsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(PAYMENT_PROVIDER) private readonly provider: PaymentProvider,
    private readonly ordersRead: OrdersReadService,
    private readonly outbox: OutboxService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly transfers: TransfersService,
  ) {}

  /** `items`: the order's lines in position order when the caller holds them (checkout just wrote them); read otherwise. */
  async ensureCheckoutSession(order: Order, items?: Pick<OrderItem, 'productName' | 'quantity' | 'unitPrice'>[], merchant?: Pick<Merchant, 'id' | 'connectedAccountId' | 'platformFeePercentage'>): Promise<{ order: Order; clientSecret: string | null }> {
    if (order.paymentSessionId || order.status !== 'pending') {
      const payment = await this.dataSource.manager.findOneBy(Payment, { orderId: order.id });
      return { order, clientSecret: payment?.clientSecret ?? null };
    }
    items ??= await this.dataSource.manager.find(OrderItem, { where: { orderId: order.id }, order: { position: 'ASC' } });
    const session = await this.provider.createCheckoutSession({
      orderId: order.id,
      orderNumber: order.orderNumber,
      merchantId: order.merchantId,
      amountMinor: order.amountTotal,
      currency: order.currency,
      customerEmail: order.customerEmail,
      lines: items.map((i) => ({ name: i.productName, quantity: i.quantity, unitAmountMinor: i.unitPrice })),
      shippingMinor: order.shippingFee,
      taxMinor: order.pricesIncludeTax ? 0 : order.taxAmount,
      // A connected merchant's session carries its account and the platform fee (metadata; the payout is a later transfer).
      ...(await this.transfers.checkoutTerms(merchant?.id === order.merchantId ? merchant : order.merchantId, order.amountTotal, order.currency)),
      successUrl: order.successUrl ?? '',
      cancelUrl: order.cancelUrl ?? '',
      expiresAt: order.expiresAt,
      idempotencyKey: paymentIdempotencyKey('checkout', order.id),
    });
    // Seed 002's verification: if no webhook settles the payment, the worker asks the provider.
    const delay = { delayMs: this.config.payments.verifyDelaySeconds * 1000 };
    const verify = this.outbox.insertStatement(this.dataSource.manager, [{ job: Jobs.PaymentVerify, payload: { order_id: order.id, merchant_id: order.merchantId } }], delay, 8);
    const [recorded] = await preparedQuery<{ updated_at: Date }>(this.dataSource.manager, recordSessionSql(verify.sql), [
      order.id,
      session.provider,
      session.sessionId,
      session.paymentIntentId,
      session.url,
      session.clientSecret,
      session.expiresAt,
      verify.parameter,
      OUTBOX_CHANNEL,
      verify.ids[0],
      !isDelayed(delay),
    ]);
    // None: a racing request recorded the same session first; the order as it left it.
    if (!recorded) return { order: await this.dataSource.manager.findOneByOrFail(Order, { id: order.id }), clientSecret: session.clientSecret };
    Object.assign(order, { paymentProvider: session.provider, paymentSessionId: session.sessionId, stripePaymentIntentId: session.paymentIntentId, checkoutUrl: session.url, updatedAt: recorded.updated_at });
    return { order, clientSecret: session.clientSecret };
  }

  /**
   * The session of a new order, opened in the checkout's own transaction when the provider keeps
   * its sessions in this database (the test provider); null when it cannot (Stripe: an HTTP call,
   * made after the commit by ensureCheckoutSession). `order` goes into the order's row; `write`,
   * called after the order's statement, sends the session's row, the payment row and the
   * payment.verify event, which then commit with the order or not at all.
   */
  async prepareCheckoutSession(
    draft: OrderDraft,
    merchant: Pick<Merchant, 'id' | 'connectedAccountId' | 'platformFeePercentage'>,
  ): Promise<{ session: CheckoutSession; order: OrderSessionFields; write(manager: EntityManager): Promise<void> } | null> {
    if (!this.provider.prepareCheckoutSession) return null;
    const prepared = this.provider.prepareCheckoutSession({
      orderId: draft.id,
      merchantId: draft.merchantId,
      amountMinor: draft.amountTotal,
      currency: draft.currency,
      customerEmail: draft.customerEmail,
      lines: draft.items.map((i) => ({ name: i.productName, quantity: i.quantity, unitAmountMinor: i.unitPrice })),
      shippingMinor: draft.shippingFee,
      taxMinor: draft.pricesIncludeTax ? 0 : draft.taxAmount,
      ...(await this.transfers.checkoutTerms(merchant, draft.amountTotal, draft.currency)),
      successUrl: draft.successUrl ?? '',
      cancelUrl: draft.cancelUrl ?? '',
      expiresAt: draft.expiresAt,
      idempotencyKey: paymentIdempotencyKey('checkout', draft.id),
    });
    const { session } = prepared;
    const delay = { delayMs: this.config.payments.verifyDelaySeconds * 1000 };
    const verify = this.outbox.insertStatement(this.dataSource.manager, [{ job: Jobs.PaymentVerify, payload: { order_id: draft.id, merchant_id: draft.merchantId } }], delay, 11);
    return {
      session,
      order: { paymentProvider: session.provider, paymentSessionId: session.sessionId, stripePaymentIntentId: session.paymentIntentId, checkoutUrl: session.url },
      write: async (manager) => {
        await prepared.write(manager);
        await sendStatement(manager, insertPaymentSql(verify.sql), [
          draft.merchantId,
          draft.id,
          session.provider,
          session.sessionId,
          session.paymentIntentId,
          draft.amountTotal,
          draft.currency,
          session.url,
          session.clientSecret,
          session.expiresAt,
          verify.parameter,
          !isDelayed(delay),
          OUTBOX_CHANNEL,
          verify.ids[0],
        ]);
      },
    };
  }

  /**
   * GET /payments/status/{order_id}: the order's payment as the caller may see it (`scope` as
   * OrdersReadService.find: a merchant's own orders, a customer's own, an admin's any). An order
   * whose session was not opened yet shows `pending`.
   */
  async status(scope: { merchantId?: string; customerUserId?: string }, orderId: string): Promise<PaymentStatusDto> {
    const order = await this.ordersRead.find(orderId, scope);
    const payment = await this.dataSource.manager.findOneBy(Payment, { orderId: order.id });
    const money = (minor: number) => formatMinor(minor, order.currency);
    return {
      order_id: order.id,
      order_number: order.orderNumber,
      status: payment?.status ?? 'pending',
      order_status: order.status,
      provider: payment?.provider ?? order.paymentProvider,
      amount: money(payment?.amount ?? order.amountTotal),
      currency: payment?.currency ?? order.currency,
      captured: money(payment?.captured ?? 0),
      refunded: money(payment?.refunded ?? 0),
      paid_at: payment?.paidAt?.toISOString() ?? null,
      failure_message: payment?.failureMessage ?? null,
      disputed: Boolean(payment?.disputedAt),
    };
  }
}
