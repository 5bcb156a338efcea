import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { formatMinor, isCurrencyCode, NotFoundError, ValidationError } from '@app/common';
import { AnalyticsAnswerCache } from './analytics-answer-cache';
import type { CustomersDto, FinancialDto, PlatformOverviewDto, SalesDto, TopProductsDto } from './dto/analytics.dto';

const DAY_MS = 86_400_000;
const TOP_CUSTOMERS = 10;

/** YYYY-MM-DD of a Date, in UTC. */
const isoDay = (d: Date): string => d.toISOString().slice(0, 10);

/** The last `days` UTC days, today included. */
export function dayWindow(days: number, now = new Date()): { start: string; end: string } {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return { start: isoDay(new Date(today - (days - 1) * DAY_MS)), end: isoDay(new Date(today)) };
}

/** A UTC month (YYYY-MM, default the current one): its first day, last day, and the first day of the next. */
export function monthWindow(month: string | undefined, now = new Date()): { month: string; start: string; end: string; next: string } {
  const [year, index] = month ? [Number(month.slice(0, 4)), Number(month.slice(5, 7)) - 1] : [now.getUTCFullYear(), now.getUTCMonth()];
  const first = new Date(Date.UTC(year, index, 1));
  const next = new Date(Date.UTC(year, index + 1, 1));
  return { month: isoDay(first).slice(0, 7), start: isoDay(first), end: isoDay(new Date(next.getTime() - DAY_MS)), next: isoDay(next) };
}

/** Integer minor units from pg (bigint sums arrive as strings; null when no row). */
const minor = (value: string | number | null | undefined): number => (value === null || value === undefined ? 0 : Number(value));

/**
 * The reporting queries. Each reads the rollups (merchant_daily_sales, merchant_daily_product_sales,
 * merchant_customers, merchant_monthly_transfers), never orders or their items: a few rows per day,
 * product or customer, whatever the number of orders. Money is summed in minor units of one
 * currency and formatted at the end. Answers read only from what the order-events consumer keeps
 * (sales, top products, customers) are cached until the store's figures change
 * (AnalyticsAnswerCache); financial and the platform overview also read the transfers, which the
 * consumer does not bump for, so they are computed every time (a few rows each).
 */
@Injectable()
export class AnalyticsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly answers: AnalyticsAnswerCache,
  ) {}

  /** The currency asked for, else the store's default currency; 404 for a store that does not exist. */
  async reportCurrency(merchantId: string, requested?: string): Promise<string> {
    if (requested !== undefined) return this.checkedCurrency(requested);
    const [row]: { default_currency: string }[] = await this.dataSource.query(`SELECT default_currency FROM merchants WHERE id = $1`, [merchantId]);
    if (!row) throw new NotFoundError('Merchant', merchantId);
    return row.default_currency;
  }

  checkedCurrency(requested: string): string {
    const code = requested.trim().toUpperCase();
    if (!isCurrencyCode(code)) throw new ValidationError(`currency: unknown currency ${JSON.stringify(requested)}`, { currency: ['must be an ISO 4217 currency code'] });
    return code;
  }

  sales(merchantId: string, currency: string, days: number): Promise<SalesDto> {
    const { start, end } = dayWindow(days);
    return this.answers.through(merchantId, `sales:${currency}:${start}:${end}`, () => this.computeSales(merchantId, currency, days));
  }

  private async computeSales(merchantId: string, currency: string, days: number): Promise<SalesDto> {
    const period = dayWindow(days);
    const rows: { day: string; revenue: string; orders: number }[] = await this.dataSource.query(
      `SELECT day::text AS day, gross_paid - refunded AS revenue, orders_paid - orders_refunded AS orders
         FROM merchant_daily_sales WHERE merchant_id = $1 AND currency = $2 AND day BETWEEN $3 AND $4`,
      [merchantId, currency, period.start, period.end],
    );
    const byDay = new Map(rows.map((r) => [r.day, r]));
    let revenue = 0;
    let orders = 0;
    const daily: SalesDto['daily_breakdown'] = [];
    const endMs = Date.parse(`${period.end}T00:00:00Z`);
    for (let i = 0; i < days; i++) {
      const date = isoDay(new Date(endMs - i * DAY_MS));
      const row = byDay.get(date);
      const dayRevenue = minor(row?.revenue);
      const dayOrders = row?.orders ?? 0;
      revenue += dayRevenue;
      orders += dayOrders;
      daily.push({ date, revenue: formatMinor(dayRevenue, currency), orders: dayOrders });
    }
    return {
      currency,
      total_revenue: formatMinor(revenue, currency),
      order_count: orders,
      avg_order_value: formatMinor(orders > 0 ? Math.round(revenue / orders) : 0, currency),
      period,
      daily_breakdown: daily,
    };
  }

  topProducts(merchantId: string, currency: string, days: number, limit: number): Promise<TopProductsDto> {
    const period = dayWindow(days);
    return this.answers.through(merchantId, `products/top:${currency}:${period.start}:${period.end}:${limit}`, () => this.computeTopProducts(merchantId, currency, period, limit));
  }

  private async computeTopProducts(merchantId: string, currency: string, period: { start: string; end: string }, limit: number): Promise<TopProductsDto> {
    const rows: { product_id: string; product_name: string; quantity_sold: string; revenue: string; order_count: string }[] = await this.dataSource.query(
      `WITH top AS (
         SELECT product_id, sum(quantity_sold) AS quantity_sold, sum(revenue) AS revenue, sum(order_count) AS order_count, max(day) AS last_day
           FROM merchant_daily_product_sales
          WHERE merchant_id = $1 AND currency = $2 AND day >= $3
          GROUP BY product_id HAVING sum(order_count) > 0
          ORDER BY revenue DESC, quantity_sold DESC, product_id LIMIT $4)
       SELECT top.product_id, top.quantity_sold, top.revenue, top.order_count, s.product_name
         FROM top JOIN merchant_daily_product_sales s ON s.merchant_id = $1 AND s.currency = $2 AND s.day = top.last_day AND s.product_id = top.product_id
        ORDER BY top.revenue DESC, top.quantity_sold DESC, top.product_id`,
      [merchantId, currency, period.start, limit],
    );
    return {
      currency,
      period,
      products: rows.map((r) => ({
        product_id: r.product_id,
        product_name: r.product_name,
        quantity_sold: Number(r.quantity_sold),
        revenue: formatMinor(minor(r.revenue), currency),
        order_count: Number(r.order_count),
      })),
    };
  }

  customers(merchantId: string, currency: string, days: number): Promise<CustomersDto> {
    const period = dayWindow(days);
    return this.answers.through(merchantId, `customers:${currency}:${period.start}:${period.end}`, () => this.computeCustomers(merchantId, currency, period));
  }

  private async computeCustomers(merchantId: string, currency: string, period: { start: string; end: string }): Promise<CustomersDto> {
    const since = `${period.start}T00:00:00Z`;
    const [[counts], top] = await Promise.all([
      this.dataSource.query(
        `SELECT count(*)::int AS total, (count(*) FILTER (WHERE first_order_at >= $3))::int AS new, (count(*) FILTER (WHERE order_count >= 2))::int AS repeat
           FROM merchant_customers WHERE merchant_id = $1 AND currency = $2 AND last_order_at >= $3`,
        [merchantId, currency, since],
      ) as Promise<{ total: number; new: number; repeat: number }[]>,
      this.dataSource.query(
        `SELECT customer_email, order_count, total_spent, first_order_at, last_order_at
           FROM merchant_customers WHERE merchant_id = $1 AND currency = $2 AND last_order_at >= $3
          ORDER BY total_spent DESC, customer_email LIMIT $4`,
        [merchantId, currency, since, TOP_CUSTOMERS],
      ) as Promise<{ customer_email: string; order_count: number; total_spent: string; first_order_at: Date; last_order_at: Date }[]>,
    ]);
    return {
      currency,
      period,
      total_customers: counts.total,
      new_customers: counts.new,
      repeat_customers: counts.repeat,
      repeat_rate: counts.total > 0 ? Math.round((counts.repeat / counts.total) * 10_000) / 10_000 : 0,
      top_customers: top.map((c) => ({
        customer_email: c.customer_email,
        order_count: c.order_count,
        total_spent: formatMinor(minor(c.total_spent), currency),
        first_order_date: isoDay(c.first_order_at),
        last_order_date: isoDay(c.last_order_at),
      })),
    };
  }

  async financial(merchantId: string, currency: string, month: string | undefined): Promise<FinancialDto> {
    const m = monthWindow(month);
    const [[sales], transfers] = await Promise.all([
      this.dataSource.query(
        `SELECT sum(gross_paid) AS gross, sum(refunded) AS refunded FROM merchant_daily_sales
          WHERE merchant_id = $1 AND currency = $2 AND day >= $3 AND day < $4`,
        [merchantId, currency, m.start, m.next],
      ) as Promise<{ gross: string | null; refunded: string | null }[]>,
      this.dataSource.query(
        `SELECT status, transfer_count, platform_fee, net_amount FROM merchant_monthly_transfers
          WHERE merchant_id = $1 AND month = $2 AND currency = $3`,
        [merchantId, m.start, currency],
      ) as Promise<{ status: string; transfer_count: number; platform_fee: string; net_amount: string }[]>,
    ]);
    const sum = (pick: (t: (typeof transfers)[number]) => number, statuses?: string[]) =>
      transfers.filter((t) => !statuses || statuses.includes(t.status)).reduce((total, t) => total + pick(t), 0);
    const gross = minor(sales?.gross);
    const refunds = minor(sales?.refunded);
    const fee = sum((t) => minor(t.platform_fee));
    const money = (value: number) => formatMinor(value, currency);
    return {
      month: m.month,
      currency,
      period: { start: m.start, end: m.end },
      gross_revenue: money(gross),
      refunds: money(refunds),
      platform_fee: money(fee),
      net_revenue: money(gross - refunds - fee),
      pending_transfers: money(sum((t) => minor(t.net_amount), ['scheduled', 'processing'])),
      completed_transfers: money(sum((t) => minor(t.net_amount), ['paid'])),
      transfer_count: sum((t) => t.transfer_count, ['scheduled', 'processing', 'paid', 'failed']),
    };
  }

  async platformOverview(currency: string, month: string | undefined): Promise<PlatformOverviewDto> {
    const m = monthWindow(month);
    const [[sales], [merchants], [fees]] = await Promise.all([
      this.dataSource.query(
        `SELECT sum(gross_paid) FILTER (WHERE currency = $3) AS gmv, coalesce(sum(orders_paid), 0)::int AS orders,
                (count(DISTINCT merchant_id) FILTER (WHERE orders_paid > 0))::int AS active
           FROM merchant_daily_sales WHERE day >= $1 AND day < $2`,
        [m.start, m.next, currency],
      ) as Promise<{ gmv: string | null; orders: number; active: number }[]>,
      this.dataSource.query(`SELECT count(*)::int AS created FROM merchants WHERE created_at >= $1 AND created_at < $2`, [`${m.start}T00:00:00Z`, `${m.next}T00:00:00Z`]) as Promise<
        { created: number }[]
      >,
      this.dataSource.query(`SELECT sum(platform_fee) AS fee FROM merchant_monthly_transfers WHERE month = $1 AND currency = $2`, [m.start, currency]) as Promise<
        { fee: string | null }[]
      >,
    ]);
    const money = (value: number) => formatMinor(value, currency);
    return {
      month: m.month,
      currency,
      period: { start: m.start, end: m.end },
      platform_gmv: money(minor(sales?.gmv)),
      total_orders: sales?.orders ?? 0,
      active_merchants: sales?.active ?? 0,
      new_merchants: merchants?.created ?? 0,
      platform_revenue: money(minor(fees?.fee)),
      subscription_mrr: money(0),
    };
  }
}
