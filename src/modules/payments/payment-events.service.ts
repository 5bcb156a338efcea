import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { formatMinor, isUuid, Jobs, NotFoundError, OutboxService } from '@app/common';
import { InventoryService } from '../inventory/inventory.service';
import { NotificationsService } from '../notifications/notifications.service';
import { Order } from '../orders/entities/order.entity';
import { PAID_STATUSES } from '../orders/order-state-machine';
import { OrdersService } from '../orders/orders.service';
import { PaymentEvent, PaymentEventSource, PaymentEventStatus } from './entities/payment-event.entity';
import { Payment } from './entities/payment.entity';
import { idOf, PAYMENT_PROVIDER, PaymentProvider, ProviderEvent } from './providers/payment-provider';
import { RefundsService } from './refunds.service';
import { TransfersService } from './transfers.service';

/**
 * The event's order or payment is not in the database yet: typically a webhook that beat the
 * commit of the checkout (or of the payment row written right after it). Retried with backoff.
 */
export class PaymentNotReadyError extends Error {
  readonly retryable = true;
}

/** An event that can never apply (an amount or session that is not the payment's): failed at once, kept for a human. */
export class PaymentEventRejectedError extends Error {
  readonly retryable = false;
}

/** What a provider event means for a payment, whatever its provider type name. */
type EventKind = 'succeeded' | 'awaiting' | 'failed' | 'expired' | 'refunded' | 'disputed';

const KIND_OF_TYPE: Record<string, EventKind | ((object: Record<string, unknown>) => EventKind)> = {
  // A session paid by an asynchronous method (bank debit…) completes unpaid; its outcome comes later.
  'checkout.session.completed': (o) => (o.payment_status === 'paid' || o.payment_status === 'no_payment_required' ? 'succeeded' : 'awaiting'),
  'checkout.session.async_payment_succeeded': 'succeeded',
  'checkout.session.async_payment_failed': 'failed',
  'checkout.session.expired': 'expired',
  'payment_intent.succeeded': 'succeeded',
  'payment_intent.payment_failed': 'failed',
  'charge.refunded': 'refunded',
  'charge.dispute.created': 'disputed',
};

export function eventKind(type: string, object: Record<string, unknown>): EventKind | null {
  const kind = KIND_OF_TYPE[type];
  return typeof kind === 'function' ? kind(object) : (kind ?? null);
}

/** The order statuses in which a payment is still awaited. */
const UNPAID = ['pending', 'failed'];

const str = (value: unknown): string | null => (typeof value === 'string' && value ? value : null);
const int = (value: unknown): number | null => (typeof value === 'number' && Number.isSafeInteger(value) ? value : null);
const obj = (value: unknown): Record<string, unknown> | null => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null);

/** The captured charge an object names: a PaymentIntent's latest_charge (also inside an expanded one), a charge itself, a dispute's charge. */
function chargeIdOf(object: Record<string, unknown>): string | null {
  if (object.object === 'charge') return str(object.id);
  return idOf(object.latest_charge) ?? idOf(object.charge) ?? idOf(obj(object.payment_intent)?.latest_charge);
}

const REFUND_STATUSES = ['pending', 'succeeded', 'failed', 'canceled'] as const;
/** Stripe's refund statuses; requires_action and anything newer count as still pending. */
const refundStatusOf = (value: unknown): (typeof REFUND_STATUSES)[number] => REFUND_STATUSES.find((s) => s === value) ?? 'pending';

/** What the customer paid according to the event: a session's amount_total, a PaymentIntent's amount_received (or amount). */
function paidAmountOf(object: Record<string, unknown>): { amount: number; currency: string } | null {
  const currency = str(object.currency)?.toUpperCase();
  const amount = object.object === 'checkout.session' ? int(object.amount_total) : (int(object.amount_received) || int(object.amount));
  return currency && amount !== null ? { amount, currency } : null;
}

export interface ProcessResult {
  status: PaymentEventStatus;
  outcome: string | null;
  /** This call found the event already applied (a redelivered job). */
  alreadyDone: boolean;
}

interface Applied {
  status: 'processed' | 'ignored';
  outcome: string;
  orderId: string | null;
}

/**
 * Provider events, stored once and applied once. `record` is what every entrance calls (the
 * Stripe webhook after its signature check, the test checkout's Pay/Fail buttons, the
 * verification job): it inserts the event under its unique provider id and publishes its
 * `payment.event` job in the same transaction, so a duplicate delivery stores and enqueues
 * nothing. `process` (the worker) applies it with the event row, the order and the payment row
 * locked — in that order — in one transaction with the order's transition, so whatever order
 * events arrive in, and however often, the payment ends in the right state:
 * succeeded wins over failed and expired, and a success is applied once.
 */
@Injectable()
export class PaymentEventsService {
  private readonly logger = new Logger(PaymentEventsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(PAYMENT_PROVIDER) private readonly provider: PaymentProvider,
    private readonly outbox: OutboxService,
    private readonly orders: OrdersService,
    private readonly inventory: InventoryService,
    private readonly notifications: NotificationsService,
    private readonly refunds: RefundsService,
    private readonly transfers: TransfersService,
  ) {}

  /**
   * Stores a verified event and publishes its job, in one transaction. A duplicate (same event id)
   * stores and publishes nothing — except when processing it had given up (`failed`): a provider's
   * redelivery then gets one more round of retries.
   */
  async record(event: ProviderEvent, source: PaymentEventSource, provider = this.provider.name): Promise<{ duplicate: boolean }> {
    return this.dataSource.transaction(async (manager) => {
      const inserted: unknown[] = await manager.query(
        `INSERT INTO payment_events (event_id, provider, source, type, order_id, session_id, payment_intent_id, payload, occurred_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (event_id) DO NOTHING RETURNING id`,
        [event.id, provider, source, event.type.slice(0, 100), isUuid(event.orderId) ? event.orderId : null, event.sessionId?.slice(0, 255) ?? null, event.paymentIntentId?.slice(0, 255) ?? null, JSON.stringify(event.object), event.created],
      );
      if (inserted.length) {
        await this.outbox.publish(manager, Jobs.PaymentEvent, { event_id: event.id });
        return { duplicate: false };
      }
      // A CTE, so the driver answers rows (an UPDATE alone answers [rows, count]).
      const revived: unknown[] = await manager.query(
        `WITH revived AS (UPDATE payment_events SET status = 'received', updated_at = now() WHERE event_id = $1 AND status = 'failed' RETURNING id) SELECT id FROM revived`,
        [event.id],
      );
      if (revived.length) await this.outbox.publish(manager, Jobs.PaymentEvent, { event_id: event.id });
      return { duplicate: true };
    });
  }

  /**
   * Applies a stored event once. Throws PaymentNotReadyError (retry later) while its order or
   * payment is not committed, PaymentEventRejectedError when it can never apply; either way the
   * attempt and its error are recorded on the event. `finalAttempt`: the job will not be retried,
   * so a failure marks the event `failed`.
   */
  async process(eventId: string, options: { finalAttempt?: boolean } = {}): Promise<ProcessResult> {
    const before = await this.dataSource.manager.findOneBy(PaymentEvent, { eventId });
    if (!before) throw new PaymentEventRejectedError(`No stored payment event ${eventId}`);
    if (before.status === 'processed' || before.status === 'ignored') {
      await this.afterApplied(before, options.finalAttempt);
      return { status: before.status, outcome: before.outcome, alreadyDone: true };
    }
    // Given up on: only a redelivery (record) puts it back in play, not a stale retry of an old job.
    if (before.status === 'failed') return { status: 'failed', outcome: before.lastError, alreadyDone: true };
    const chargeId = await this.lookUpChargeId(before);
    let result: ProcessResult;
    try {
      result = await this.dataSource.transaction(async (manager) => {
        const row = await manager.findOne(PaymentEvent, { where: { eventId }, lock: { mode: 'pessimistic_write' } });
        if (!row) throw new PaymentEventRejectedError(`No stored payment event ${eventId}`);
        if (row.status !== 'received') return { status: row.status, outcome: row.outcome ?? row.lastError, alreadyDone: true };
        const applied = await this.apply(manager, row, chargeId);
        await manager.update(
          PaymentEvent,
          { id: row.id },
          { status: applied.status, outcome: applied.outcome.slice(0, 500), orderId: row.orderId ?? applied.orderId, attempts: row.attempts + 1, lastError: null, processedAt: new Date() },
        );
        return { status: applied.status, outcome: applied.outcome, alreadyDone: false };
      });
    } catch (err) {
      const giveUp = options.finalAttempt || err instanceof PaymentEventRejectedError;
      await this.dataSource.query(
        `UPDATE payment_events SET attempts = attempts + 1, last_error = $2, status = $3, updated_at = now() WHERE event_id = $1 AND status = 'received'`,
        [eventId, String((err as Error)?.message ?? err).slice(0, 1000), giveUp ? 'failed' : 'received'],
      );
      throw err;
    }
    const after = await this.dataSource.manager.findOneByOrFail(PaymentEvent, { eventId });
    await this.afterApplied(after, options.finalAttempt);
    return result;
  }

  // --- applying ---------------------------------------------------------------------------------

  private async apply(manager: EntityManager, event: PaymentEvent, chargeId: string | null): Promise<Applied> {
    const kind = eventKind(event.type, event.payload);
    if (!kind) return { status: 'ignored', outcome: `ignored: ${event.type} is not an event payments act on`, orderId: null };
    // Another system's payment on the same provider account: its metadata names an order id that cannot be ours.
    const named = str(obj(event.payload.metadata)?.order_id) ?? (event.payload.object === 'checkout.session' ? str(event.payload.client_reference_id) : null);
    if (named && !isUuid(named)) return { status: 'ignored', outcome: `ignored: ${String(named).slice(0, 60)} is not an order id of this service`, orderId: null };
    const { order, payment } = await this.lockTarget(manager, event);
    const done = (status: Applied['status'], outcome: string): Applied => ({ status, outcome, orderId: order.id });
    const sessionId = event.sessionId ?? (event.payload.object === 'checkout.session' ? str(event.payload.id) : null);
    if (sessionId && sessionId !== payment.sessionId) {
      throw new PaymentEventRejectedError(`Event ${event.eventId} is for session ${sessionId}, but the payment of order ${order.id} is session ${payment.sessionId}`);
    }
    const intentId = event.paymentIntentId ?? idOf(event.payload.payment_intent);

    switch (kind) {
      case 'succeeded':
        return done(...(await this.succeeded(manager, event, order, payment, intentId, chargeId)));
      case 'awaiting':
        if (intentId && !payment.paymentIntentId) await manager.update(Payment, { id: payment.id }, { paymentIntentId: intentId });
        return done('ignored', 'ignored: checkout completed, the payment is still processing');
      case 'failed':
        return done(...(await this.failed(manager, event, order, payment, intentId)));
      case 'expired':
        return done(...(await this.expired(manager, event, order, payment)));
      case 'refunded':
        return done(...(await this.refunded(manager, event, order, payment, intentId)));
      case 'disputed':
        return done(...(await this.disputed(manager, event, payment)));
    }
  }

  /**
   * The order and its payment, locked in that order (as checkout and every order change lock
   * them). Found by the order id the event names, else through the session or payment intent.
   * Missing rows mean the checkout has not committed yet: retry.
   */
  private async lockTarget(manager: EntityManager, event: PaymentEvent): Promise<{ order: Order; payment: Payment }> {
    let orderId = event.orderId;
    if (!orderId && event.sessionId) orderId = (await manager.findOneBy(Payment, { sessionId: event.sessionId }))?.orderId ?? null;
    if (!orderId && event.paymentIntentId) {
      const [row]: { order_id: string }[] = await manager.query(
        `SELECT order_id FROM payments WHERE payment_intent_id = $1 UNION ALL SELECT id FROM orders WHERE stripe_payment_intent_id = $1 LIMIT 1`,
        [event.paymentIntentId],
      );
      orderId = row?.order_id ?? null;
    }
    if (!orderId) throw new PaymentNotReadyError(`No payment for ${event.sessionId ? `session ${event.sessionId}` : `payment intent ${event.paymentIntentId}`} yet`);
    const order = await this.orders.lock(manager, orderId).catch((err: unknown) => {
      if (err instanceof NotFoundError) throw new PaymentNotReadyError(`Order ${orderId} is not committed yet`);
      throw err;
    });
    const payment = await manager.findOne(Payment, { where: { orderId: order.id }, lock: { mode: 'pessimistic_write' } });
    if (!payment) throw new PaymentNotReadyError(`The payment of order ${order.id} is not recorded yet`);
    return { order, payment };
  }

  private async succeeded(manager: EntityManager, event: PaymentEvent, order: Order, payment: Payment, intentId: string | null, chargeId: string | null): Promise<[Applied['status'], string]> {
    const paid = paidAmountOf(event.payload) ?? paidAmountOf(obj(event.payload.payment_intent) ?? {});
    if (paid && (paid.amount !== payment.amount || paid.currency !== payment.currency)) {
      throw new PaymentEventRejectedError(
        `Event ${event.eventId} paid ${formatMinor(paid.amount, paid.currency)} ${paid.currency}, but the payment is ${formatMinor(payment.amount, payment.currency)} ${payment.currency}`,
      );
    }
    const charge = chargeIdOf(event.payload) ?? chargeId;
    if (payment.status === 'succeeded') {
      // A repeat (webhook and verification, or payment_intent.succeeded after checkout.session.completed): fill what the first one lacked.
      const missing: Partial<Payment> = {};
      if (!payment.chargeId && charge) missing.chargeId = charge;
      if (!payment.paymentIntentId && intentId) missing.paymentIntentId = intentId;
      if (Object.keys(missing).length) await manager.update(Payment, { id: payment.id }, missing);
      return ['ignored', 'ignored: the payment already succeeded'];
    }
    const changes: Partial<Payment> = {
      status: 'succeeded',
      captured: payment.amount,
      paidAt: event.occurredAt,
      paymentIntentId: intentId ?? payment.paymentIntentId,
      chargeId: charge ?? payment.chargeId,
      failureMessage: null,
    };
    await manager.update(Payment, { id: payment.id }, changes);
    Object.assign(payment, changes);
    const actorId = `payment_event:${event.eventId}`.slice(0, 255);

    if (UNPAID.includes(order.status)) {
      const held = order.reservationId ? (await this.inventory.reservationView(manager, order.merchantId, { id: order.reservationId })).status : 'active';
      if (held === 'active') {
        await this.orders.markPaid(manager, order, { actorId, paymentIntentId: payment.paymentIntentId, note: `Payment received (${event.type})` });
        await this.transfers.recordForPayment(manager, payment, order);
        return ['processed', `order paid (${event.type})`];
      }
      // The hold ran out before the money arrived and its stock may be sold already: the order cannot be paid.
      await this.orders.cancelLocked(manager, null, order, 'payment', `The payment arrived after the stock hold ${held}`);
    }
    if (!PAID_STATUSES.includes(order.status)) {
      const reason = `Payment received after order ${order.orderNumber} was cancelled (${order.cancellationReason ?? 'no reason given'})`;
      await this.refunds.refundLatePayment(manager, order, payment, reason);
      return ['processed', `late payment: order cancelled, full refund requested`];
    }
    // Already paid some other way (or further along): the payment record catches up, the order is left alone.
    return ['processed', `payment recorded; order already ${order.status}`];
  }

  private async failed(manager: EntityManager, event: PaymentEvent, order: Order, payment: Payment, intentId: string | null): Promise<[Applied['status'], string]> {
    if (payment.status === 'succeeded') return ['ignored', 'ignored: the payment already succeeded'];
    if (payment.status !== 'pending' && payment.status !== 'failed') return ['ignored', `ignored: the payment is ${payment.status}`];
    const error = obj(event.payload.last_payment_error);
    const message = (str(error?.message) ?? 'The payment failed').slice(0, 500);
    await manager.update(Payment, { id: payment.id }, { status: 'failed', failureMessage: message, paymentIntentId: intentId ?? payment.paymentIntentId });
    // The stock stays held until the order expires: the customer may try again with another card.
    if (order.status === 'pending') {
      await this.orders.transition(manager, null, order, 'failed', 'payment', { actorId: `payment_event:${event.eventId}`.slice(0, 255), note: message });
      return ['processed', 'payment failed; order failed'];
    }
    return ['processed', `payment failed; order stays ${order.status}`];
  }

  private async expired(manager: EntityManager, event: PaymentEvent, order: Order, payment: Payment): Promise<[Applied['status'], string]> {
    if (payment.status === 'succeeded') return ['ignored', 'ignored: the payment already succeeded'];
    if (payment.status === 'expired' || payment.status === 'canceled') return ['ignored', `ignored: the payment is already ${payment.status}`];
    await manager.update(Payment, { id: payment.id }, { status: 'expired' });
    // Usually the order's own expiry got there first; an order still waiting cannot be paid any more.
    if (UNPAID.includes(order.status)) {
      await this.orders.cancelLocked(manager, null, order, 'payment', 'The checkout session expired before payment');
      return ['processed', 'session expired; order cancelled'];
    }
    return ['processed', `session expired; order already ${order.status}`];
  }

  private async refunded(manager: EntityManager, event: PaymentEvent, order: Order, payment: Payment, intentId: string | null): Promise<[Applied['status'], string]> {
    const charge = event.payload;
    const listed = obj(charge.refunds)?.data;
    const providerRefunds = (Array.isArray(listed) ? listed : [])
      .map(obj)
      .filter((r): r is Record<string, unknown> => r !== null && str(r.id) !== null)
      .map((r) => ({ id: str(r.id)!, amountMinor: int(r.amount) ?? 0, status: refundStatusOf(r.status), refundId: str(obj(r.metadata)?.refund_id) }));
    await this.refunds.reconcileProviderRefund(manager, {
      orderId: order.id,
      paymentIntentId: intentId ?? payment.paymentIntentId,
      chargeId: str(charge.id),
      refundedMinor: int(charge.amount_refunded) ?? 0,
      providerRefunds,
      eventId: event.eventId,
    });
    return ['processed', `refunds reconciled (${formatMinor(int(charge.amount_refunded) ?? 0, payment.currency)} refunded at the provider)`];
  }

  private async disputed(manager: EntityManager, event: PaymentEvent, payment: Payment): Promise<[Applied['status'], string]> {
    const disputeId = str(event.payload.id);
    if (payment.disputeId && payment.disputeId === disputeId) return ['ignored', 'ignored: the dispute is already recorded'];
    await manager.update(Payment, { id: payment.id }, { disputeId, disputedAt: event.occurredAt });
    return ['processed', `dispute ${disputeId ?? '(no id)'} recorded; merchant notified`];
  }

  // --- around the transaction -------------------------------------------------------------------

  /**
   * A checkout.session.completed names the payment intent but not its charge (Stripe does not
   * expand it in webhooks): ask the provider before taking any lock, so the payment records the
   * charge that refunds and transfers need. Best effort: payment_intent.succeeded fills it later.
   */
  private async lookUpChargeId(event: PaymentEvent): Promise<string | null> {
    if (eventKind(event.type, event.payload) !== 'succeeded' || chargeIdOf(event.payload)) return null;
    if (event.provider !== this.provider.name) return null;
    let sessionId = event.sessionId;
    if (!sessionId && event.orderId) sessionId = (await this.dataSource.manager.findOneBy(Payment, { orderId: event.orderId }))?.sessionId ?? null;
    if (!sessionId && event.paymentIntentId) sessionId = (await this.dataSource.manager.findOneBy(Payment, { paymentIntentId: event.paymentIntentId }))?.sessionId ?? null;
    if (!sessionId) return null;
    try {
      return (await this.provider.retrieveStatus(sessionId)).chargeId;
    } catch (err) {
      this.logger.warn({ event_id: event.eventId, session_id: sessionId, err: (err as Error).message }, 'Could not look up the charge of a paid session');
      return null;
    }
  }

  /** Effects outside the database, run after the commit and again by a redelivered job (each is idempotent). */
  private async afterApplied(event: PaymentEvent, finalAttempt = false): Promise<void> {
    if (event.status !== 'processed' || event.type !== 'charge.dispute.created' || !event.orderId) return;
    const order = await this.dataSource.manager.findOneBy(Order, { id: event.orderId });
    if (!order) return;
    const dispute = event.payload;
    const disputeId = str(dispute.id) ?? event.eventId;
    const amount = int(dispute.amount);
    const currency = str(dispute.currency)?.toUpperCase() ?? order.currency;
    const money = amount !== null ? `${formatMinor(amount, currency)} ${currency}` : 'the payment';
    const reason = str(dispute.reason);
    await this.notifications.notify(order.merchantId, {
      type: 'payment.dispute_created',
      dedupeKey: `payment-dispute:${disputeId}`,
      title: `Chargeback opened on order ${order.orderNumber}`,
      message: `The customer disputed ${money} for order ${order.orderNumber}${reason ? ` (reason: ${reason.replaceAll('_', ' ')})` : ''}. The amount is held by the payment provider until the dispute is settled; respond with evidence from the provider's dashboard.`,
      data: { order_id: order.id, order_number: order.orderNumber, dispute_id: disputeId, amount_minor: amount, currency, reason, payment_intent_id: event.paymentIntentId },
    }, { finalAttempt });
  }
}
