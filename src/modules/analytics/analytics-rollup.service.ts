import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { type OrderEventPayload, preparedQuery } from '@app/common';
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

function nonZero(deltas: Partial<Record<Counter, number>>): [Counter, number][] {
  return Object.entries(deltas).filter(([, v]) => v !== 0) as [Counter, number][];
}

/** Adds counters to the day's row; parameters from $first: merchant, placed_at, currency, then one per counter. Reads one row FROM `source` when given (no row: nothing added). */
function countersUpsert(counters: [Counter, number][], first: number, source?: string): string {
  const columns = counters.map(([c]) => c);
  const values = [`$${first}::uuid`, `($${first + 1}::timestamptz AT TIME ZONE 'UTC')::date`, `$${first + 2}::char(3)`, ...columns.map((_, i) => `$${first + 3 + i}::bigint`)];
  return `INSERT INTO merchant_daily_sales (merchant_id, day, currency, ${columns.join(', ')})
          SELECT ${values.join(', ')}${source ? ` FROM ${source}` : ''}
          ON CONFLICT (merchant_id, day, currency) DO UPDATE SET
          ${columns.map((c) => `${c} = merchant_daily_sales.${c} + EXCLUDED.${c}`).join(', ')}, updated_at = now()`;
}

function countersValues(payload: OrderEventPayload, counters: [Counter, number][]): unknown[] {
  return [payload.merchant_id, payload.placed_at, payload.currency, ...counters.map(([, v]) => v)];
}

/**
 * Rolls order events into the analytics tables, once per event (consume):
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

  /**
   * Applies the event once, then marks the store's cached answers out of date. Most events add to
   * one row of counters: the lock, the claim and the counters are then one statement (a transaction
   * of its own, one round trip). order.paid and order.refunded write more rows, in a transaction.
   */
  async consume(eventId: string, event: string, payload: OrderEventPayload): Promise<boolean> {
    const applied =
      event === 'order.paid' || event === 'order.refunded'
        ? await this.dataSource.transaction((manager) => this.applyOnce(manager, eventId, event, payload))
        : await this.claim(this.dataSource.manager, eventId, event, payload, deltasOf(event, payload));
    if (applied) await this.answers.bump(payload.merchant_id);
    return applied;
  }

  /** In the caller's transaction: claims the event and applies it; a redelivered event finds its claim and does nothing. */
  private async applyOnce(manager: EntityManager, eventId: string, event: string, payload: OrderEventPayload): Promise<boolean> {
    const refund = event === 'order.refunded';
    // A refund counts only when the order was paid, which is read once the event is claimed.
    if (!(await this.claim(manager, eventId, event, payload, refund ? {} : deltasOf(event, payload)))) return false;
    if (refund) {
      if (!(await this.wasPaid(manager, payload))) return true;
      await this.addCounters(manager, payload, deltasOf(event, payload));
      await this.addProductLines(manager, payload, -1);
      await manager.query(
        `UPDATE merchant_customers SET total_spent = total_spent - $4, updated_at = now()
          WHERE merchant_id = $1 AND currency = $2 AND customer_email = lower($3)`,
        [payload.merchant_id, payload.currency, payload.customer_email, payload.refunded_amount_minor],
      );
    } else if (event === 'order.paid') {
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
    }
    return true;
  }

  /**
   * One statement: takes the rollup lock (shared, to the end of the transaction: the statement's
   * own when there is none), claims the event and, when the claim is new, adds `deltas` to the
   * day's counters. Returns whether the claim is new. The text depends only on which counters
   * change, so it is a prepared statement.
   */
  private async claim(manager: EntityManager, eventId: string, event: string, payload: OrderEventPayload, deltas: Partial<Record<Counter, number>>): Promise<boolean> {
    const counters = nonZero(deltas);
    const [row] = await preparedQuery<{ claimed: number }>(
      manager,
      `WITH locked AS MATERIALIZED (SELECT pg_advisory_xact_lock_shared(${ROLLUP_LOCK_KEY}::bigint)),
       claimed AS (
         INSERT INTO processed_events (consumer, event_id, event_name) SELECT $1::varchar, $2::varchar, $3::varchar FROM locked
         ON CONFLICT (consumer, event_id) DO NOTHING RETURNING 1)
       ${counters.length ? `, counted AS (${countersUpsert(counters, 4, 'claimed')})` : ''}
       SELECT count(*)::int AS claimed FROM claimed`,
      [ROLLUP_CONSUMER, eventId, event, ...(counters.length ? countersValues(payload, counters) : [])],
    );
    return row.claimed > 0;
  }

  private async addCounters(manager: EntityManager, payload: OrderEventPayload, deltas: Partial<Record<Counter, number>>): Promise<void> {
    const counters = nonZero(deltas);
    if (counters.length) await manager.query(countersUpsert(counters, 1), countersValues(payload, counters));
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
