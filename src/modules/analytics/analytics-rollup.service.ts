import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { OrderEventPayload } from '@app/common';

type Counter = 'orders_placed' | 'orders_paid' | 'orders_cancelled' | 'items_sold' | 'gross_paid' | 'refunded';

/** What each order event adds to the day's row. */
function deltasOf(event: string, p: OrderEventPayload): Partial<Record<Counter, number>> {
  switch (event) {
    case 'order.created':
      return { orders_placed: 1 };
    case 'order.paid':
      return { orders_paid: 1, gross_paid: p.amount_total_minor, items_sold: p.item_count };
    case 'order.cancelled':
      return { orders_cancelled: 1 };
    case 'order.refunded':
      return { refunded: p.refunded_amount_minor };
    default:
      return {};
  }
}

/**
 * Rolls order events into merchant_daily_sales. The caller claims the event in the same
 * transaction (claimEvent), so a redelivered event is never counted twice.
 */
@Injectable()
export class AnalyticsRollupService {
  async applyOrderEvent(manager: EntityManager, event: string, payload: OrderEventPayload): Promise<void> {
    const deltas = Object.entries(deltasOf(event, payload)).filter(([, v]) => v !== 0) as [Counter, number][];
    if (!deltas.length) return;
    const columns = deltas.map(([c]) => c);
    await manager.query(
      `INSERT INTO merchant_daily_sales (merchant_id, day, currency, ${columns.join(', ')})
       VALUES ($1, ($2::timestamptz AT TIME ZONE 'UTC')::date, $3, ${columns.map((_, i) => `$${i + 4}`).join(', ')})
       ON CONFLICT (merchant_id, day, currency) DO UPDATE SET
       ${columns.map((c) => `${c} = merchant_daily_sales.${c} + EXCLUDED.${c}`).join(', ')}, updated_at = now()`,
      [payload.merchant_id, payload.placed_at, payload.currency, ...deltas.map(([, v]) => v)],
    );
  }
}
