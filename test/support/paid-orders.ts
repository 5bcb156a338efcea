import { OrdersService } from '../../src/modules/orders/orders.service';
import { Payment } from '../../src/modules/payments/entities/payment.entity';
import { TestPaymentProvider } from '../../src/modules/payments/providers/test.provider';
import { TransfersService } from '../../src/modules/payments/transfers.service';
import type { TestApp } from '../harness/app';
import type { FakeStripe } from './fake-stripe';
import { checkoutBody } from './orders';

export interface PaidOrder {
  orderId: string;
  orderNumber: string;
  paymentId: string;
  sessionId: string;
  paymentIntentId: string;
  chargeId: string;
  amountMinor: number;
}

/**
 * Pays an order without the webhook path, for the refund and payout specs: the customer pays at
 * the provider (the fake Stripe's completeSession, or the test provider's Pay), then what the
 * payment-events processing does on success, in one transaction: the order marked paid, the
 * payments row captured with its intent and charge, the merchant transfer recorded.
 */
export async function payOrder(t: TestApp, orderId: string, options: { fake?: FakeStripe } = {}): Promise<PaidOrder> {
  const [row]: { id: string; session_id: string; amount: string }[] = await t.dataSource.query(`SELECT id, session_id, amount FROM payments WHERE order_id = $1`, [orderId]);
  if (!row) throw new Error(`order ${orderId} has no payment row`);
  let paymentIntentId: string;
  let chargeId: string;
  if (options.fake) {
    const session = options.fake.sessions.get(row.session_id)!;
    const paid = session.status === 'complete' ? session : options.fake.completeSession(row.session_id);
    paymentIntentId = paid.payment_intent;
    chargeId = options.fake.paymentIntents.get(paymentIntentId)!.latest_charge;
  } else {
    const provider = t.app.get(TestPaymentProvider);
    if ((await provider.retrieveStatus(row.session_id)).state !== 'paid') await provider.complete(row.session_id);
    const status = await provider.retrieveStatus(row.session_id);
    paymentIntentId = status.paymentIntentId!;
    chargeId = status.chargeId!;
  }
  const orders = t.app.get(OrdersService);
  const orderNumber = await t.dataSource.transaction(async (manager) => {
    const order = await orders.lock(manager, orderId);
    if (order.status === 'pending') await orders.markPaid(manager, order, { actorId: 'test-payment', paymentIntentId });
    await manager.query(
      `UPDATE payments SET status = 'succeeded', captured = amount, payment_intent_id = $2, charge_id = $3, paid_at = COALESCE(paid_at, now()) WHERE id = $1`,
      [row.id, paymentIntentId, chargeId],
    );
    const payment = await manager.findOneByOrFail(Payment, { id: row.id });
    // Only a paid order's money is transferred; a late payment of a cancelled order is refunded instead.
    if (order.status !== 'cancelled') await t.app.get(TransfersService).recordForPayment(manager, payment, order);
    return order.orderNumber;
  });
  return { orderId, orderNumber, paymentId: row.id, sessionId: row.session_id, paymentIntentId, chargeId, amountMinor: Number(row.amount) };
}

/** Checks out `items` as a guest (201 expected) and pays the order (see payOrder). */
export async function placePaidOrder(
  t: TestApp,
  merchantId: string,
  items: { product_id: string; variant_id?: string; quantity: number }[],
  options: { fake?: FakeStripe } = {},
): Promise<PaidOrder> {
  const placed = await t.http.post('/api/public/checkout').send(checkoutBody(merchantId, items));
  if (placed.status !== 201) throw new Error(`checkout failed: ${placed.status} ${JSON.stringify(placed.body)}`);
  return payOrder(t, placed.body.order_id, options);
}
