import { Agent } from 'node:http';
import { holds } from '../lib/budget';
import { postJson } from '../lib/post-load';
import { checkoutBody, setStock, stockedVariants } from './checkout-common';
import { BenchContext, Scenario, ScenarioResult } from './scenario';

const BUYERS = 50;
const UNITS = 10;
const ROUNDS = 3;

/**
 * 50 buyers race for the last 10 units of an item (all 50 checkouts sent at once to the API):
 * exactly 10 orders may exist afterwards, counted in the database, with the level at 10 on hand and
 * 10 reserved; the other 40 buyers get 409 ERR_OUT_OF_STOCK. Three rounds, a different item each.
 */
export const checkoutRace: Scenario = {
  name: 'checkout-race',
  summary: `${BUYERS} buyers racing for ${UNITS} units through POST /api/public/checkout: exactly ${UNITS} orders (checked in the database)`,
  requiresTables: ['orders', 'payments', 'test_payment_sessions'],
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const ours = await ctx.api();
    const url = new URL('/api/public/checkout', ours.baseUrl);
    // Different items from the checkout scenario's (which uses the first 503 of the same order).
    const items = await stockedVariants(ctx, ROUNDS, 1_000);
    const rounds = [];
    for (const [i, item] of items.entries()) {
      await setStock(ctx, [item], UNITS);
      const startedAt = (await ctx.db.query<{ now: Date }>(`SELECT now()`)).rows[0].now;
      const agent = new Agent({ keepAlive: true, maxSockets: BUYERS });
      const started = performance.now();
      const answers = await Promise.all(Array.from({ length: BUYERS }, (_, n) => postJson(agent, url, checkoutBody(ctx.dataset.store.id, 900_000 + i * BUYERS + n, [item])).catch((err: Error) => ({ status: 0, body: String(err), ms: 0 }))));
      const ms = performance.now() - started;
      agent.destroy();
      const created = answers.filter((a) => a.status === 201).length;
      const outOfStock = answers.filter((a) => a.status === 409 && a.body.includes('ERR_OUT_OF_STOCK')).length;
      const other = answers.filter((a) => a.status !== 201 && !(a.status === 409 && a.body.includes('ERR_OUT_OF_STOCK')));
      const [db] = (
        await ctx.db.query<{ orders: number; on_hand: number; reserved: number }>(
          `SELECT (SELECT count(DISTINCT i.order_id)::int FROM order_items i JOIN orders o ON o.id = i.order_id WHERE i.variant_id = $1 AND o.created_at >= $2) AS orders,
                  l.on_hand, l.reserved FROM inventory_levels l WHERE l.id = $3`,
          [item.variantId, startedAt, item.levelId],
        )
      ).rows;
      const pass = created === UNITS && outOfStock === BUYERS - UNITS && db.orders === UNITS && db.on_hand === UNITS && db.reserved === UNITS;
      if (other.length) ctx.log(`checkout-race round ${i + 1}: unexpected answers, first: ${other[0].status} ${other[0].body.slice(0, 300)}`);
      ctx.log(`checkout-race round ${i + 1}: ${created} created, ${outOfStock} out of stock, ${other.length} other; database: ${db.orders} orders, on_hand ${db.on_hand}, reserved ${db.reserved} · ${Math.round(ms)} ms`);
      rounds.push({ created_201: created, out_of_stock_409: outOfStock, other: other.length, orders_in_db: db.orders, on_hand: db.on_hand, reserved: db.reserved, ms: Math.round(ms), pass });
    }
    return {
      figures: { buyers: BUYERS, units: UNITS, rounds },
      budget: [holds('exactly_10_orders_every_round', rounds.every((r) => r.pass))],
    };
  },
};
