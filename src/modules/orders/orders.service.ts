import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppException, insertRowsStatement, isUuid, Jobs, JobDefinition, NotFoundError, OrderEventPayload, OUTBOX_CHANNEL, OutboxService, preparedQuery, RequestContext, ValidationError } from '@app/common';
import { AuditService } from '../audit/audit.service';
import { InventoryService } from '../inventory/inventory.service';
import { OrderItem } from './entities/order-item.entity';
import { OrderStatusHistory } from './entities/order-status-history.entity';
import { Order, OrderStatus, ShippingAddress, TransitionSource } from './entities/order.entity';
import { assertTransition, CANCELLABLE_STATUSES, InvalidOrderStateError, PAID_STATUSES, stampsFor } from './order-state-machine';

/** The events of the contract, by the status that emits them. */
const EVENT_OF: Partial<Record<OrderStatus, JobDefinition<OrderEventPayload>>> = {
  paid: Jobs.OrderPaid,
  shipped: Jobs.OrderShipped,
  delivered: Jobs.OrderDelivered,
  completed: Jobs.OrderCompleted,
  cancelled: Jobs.OrderCancelled,
  refunded: Jobs.OrderRefunded,
};

/** What checkout hands over to create an order; amounts already computed from the database. */
export interface OrderDraft {
  id: string;
  merchantId: string;
  customerUserId: string | null;
  customerEmail: string;
  customerName: string;
  currency: string;
  subtotal: number;
  shippingFee: number;
  taxAmount: number;
  amountTotal: number;
  pricesIncludeTax: boolean;
  taxRateBps: number;
  shippingRateId: string | null;
  shippingAddress: ShippingAddress;
  reservationId: string;
  expiresAt: Date;
  successUrl: string | null;
  cancelUrl: string | null;
  utm: { source?: string; medium?: string; campaign?: string; term?: string; content?: string; gclid?: string };
  items: Omit<OrderItem, 'id' | 'createdAt' | 'updatedAt' | 'merchantId' | 'orderId' | 'position'>[];
  /** The payment session, when it is opened in the same transaction (PaymentsService.prepareCheckoutSession). */
  paymentProvider?: string | null;
  paymentSessionId?: string | null;
  stripePaymentIntentId?: string | null;
  checkoutUrl?: string | null;
}

export interface TransitionOptions {
  note?: string | null;
  /** User, API key or provider event id; defaults to the request's principal. */
  actorId?: string | null;
  /** Columns changed with the status (tracking data, cancellation…). */
  patch?: Partial<Order>;
}

export class LogisticsUnavailableError extends AppException {
  constructor() {
    super(
      'ERR_LOGISTICS_UNAVAILABLE',
      'No logistics provider is configured for this store: send tracking_number and carrier to ship manually',
      HttpStatus.UNPROCESSABLE_ENTITY,
      { fields: { create_logistics_shipment: ['no logistics provider is configured'] } },
    );
  }
}

const actorOf = (ctx: RequestContext | null): string | null => {
  const p = ctx?.principal;
  if (!p) return null;
  return p.kind === 'api_key' ? `api_key:${p.apiKeyId}` : p.userId;
};

/**
 * The order lifecycle. Every status change goes through `transition()`: it checks the move against
 * the state machine with the order row locked (FOR UPDATE, so two requests at once are serialized
 * and the second sees the first's result), stamps the timestamps, writes the history row, the
 * audit entry and the event, all in one transaction.
 */
@Injectable()
export class OrdersService {
  private pendingOrderSql?: string;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
    private readonly inventory: InventoryService,
  ) {}

  // --- creation -------------------------------------------------------------------------------

  /**
   * Inserts a pending order with its number, lines, first history row and order.created, in ONE
   * statement of the caller's transaction; call it last there.
   *
   * The number is ORD-YYYYMMDD-NNNN, sequential per merchant and UTC day with no gaps: it comes
   * from a counter row that stays locked from this statement to the commit, so every other
   * checkout of the store waits for exactly that (this statement and the COMMIT). That is why the
   * number is computed inside the statement: the order's row and the event's payload are written
   * from jsonb made here, into which the statement sets the number (and the event its placed_at).
   */
  async createPending(manager: EntityManager, ctx: RequestContext | null, draft: OrderDraft): Promise<Order> {
    const { items, utm, ...fields } = draft;
    const order = manager.create(Order, {
      ...fields,
      status: 'pending',
      version: 1,
      refundedAmount: 0,
      utmSource: utm.source ?? null,
      utmMedium: utm.medium ?? null,
      utmCampaign: utm.campaign ?? null,
      utmTerm: utm.term ?? null,
      utmContent: utm.content ?? null,
      gclid: utm.gclid ?? null,
      orderNumber: '', // set by the statement
      createdAt: new Date(0), // idem
    });
    // Every column but the timestamps is written; what a new order does not have is null.
    const metadata = manager.connection.getMetadata(Order);
    for (const column of metadata.columns) {
      if (column.getEntityValue(order) === undefined) column.setEntityValue(order, null);
    }
    const properties = metadata.columns.filter((c) => !c.isCreateDate && !c.isUpdateDate).map((c) => c.propertyName as keyof Order & string);
    const day = new Date().toISOString().slice(0, 10);

    const placed = insertRowsStatement(manager, Order, [order], properties, 3, (jsonb) => `(SELECT jsonb_build_array(jsonb_set(${jsonb} -> 0, '{${properties.indexOf('orderNumber')}}', to_jsonb(n.order_number))) FROM number n)`);
    const lines = insertRowsStatement(
      manager,
      OrderItem,
      items.map((item, position) => ({ ...item, merchantId: draft.merchantId, orderId: draft.id, position })),
      ['merchantId', 'orderId', 'position', 'productId', 'variantId', 'productName', 'sku', 'variantAttributes', 'imageUrl', 'quantity', 'unitPrice', 'total'],
      4,
    );
    const history = insertRowsStatement(
      manager,
      OrderStatusHistory,
      [{ merchantId: draft.merchantId, orderId: draft.id, fromStatus: null, toStatus: 'pending', source: 'customer', note: null, actorId: actorOf(ctx) }],
      ['merchantId', 'orderId', 'fromStatus', 'toStatus', 'source', 'note', 'actorId'],
      5,
    );
    // The payload is the 4th value of the event's row; placed_at as Date.toISOString() writes it.
    const created = this.outbox.insertStatement(
      manager,
      [{ job: Jobs.OrderCreated, payload: this.eventPayload(order, null, 'customer', null, items.length) }],
      {},
      6,
      (jsonb) =>
        `(SELECT jsonb_build_array(jsonb_set(jsonb_set(${jsonb} -> 0, '{3,order_number}', to_jsonb(p.order_number)),
                                             '{3,placed_at}', to_jsonb(to_char(p.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))))
            FROM placed p)`,
    );
    // The text is the same for every order: built once, so each checkout does not concatenate,
    // flatten and hash ~4 KB of SQL again to find its prepared statement (allocation profile).
    this.pendingOrderSql ??= `WITH number AS (
         INSERT INTO order_number_counters (merchant_id, day, last_value) VALUES ($1, $2, 1)
         ON CONFLICT (merchant_id, day) DO UPDATE SET last_value = order_number_counters.last_value + 1, updated_at = now()
         RETURNING 'ORD-' || to_char($2::date, 'YYYYMMDD') || '-' || lpad(last_value::text, greatest(4, length(last_value::text)), '0') AS order_number
       ),
       placed AS (${placed.sql} RETURNING order_number, created_at, updated_at),
       lines AS (${lines.sql}),
       history AS (${history.sql}),
       created AS (${created.sql})
       SELECT order_number, created_at, updated_at, pg_notify($7, $8) FROM placed`;
    const [row] = await preparedQuery<{ order_number: string; created_at: Date; updated_at: Date }>(
      manager,
      this.pendingOrderSql,
      [draft.merchantId, day, ...placed.parameters, ...lines.parameters, ...history.parameters, created.parameter, OUTBOX_CHANNEL, created.ids[0]],
    );
    return Object.assign(order, { orderNumber: row.order_number, createdAt: row.created_at, updatedAt: row.updated_at });
  }

  // --- locking and transitions ----------------------------------------------------------------

  /**
   * The order row, locked until the transaction ends. `merchantId` undefined (admins, system jobs)
   * finds any order; `customerUserId` limits it to that customer's orders. Others' orders are 404.
   */
  async lock(manager: EntityManager, orderId: string, scope: { merchantId?: string; customerUserId?: string } = {}): Promise<Order> {
    if (!isUuid(orderId)) throw new NotFoundError('Order', String(orderId).slice(0, 64));
    const qb = manager.createQueryBuilder(Order, 'o').where('o.id = :orderId', { orderId }).setLock('pessimistic_write');
    if (scope.merchantId !== undefined) qb.andWhere('o.merchant_id = :merchantId', { merchantId: scope.merchantId });
    if (scope.customerUserId !== undefined) qb.andWhere('o.customer_user_id = :customerUserId', { customerUserId: scope.customerUserId });
    const order = await qb.getOne();
    if (!order) throw new NotFoundError('Order', orderId);
    return order;
  }

  /** With the order locked: the one place a status changes. */
  async transition(manager: EntityManager, ctx: RequestContext | null, order: Order, to: OrderStatus, source: TransitionSource, options: TransitionOptions = {}): Promise<Order> {
    assertTransition(order.status, to, source);
    const from = order.status;
    const now = new Date();
    const changes: Partial<Order> = { ...options.patch, ...stampsFor(order, to, now), status: to, version: order.version + 1 };
    await manager.update(Order, { id: order.id }, changes);
    Object.assign(order, changes, { updatedAt: now });
    const note = options.note?.slice(0, 1000) ?? null;
    await manager.insert(OrderStatusHistory, { merchantId: order.merchantId, orderId: order.id, fromStatus: from, toStatus: to, source, note, actorId: options.actorId ?? actorOf(ctx) });
    if (ctx?.principal) {
      await this.audit.record(manager, ctx, { action: `order.${to}`, entityType: 'order', entityId: order.id, merchantId: order.merchantId, before: { status: from }, after: { status: to, ...(note ? { note } : {}) } });
    }
    const event = EVENT_OF[to];
    if (event) {
      const itemCount: number = await manager.count(OrderItem, { where: { orderId: order.id } });
      await this.outbox.publish(manager, event, this.eventPayload(order, from, source, note, itemCount));
    }
    return order;
  }

  /** A change of tracking data without a status change still leaves a trace in the history. */
  private async recordNote(manager: EntityManager, ctx: RequestContext | null, order: Order, source: TransitionSource, note: string, patch: Partial<Order>): Promise<void> {
    await manager.update(Order, { id: order.id }, { ...patch, version: order.version + 1 });
    Object.assign(order, patch, { version: order.version + 1 });
    await manager.insert(OrderStatusHistory, { merchantId: order.merchantId, orderId: order.id, fromStatus: order.status, toStatus: order.status, source, note: note.slice(0, 1000), actorId: actorOf(ctx) });
  }

  eventPayload(order: Order, from: OrderStatus | null, source: TransitionSource, note: string | null, itemCount: number): OrderEventPayload {
    return {
      merchant_id: order.merchantId,
      order_id: order.id,
      order_number: order.orderNumber,
      status: order.status,
      previous_status: from,
      source,
      note,
      currency: order.currency,
      amount_total_minor: order.amountTotal,
      refunded_amount_minor: order.refundedAmount,
      customer_user_id: order.customerUserId,
      customer_email: order.customerEmail,
      customer_name: order.customerName,
      item_count: itemCount,
      tracking_number: order.trackingNumber,
      carrier: order.carrier,
      tracking_url: order.trackingUrl,
      placed_at: order.createdAt.toISOString(),
      occurred_at: new Date().toISOString(),
    };
  }

  // --- merchant actions -----------------------------------------------------------------------

  async ship(
    ctx: RequestContext,
    merchantId: string | undefined,
    orderId: string,
    input: { tracking_number?: string; carrier?: string; tracking_url?: string; note?: string; create_logistics_shipment?: boolean },
  ): Promise<Order> {
    if (input.create_logistics_shipment) {
      // The shipping module's carrier integration plugs in here; without one we say so instead of faking a label.
      await this.dataSource.transaction((manager) => this.lock(manager, orderId, { merchantId }));
      throw new LogisticsUnavailableError();
    }
    if (!input.tracking_number || !input.carrier) {
      throw new ValidationError('tracking_number and carrier are required (or create_logistics_shipment: true)', {
        ...(input.tracking_number ? {} : { tracking_number: ['is required'] }),
        ...(input.carrier ? {} : { carrier: ['is required'] }),
      });
    }
    return this.dataSource.transaction(async (manager) => {
      const order = await this.lock(manager, orderId, { merchantId });
      return this.transition(manager, ctx, order, 'shipped', 'merchant', {
        note: input.note ?? `Shipped with ${input.carrier}, tracking ${input.tracking_number}`,
        patch: { trackingNumber: input.tracking_number, carrier: input.carrier, trackingUrl: input.tracking_url ?? null, labelState: order.labelState },
      });
    });
  }

  async updateShippingStatus(
    ctx: RequestContext,
    merchantId: string | undefined,
    orderId: string,
    input: { status: 'in_transit' | 'out_for_delivery' | 'failed' | 'returned'; note?: string; tracking_number?: string; carrier?: string },
  ): Promise<Order> {
    return this.dataSource.transaction(async (manager) => {
      const order = await this.lock(manager, orderId, { merchantId });
      const patch: Partial<Order> = {};
      if (input.tracking_number) patch.trackingNumber = input.tracking_number;
      if (input.carrier) patch.carrier = input.carrier;
      if (order.status === input.status && Object.keys(patch).length) {
        await this.recordNote(manager, ctx, order, 'merchant', input.note ?? 'Tracking details updated', patch);
        return order;
      }
      return this.transition(manager, ctx, order, input.status, 'merchant', { note: input.note, patch });
    });
  }

  async markDelivered(ctx: RequestContext, merchantId: string | undefined, orderId: string, note?: string): Promise<Order> {
    return this.dataSource.transaction(async (manager) => this.transition(manager, ctx, await this.lock(manager, orderId, { merchantId }), 'delivered', 'merchant', { note }));
  }

  async complete(ctx: RequestContext, merchantId: string | undefined, orderId: string, note?: string): Promise<Order> {
    return this.dataSource.transaction(async (manager) => this.transition(manager, ctx, await this.lock(manager, orderId, { merchantId }), 'completed', 'merchant', { note }));
  }

  /** Labels come from a logistics shipment; an order shipped by hand has none to refresh. */
  async refreshLabel(merchantId: string | undefined, orderId: string): Promise<Order> {
    const order = await this.dataSource.transaction((manager) => this.lock(manager, orderId, { merchantId }));
    if (!order.labelUrl) throw new LogisticsUnavailableError();
    return order;
  }

  cancelByMerchant(ctx: RequestContext, merchantId: string | undefined, orderId: string, reason?: string): Promise<Order> {
    return this.dataSource.transaction(async (manager) => this.cancelLocked(manager, ctx, await this.lock(manager, orderId, { merchantId }), 'merchant', reason ?? null));
  }

  cancelByCustomer(ctx: RequestContext, customerUserId: string, orderId: string, reason?: string): Promise<Order> {
    return this.dataSource.transaction(async (manager) => this.cancelLocked(manager, ctx, await this.lock(manager, orderId, { customerUserId }), 'customer', reason ?? null));
  }

  /**
   * With the order locked. An unpaid order gives its held stock back; a paid one puts the sold
   * units back on hand and is refunded in full by the payments module (RefundCancelledOrder,
   * published in this transaction: the refund is owed if and only if the cancel commits).
   */
  async cancelLocked(manager: EntityManager, ctx: RequestContext | null, order: Order, source: TransitionSource, reason: string | null): Promise<Order> {
    if (!CANCELLABLE_STATUSES.includes(order.status)) throw new InvalidOrderStateError(order.status, 'cancelled', source);
    assertTransition(order.status, 'cancelled', source);
    const paid = PAID_STATUSES.includes(order.status);
    if (paid) await this.restock(manager, ctx, order);
    else if (order.reservationId) await this.inventory.release(ctx, order.merchantId, { id: order.reservationId }, manager);
    const cancelled = await this.transition(manager, ctx, order, 'cancelled', source, {
      note: reason,
      patch: { cancelledBy: source, cancellationReason: reason?.slice(0, 500) ?? null },
    });
    if (paid) await this.outbox.publish(manager, Jobs.RefundCancelledOrder, { order_id: order.id, merchant_id: order.merchantId });
    return cancelled;
  }

  /** Puts the units of a paid (committed) order back on hand, as `return` movements. */
  private async restock(manager: EntityManager, ctx: RequestContext | null, order: Order): Promise<void> {
    if (!order.reservationId) return;
    const reservation = await this.inventory.reservationView(manager, order.merchantId, { id: order.reservationId });
    const tracked = reservation.lines.filter((l) => l.tracked);
    if (!tracked.length) return;
    await this.inventory.batchUpdate(
      ctx,
      order.merchantId,
      tracked.map((l) => ({ productId: l.product_id, variantId: l.variant_id, locationId: l.location_id, mode: 'adjust' as const, quantity: l.quantity, reason: `order ${order.orderNumber} cancelled` })),
      { manager, type: 'return' },
    );
  }

  // --- system and payment ---------------------------------------------------------------------

  /**
   * The reservation of an unpaid order ran out: the order is cancelled by the system. A paid
   * (or already cancelled) order is left alone, so a late or repeated event does nothing.
   */
  async expireUnpaid(orderId: string, merchantId: string): Promise<Order | null> {
    return this.dataSource.transaction(async (manager) => {
      const order = await this.lock(manager, orderId, { merchantId }).catch((err: unknown) => {
        if (err instanceof NotFoundError) return null; // a reservation that was not an order's
        throw err;
      });
      if (!order || (order.status !== 'pending' && order.status !== 'failed')) return null;
      return this.cancelLocked(manager, null, order, 'system', 'Payment not received before the reservation expired');
    });
  }

  /** Pending orders whose hold has run out (a safety net next to the reservation-expired event). */
  async dueForExpiry(limit: number): Promise<{ id: string; merchant_id: string }[]> {
    return this.dataSource.query(`SELECT id, merchant_id FROM orders WHERE status IN ('pending', 'failed') AND expires_at <= now() ORDER BY expires_at LIMIT $1`, [limit]);
  }

  /**
   * Payment captured: the order becomes paid and its held stock is sold, in the caller's
   * transaction (the payments module writes its payment record in the same one).
   */
  async markPaid(manager: EntityManager, order: Order, options: { actorId: string; note?: string; paymentIntentId?: string | null }): Promise<Order> {
    assertTransition(order.status, 'paid', 'payment');
    if (order.reservationId) await this.inventory.commit(null, order.merchantId, { id: order.reservationId }, manager);
    return this.transition(manager, null, order, 'paid', 'payment', {
      actorId: options.actorId,
      note: options.note ?? 'Payment received',
      patch: options.paymentIntentId ? { stripePaymentIntentId: options.paymentIntentId } : {},
    });
  }
}
