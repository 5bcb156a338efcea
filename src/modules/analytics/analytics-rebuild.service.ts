import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, QueryRunner } from 'typeorm';
import { isUuid, ValidationError } from '@app/common';
import { AnalyticsAnswerCache } from './analytics-answer-cache';
import { ROLLUP_CONSUMER, ROLLUP_LOCK_KEY } from './analytics-rollup.service';

export interface RebuildResult {
  merchant_id: string | null;
  daily_sales_rows: number;
  product_rows: number;
  customer_rows: number;
  transfer_rows: number;
  /** Order events already reflected in the rebuilt figures, claimed so that their consumer skips them. */
  events_claimed: number;
}

/** Runs an INSERT … SELECT and answers how many rows it wrote. */
async function inserted(runner: QueryRunner, sql: string, params: unknown[]): Promise<number> {
  const [{ n }]: { n: number }[] = await runner.query(`WITH written AS (${sql} RETURNING 1) SELECT count(*)::int AS n FROM written`, params);
  return n;
}

const scope = (column: string) => `($1::uuid IS NULL OR ${column} = $1::uuid)`;

/** The rollup tables, all keyed by merchant_id. */
export const ROLLUP_TABLES = ['merchant_daily_sales', 'merchant_daily_product_sales', 'merchant_customers', 'merchant_monthly_transfers'] as const;

/**
 * INSERT … SELECT statements that fill the rollups from orders, order_items and merchant_transfers
 * with the consumer's definitions; $1 is one merchant's id, or null for all. Run on emptied rows
 * (the rebuild deletes them first; the benchmark data generator uses them too).
 */
export const ROLLUP_REBUILD_SQL: readonly string[] = [
  // Each order by its placement day: created always; paid (with its line count) once paid_at is
  // stamped; cancelled once cancelled_at is; refunded only for paid orders refunded in full.
  `INSERT INTO merchant_daily_sales (merchant_id, day, currency, orders_placed, orders_paid, orders_cancelled, orders_refunded, items_sold, gross_paid, refunded)
   SELECT o.merchant_id, (o.created_at AT TIME ZONE 'UTC')::date, o.currency,
          count(*),
          count(*) FILTER (WHERE o.paid_at IS NOT NULL),
          count(*) FILTER (WHERE o.cancelled_at IS NOT NULL),
          count(*) FILTER (WHERE o.paid_at IS NOT NULL AND o.refunded_at IS NOT NULL),
          coalesce(sum(l.lines) FILTER (WHERE o.paid_at IS NOT NULL), 0),
          coalesce(sum(o.amount_total) FILTER (WHERE o.paid_at IS NOT NULL), 0),
          coalesce(sum(o.refunded_amount) FILTER (WHERE o.paid_at IS NOT NULL AND o.refunded_at IS NOT NULL), 0)
     FROM orders o
     LEFT JOIN (SELECT order_id, count(*) AS lines FROM order_items WHERE ${scope('merchant_id')} GROUP BY order_id) l ON l.order_id = o.id
    WHERE ${scope('o.merchant_id')}
    GROUP BY 1, 2, 3`,
  // Lines of paid orders not refunded in full (order.refunded takes an order's lines back).
  `INSERT INTO merchant_daily_product_sales (merchant_id, currency, day, product_id, product_name, quantity_sold, revenue, order_count)
   SELECT o.merchant_id, o.currency, (o.created_at AT TIME ZONE 'UTC')::date, i.product_id,
          (array_agg(i.product_name ORDER BY o.created_at DESC, i.position))[1], sum(i.quantity), sum(i.total), count(DISTINCT o.id)
     FROM orders o JOIN order_items i ON i.order_id = o.id
    WHERE o.paid_at IS NOT NULL AND o.refunded_at IS NULL AND ${scope('o.merchant_id')}
    GROUP BY 1, 2, 3, 4`,
  // Every paid order of the customer; what they spent less full refunds.
  `INSERT INTO merchant_customers (merchant_id, currency, customer_email, first_order_at, last_order_at, order_count, total_spent)
   SELECT o.merchant_id, o.currency, lower(o.customer_email), min(o.created_at), max(o.created_at), count(*),
          sum(o.amount_total) - coalesce(sum(o.refunded_amount) FILTER (WHERE o.refunded_at IS NOT NULL), 0)
     FROM orders o WHERE o.paid_at IS NOT NULL AND ${scope('o.merchant_id')}
    GROUP BY 1, 2, 3`,
  `INSERT INTO merchant_monthly_transfers (merchant_id, month, currency, status, transfer_count, gross_amount, refunded_amount, platform_fee, net_amount)
   SELECT merchant_id, date_trunc('month', created_at AT TIME ZONE 'UTC')::date, currency, status::text, count(*),
          sum(gross_amount), sum(refunded_amount), sum(platform_fee), sum(net_amount)
     FROM merchant_transfers WHERE ${scope('merchant_id')}
    GROUP BY 1, 2, 3, 4`,
];

/**
 * `analytics:rebuild`: recomputes the rollups of one store (or all) from orders, order_items and
 * merchant_transfers, with the same definitions as the order-events consumer
 * (AnalyticsRollupService), so running it changes no figure unless the rollups were wrong.
 *
 * Safe while the API and the worker run, and idempotent:
 * - it holds the rollup lock exclusively (session-level, taken before its transaction starts): the
 *   consumers wait before claiming an event, and none is half-applied;
 * - one REPEATABLE READ snapshot: an order change and its outbox row commit together, so an order
 *   event is either reflected in what it reads (and then claimed here, in processed_events, so the
 *   consumer skips it when it runs) or not yet visible (and then applied by the consumer later);
 * - merchant_transfers is locked in SHARE mode for the duration (payouts wait a moment), as its
 *   rollup is kept by a trigger that the advisory lock does not stop.
 */
@Injectable()
export class AnalyticsRebuildService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly answers: AnalyticsAnswerCache,
  ) {}

  async rebuild(merchantId?: string): Promise<RebuildResult> {
    if (merchantId !== undefined && !isUuid(merchantId)) throw new ValidationError('merchant_id: must be a UUID', { merchant_id: ['must be a UUID'] });
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.query(`SELECT pg_advisory_lock($1)`, [ROLLUP_LOCK_KEY]);
      try {
        await runner.startTransaction('REPEATABLE READ');
        try {
          const result = await this.recompute(runner, merchantId ?? null);
          await runner.commitTransaction();
          await this.answers.bump(merchantId);
          return result;
        } catch (err) {
          await runner.rollbackTransaction();
          throw err;
        }
      } finally {
        await runner.query(`SELECT pg_advisory_unlock($1)`, [ROLLUP_LOCK_KEY]);
      }
    } finally {
      await runner.release();
    }
  }

  private async recompute(runner: QueryRunner, merchantId: string | null): Promise<RebuildResult> {
    // Before the first query, which takes the snapshot.
    await runner.query(`LOCK TABLE merchant_transfers IN SHARE MODE`);
    const params = [merchantId];
    for (const table of ROLLUP_TABLES) await runner.query(`DELETE FROM ${table} WHERE ${scope('merchant_id')}`, params);
    const written: number[] = [];
    for (const sql of ROLLUP_REBUILD_SQL) written.push(await inserted(runner, sql, params));
    const [daily, products, customers, transfers] = written;
    const claimed = await inserted(
      runner,
      `INSERT INTO processed_events (consumer, event_id, event_name)
       SELECT $2, e.id::text, e.name FROM outbox_events e
        WHERE e.name LIKE 'order.%' AND ($1::uuid IS NULL OR e.payload->>'merchant_id' = $1::text)
       ON CONFLICT (consumer, event_id) DO NOTHING`,
      [merchantId, ROLLUP_CONSUMER],
    );
    return {
      merchant_id: merchantId,
      daily_sales_rows: daily,
      product_rows: products,
      customer_rows: customers,
      transfer_rows: transfers,
      events_claimed: claimed,
    };
  }
}
