import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { claimEvent, type OrderEventPayload } from '@app/common';
import { AnalyticsAnswerCache } from './analytics-answer-cache';

type Counter = 'orders_placed' | 'orders_paid' | 'orders_cancelled' | 'orders_refunded' | 'items_sold' | 'gross_paid' | 'refunded';

/** The consumer name under which order events are claimed for the rollups (processed_events). */
export const ROLLUP_CONSUMER = 'analytics.order-rollup';

/**
 * Every rollup writer holds this advisory lock (shared) from before it claims an event to its
 * commit; analytics:rebuild holds it exclusively, so it sees no half-applied event and no event is
 * claimed while it recomputes.
 */
export const ROLLUP_LOCK_KEY = 732_450_114;

/** What each order event adds to the day's row (the day of the order's placement, UTC). */
function deltasOf(event: string, p: OrderEventPayload): Partial<Record<Counter, number>> {
  switch (event) {
    case 'order.created':
      return { orders_placed: 1 };
    case 'order.paid':
      return { orders_paid: 1, gross_paid: p.amount_total_minor, items_sold: p.item_count };
    case 'order.cancelled':
      return { orders_cancelled: 1 };
    case 'order.refunded':
      return { orders_refunded: 1, refunded: p.refunded_amount_minor };
    default:
      return {};
  }
}

/**
 * Rolls order events into the analytics tables, in the consumer's transaction, once per event:
 *
 * - merchant_daily_sales: counters per merchant, placement day and currency;
 * - merchant_daily_product_sales: order.paid adds the order's lines per product, order.refunded
 *   takes them back (one query on order_items per event);
 * - merchant_customers: order.paid counts the order for its customer (by email), order.refunded
 *   takes the refund off what they spent.
 *
 * An order.refunded of an order that was never paid (a late payment for a cancelled order, refunded
 * at once) is no sale: the rollups skip it.
 */
@Injectable()
export class AnalyticsRollupService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly answers: AnalyticsAnswerCache,
  ) {}

  /** applyOnce in a transaction of its own; after its commit, the store's cached answers are out of date. */
  async consume(eventId: string, event: string, payload: OrderEventPayload): Promise<boolean> {
    const applied = await this.dataSource.transaction((manager) => this.applyOnce(manager, eventId, event, payload));
    if (applied) await this.answers.bump(payload.merchant_id);
    return applied;
  }

  /** Claims the event for the rollups and applies it; a redelivered event finds its claim and does nothing. */
  async applyOnce(manager: EntityManager, eventId: string, event: string, payload: OrderEventPayload): Promise<boolean> {
    await manager.query(`SELECT pg_advisory_xact_lock_shared($1)`, [ROLLUP_LOCK_KEY]);
    if (!(await claimEvent(manager, ROLLUP_CONSUMER, eventId, event))) return false;
    await this.applyOrderEvent(manager, event, payload);
    return true;
  }

  async applyOrderEvent(manager: EntityManager, event: string, payload: OrderEventPayload): Promise<void> {
    if (event === 'order.refunded' && !(await this.wasPaid(manager, payload))) return;
    const deltas = Object.entries(deltasOf(event, payload)).filter(([, v]) => v !== 0) as [Counter, number][];
    if (deltas.length) {
      const columns = deltas.map(([c]) => c);
      await manager.query(
        `INSERT INTO merchant_daily_sales (merchant_id, day, currency, ${columns.join(', ')})
         VALUES ($1, ($2::timestamptz AT TIME ZONE 'UTC')::date, $3, ${columns.map((_, i) => `$${i + 4}`).join(', ')})
         ON CONFLICT (merchant_id, day, currency) DO UPDATE SET
         ${columns.map((c) => `${c} = merchant_daily_sales.${c} + EXCLUDED.${c}`).join(', ')}, updated_at = now()`,
        [payload.merchant_id, payload.placed_at, payload.currency, ...deltas.map(([, v]) => v)],
      );
    }
    if (event === 'order.paid') {
      await this.addProductLines(manager, payload, 1);
      await manager.query(
        `INSERT INTO merchant_customers (merchant_id, currency, customer_email, first_order_at, last_order_at, order_count, total_spent)
         VALUES ($1, $2, lower($3), $4, $4, 1, $5)
         ON CONFLICT (merchant_id, currency, customer_email) DO UPDATE SET
           first_order_at = least(merchant_customers.first_order_at, EXCLUDED.first_order_at),
           last_order_at = greatest(merchant_customers.last_order_at, EXCLUDED.last_order_at),
           order_count = merchant_customers.order_count + 1,
           total_spent = merchant_customers.total_spent + EXCLUDED.total_spent,
           updated_at = now()`,
        [payload.merchant_id, payload.currency, payload.customer_email, payload.placed_at, payload.amount_total_minor],
      );
    } else if (event === 'order.refunded') {
      await this.addProductLines(manager, payload, -1);
      await manager.query(
        `UPDATE merchant_customers SET total_spent = total_spent - $4, updated_at = now()
          WHERE merchant_id = $1 AND currency = $2 AND customer_email = lower($3)`,
        [payload.merchant_id, payload.currency, payload.customer_email, payload.refunded_amount_minor],
      );
    }
  }

  private async wasPaid(manager: EntityManager, payload: OrderEventPayload): Promise<boolean> {
    const rows: unknown[] = await manager.query(`SELECT 1 FROM orders WHERE id = $1 AND merchant_id = $2 AND paid_at IS NOT NULL`, [payload.order_id, payload.merchant_id]);
    return rows.length > 0;
  }

  /** The order's lines per product, added (sign 1) or taken back (-1); rows locked in product order, so concurrent consumers cannot deadlock. */
  private async addProductLines(manager: EntityManager, payload: OrderEventPayload, sign: 1 | -1): Promise<void> {
    await manager.query(
      `INSERT INTO merchant_daily_product_sales (merchant_id, currency, day, product_id, product_name, quantity_sold, revenue, order_count)
       SELECT $1, $2, ($3::timestamptz AT TIME ZONE 'UTC')::date, i.product_id, (array_agg(i.product_name ORDER BY i.position))[1],
              $5::int * sum(i.quantity), $5::int * sum(i.total), $5::int
         FROM order_items i WHERE i.order_id = $4 AND i.merchant_id = $1
        GROUP BY i.product_id ORDER BY i.product_id
       ON CONFLICT (merchant_id, currency, day, product_id) DO UPDATE SET
         quantity_sold = merchant_daily_product_sales.quantity_sold + EXCLUDED.quantity_sold,
         revenue = merchant_daily_product_sales.revenue + EXCLUDED.revenue,
         order_count = merchant_daily_product_sales.order_count + EXCLUDED.order_count,
         product_name = CASE WHEN $5::int > 0 THEN EXCLUDED.product_name ELSE merchant_daily_product_sales.product_name END,
         updated_at = now()`,
      [payload.merchant_id, payload.currency, payload.placed_at, payload.order_id, sign],
    );
  }
}
