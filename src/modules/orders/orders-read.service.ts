import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, EntityManager, In, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { formatMinor, isUuid, NotFoundError, PageRequest, toPage } from '@app/common';
import { MerchantOrderQueryDto, OrderDto, OrderPageDto, OrderSortField, StatusHistoryDto, StatusHistoryEntryDto, TrackingDto } from './dto/order.dto';
import { OrderItem } from './entities/order-item.entity';
import { EXACT_TOTAL_UP_TO, SEARCH_FIRST_ROWS } from './order-list-total';
import { OrderStatusHistory } from './entities/order-status-history.entity';
import { Order, OrderStatus } from './entities/order.entity';

const SORT_COLUMNS: Record<OrderSortField, string> = {
  created_at: 'o.createdAt',
  amount_total: 'o.amountTotal',
  order_number: 'o.orderNumber',
  status: 'o.status',
  updated_at: 'o.updatedAt',
  customer_email: 'o.customerEmail',
  customer_name: 'o.customerName',
};

/** The statuses a shipment moves through: what tracking shows. */
const SHIPPING_STATUSES: readonly OrderStatus[] = ['shipped', 'in_transit', 'out_for_delivery', 'delivered', 'failed', 'returned'];

const iso = (d: Date | null): string | null => d?.toISOString() ?? null;

export function orderView(o: Order, items: OrderItem[]): OrderDto {
  const money = (minor: number) => formatMinor(minor, o.currency);
  return {
    id: o.id,
    order_number: o.orderNumber,
    merchant_id: o.merchantId,
    customer_user_id: o.customerUserId,
    customer_email: o.customerEmail,
    customer_name: o.customerName,
    status: o.status,
    version: o.version,
    subtotal: money(o.subtotal),
    shipping_fee: money(o.shippingFee),
    tax_amount: money(o.taxAmount),
    amount_total: money(o.amountTotal),
    refunded_amount: money(o.refundedAmount),
    prices_include_tax: o.pricesIncludeTax,
    currency: o.currency,
    payment_provider: o.paymentProvider,
    stripe_payment_intent_id: o.stripePaymentIntentId,
    checkout_url: o.status === 'pending' || o.status === 'failed' ? o.checkoutUrl : null,
    tracking_number: o.trackingNumber,
    carrier: o.carrier,
    tracking_url: o.trackingUrl,
    label_url: o.labelUrl,
    label_state: o.labelState,
    shipping_address: o.shippingAddress,
    shipping_rate_id: o.shippingRateId,
    items: items.map((i) => ({
      product_id: i.productId,
      variant_id: i.variantId,
      product_name: i.productName,
      sku: i.sku,
      quantity: i.quantity,
      price: money(i.unitPrice),
      total: money(i.total),
      variant_attributes: i.variantAttributes,
      image_url: i.imageUrl,
    })),
    utm_source: o.utmSource,
    utm_medium: o.utmMedium,
    utm_campaign: o.utmCampaign,
    utm_term: o.utmTerm,
    utm_content: o.utmContent,
    gclid: o.gclid,
    expires_at: o.expiresAt.toISOString(),
    paid_at: iso(o.paidAt),
    shipped_at: iso(o.shippedAt),
    delivered_at: iso(o.deliveredAt),
    completed_at: iso(o.completedAt),
    cancelled_at: iso(o.cancelledAt),
    cancelled_by: o.cancelledBy,
    cancellation_reason: o.cancellationReason,
    refunded_at: iso(o.refundedAt),
    created_at: o.createdAt.toISOString(),
    updated_at: o.updatedAt.toISOString(),
  };
}

const historyEntry = (h: OrderStatusHistory): StatusHistoryEntryDto => ({
  from_status: h.fromStatus,
  to_status: h.toStatus,
  source: h.source,
  note: h.note,
  timestamp: h.createdAt.toISOString(),
});

/** The start of an order number (ORD-YYYYMMDD-NNNN), in any case: "ORD-2026", "ord-20261202-00". */
const ORDER_NUMBER_START = /^ord-[\d-]*$/i;

/** Escapes LIKE wildcards so a search for "50%" means the characters. */
const likePattern = (term: string) => `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Order reads: a page is at most four statements (orders, their items, and on a page that is not
 * the last one a capped count and, past the cap, an estimate) whatever its size; a search whose
 * matches lie far down the list reads its orders twice (searchPage).
 * `merchantId` undefined is an admin across merchants; a customer's reads are scoped by user id.
 */
@Injectable()
export class OrdersReadService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async withItems(orders: Order[], manager: EntityManager = this.dataSource.manager): Promise<OrderDto[]> {
    if (!orders.length) return [];
    const items = await manager.find(OrderItem, { where: { orderId: In(orders.map((o) => o.id)) }, order: { orderId: 'ASC', position: 'ASC' } });
    const byOrder = new Map<string, OrderItem[]>();
    for (const item of items) byOrder.set(item.orderId, [...(byOrder.get(item.orderId) ?? []), item]);
    return orders.map((o) => orderView(o, byOrder.get(o.id) ?? []));
  }

  async view(order: Order, manager?: EntityManager): Promise<OrderDto> {
    return (await this.withItems([order], manager))[0];
  }

  async merchantList(merchantId: string | undefined, query: MerchantOrderQueryDto, page: PageRequest): Promise<OrderPageDto> {
    const qb = this.dataSource.manager.createQueryBuilder(Order, 'o');
    const statuses = query.status ? [...new Set(query.status.split(','))] : [];
    if (merchantId !== undefined) qb.where('o.merchant_id = :merchantId', { merchantId });
    if (statuses.length) qb.andWhere('o.status IN (:...statuses)', { statuses });
    if (query.start_date) qb.andWhere('o.created_at >= :start', { start: `${query.start_date}T00:00:00Z` });
    if (query.end_date) qb.andWhere(`o.created_at < (:end::date + 1)::timestamptz`, { end: query.end_date });
    const unsearched = qb.clone();
    const term = query.search?.trim();
    if (term !== undefined) this.search(qb, term);
    const direction = query.sort_order?.toLowerCase() === 'asc' ? 'ASC' : 'DESC';
    const matching = qb.clone();
    const sortBy = query.sort_by ?? 'created_at';
    const sortColumn = SORT_COLUMNS[sortBy];
    // Several statuses by date: the first `rows` of each status, merged (mergeStatusScans).
    const merged = (list: SelectQueryBuilder<Order>, rows: number) =>
      merchantId !== undefined && statuses.length > 1 && sortColumn === SORT_COLUMNS.created_at ? this.mergeStatusScans(list, statuses, direction, rows) : list;
    const sorted = (list: SelectQueryBuilder<Order>) => list.orderBy(sortColumn, direction).addOrderBy('o.id', direction);
    // One row more than the page says whether there is a next page without counting.
    const rows = term !== undefined
      ? await this.searchPage(sorted(qb), sorted(merged(unsearched, SEARCH_FIRST_ROWS)), term, sortBy, direction, page)
      : await sorted(merged(qb, page.offset + page.limit + 1)).skip(page.offset).take(page.limit + 1).getMany();
    const orders = rows.slice(0, page.limit);
    const hasNext = rows.length > page.limit;
    const onLastPage = !hasNext && (orders.length > 0 || page.offset === 0);
    const { total, exact } = onLastPage ? { total: page.offset + orders.length, exact: true } : await this.countMatching(matching);
    return { ...toPage(await this.withItems(orders), total, page), has_next: hasNext, total_exact: exact };
  }

  /**
   * A search's page, looked for first among the list's first SEARCH_FIRST_ROWS orders without the
   * term: the walk down the sort's index PostgreSQL would choose, stopped once the page's rows are
   * found, but never longer than that. When fewer match there, the matches are sparse at the top
   * of the list (a customer who last ordered long ago), and PostgreSQL's own walk would read the
   * store's whole history to find them (800 ms behind 250,000 newer orders: bench/RESULTS.md):
   * they are gathered from the search index instead, and sorted.
   */
  private async searchPage(
    searched: SelectQueryBuilder<Order>,
    unsearched: SelectQueryBuilder<Order>,
    term: string,
    sortBy: OrderSortField,
    direction: 'ASC' | 'DESC',
    page: PageRequest,
  ): Promise<Order[]> {
    const rows = page.offset + page.limit + 1;
    // What the search reads, and the sort, of the first rows; searched lazily, in order.
    const first = unsearched
      .select('o.id', 'id')
      .addSelect('o.order_number', 'order_number')
      .addSelect('o.customer_email', 'customer_email')
      .addSelect('o.customer_name', 'customer_name')
      .addSelect(`o.${sortBy}`, 'sort_value')
      .limit(SEARCH_FIRST_ROWS);
    const found = this.dataSource.createQueryBuilder().select('o.id').from(`(${first.getQuery()})`, 'o').setParameters(first.getParameters());
    this.search(found, term);
    found.orderBy('o.sort_value', direction).addOrderBy('o.id', direction).limit(rows);
    const atTop = await searched.clone().andWhere(`o.id IN (${found.getQuery()})`, found.getParameters()).offset(page.offset).limit(page.limit + 1).getMany();
    if (atTop.length > page.limit) return atTop;
    const matches = searched.clone().select('o.id', 'id').addSelect(`o.${sortBy}`, 'sort_value').orderBy();
    return searched
      .clone()
      .addCommonTableExpression(matches, 'matches', { materialized: true })
      .andWhere(`o.id IN (SELECT m.id FROM matches m ORDER BY m.sort_value ${direction}, m.id ${direction} LIMIT ${rows})`)
      .offset(page.offset)
      .limit(page.limit + 1)
      .getMany();
  }

  /**
   * Limits a page of several statuses by date to the first `rows` orders of each status, each read
   * in order from idx_orders_merchant_status_created_id and stopped there: the page is among them.
   * Otherwise PostgreSQL walks the store's date index and skips every newer order of another
   * status; behind a flood of unpaid checkouts that was seconds per page (bench/RESULTS.md).
   */
  private mergeStatusScans(qb: SelectQueryBuilder<Order>, statuses: string[], direction: 'ASC' | 'DESC', rows: number): SelectQueryBuilder<Order> {
    const ofStatus = qb.clone().select('o.id', 'id').andWhere('o.status = s.status').orderBy('o.created_at', direction).addOrderBy('o.id', direction).limit(rows);
    return qb.andWhere(`o.id IN (SELECT per_status.id FROM unnest(ARRAY[:...scannedStatuses]::order_status[]) AS s(status) CROSS JOIN LATERAL (${ofStatus.getQuery()}) AS per_status)`, {
      scannedStatuses: statuses,
    });
  }

  /**
   * Orders matching a list's filters: exact up to EXACT_TOTAL_UP_TO, else PostgreSQL's estimate
   * (never below the cap). An exact count of a large store's orders costs a scan of all of them on
   * every page (~0.4 CPU-seconds at 1M orders); the capped count reads at most the cap's worth of
   * index entries, and the estimate is one EXPLAIN.
   */
  private async countMatching(matching: SelectQueryBuilder<Order>): Promise<{ total: number; exact: boolean }> {
    const [sql, parameters] = matching.select('1').getQueryAndParameters();
    const [{ n }]: { n: number }[] = await this.dataSource.query(`SELECT count(*)::int AS n FROM (${sql} LIMIT ${EXACT_TOTAL_UP_TO + 1}) capped`, parameters);
    if (n <= EXACT_TOTAL_UP_TO) return { total: n, exact: true };
    const [explained]: { 'QUERY PLAN': { Plan: { 'Plan Rows': number } }[] }[] = await this.dataSource.query(`EXPLAIN (FORMAT JSON) ${sql}`, parameters);
    return { total: Math.max(Math.round(explained['QUERY PLAN'][0].Plan['Plan Rows']), EXACT_TOTAL_UP_TO + 1), exact: false };
  }

  private search<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, term: string): void {
    qb.andWhere(
      new Brackets((w) => {
        // Numbers are ORD-YYYYMMDD-NNNN: a term shaped like their start matches only from their first
        // character, so it is a prefix range on idx_orders_merchant_number_prefix; trigrams would
        // recheck every number of the month (bench/RESULTS.md).
        if (ORDER_NUMBER_START.test(term)) w.where('o.order_number LIKE :numberPrefix', { numberPrefix: `${term.toUpperCase()}%` });
        else w.where('o.order_number ILIKE :pattern');
        w.orWhere('o.customer_email ILIKE :pattern', { pattern: likePattern(term) }).orWhere('o.customer_name ILIKE :pattern');
        if (isUuid(term)) w.orWhere('o.id = :exactId', { exactId: term });
      }),
    );
  }

  async merchantOrder(merchantId: string | undefined, orderId: string): Promise<OrderDto> {
    return this.view(await this.find(orderId, { merchantId }));
  }

  /** A customer's own orders: few enough to count exactly. */
  async customerList(customerUserId: string, status: OrderStatus | undefined, page: PageRequest): Promise<OrderPageDto> {
    const [orders, total] = await this.dataSource.manager.findAndCount(Order, {
      where: { customerUserId, ...(status ? { status } : {}) },
      order: { createdAt: 'DESC', id: 'DESC' },
      skip: page.offset,
      take: page.limit,
    });
    return { ...toPage(await this.withItems(orders), total, page), total_exact: true };
  }

  async customerOrder(customerUserId: string, orderId: string): Promise<OrderDto> {
    return this.view(await this.find(orderId, { customerUserId }));
  }

  async history(scope: { merchantId?: string; customerUserId?: string }, orderId: string): Promise<StatusHistoryDto> {
    const order = await this.find(orderId, scope);
    const rows = await this.dataSource.manager.find(OrderStatusHistory, { where: { orderId: order.id }, order: { createdAt: 'ASC', id: 'ASC' } });
    return { order_id: order.id, status: order.status, history: rows.map(historyEntry) };
  }

  /** Shipping events of an order, for its customer, its merchant or an admin. */
  async tracking(scope: { merchantId?: string; customerUserId?: string }, orderId: string): Promise<TrackingDto> {
    const order = await this.find(orderId, scope);
    const rows = await this.dataSource.manager.find(OrderStatusHistory, { where: { orderId: order.id, toStatus: In([...SHIPPING_STATUSES]) }, order: { createdAt: 'ASC', id: 'ASC' } });
    return {
      order_id: order.id,
      order_number: order.orderNumber,
      status: order.status,
      tracking_number: order.trackingNumber,
      carrier: order.carrier,
      tracking_url: order.trackingUrl,
      events: rows.map(historyEntry),
    };
  }

  async find(orderId: string, scope: { merchantId?: string; customerUserId?: string }): Promise<Order> {
    if (!isUuid(orderId)) throw new NotFoundError('Order', String(orderId).slice(0, 64));
    const order = await this.dataSource.manager.findOneBy(Order, {
      id: orderId,
      ...(scope.merchantId !== undefined ? { merchantId: scope.merchantId } : {}),
      ...(scope.customerUserId !== undefined ? { customerUserId: scope.customerUserId } : {}),
    });
    if (!order) throw new NotFoundError('Order', orderId);
    return order;
  }
}
