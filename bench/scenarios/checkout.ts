import { atLeast, below, BUDGET, holds } from '../lib/budget';
import { round } from '../lib/load';
import { postFigures, PostLoadFigures, runPostLoad } from '../lib/post-load';
import { RssSampler } from '../lib/processes';
import { checkoutBody, setStock, stockedVariants, StockedVariant } from './checkout-common';
import { BenchContext, HttpServer, Scenario, ScenarioResult } from './scenario';

/** Items of the spread phases (each order takes two of them) and of the contended ones (two of three). */
const SPREAD_ITEMS = 500;
const HOT_ITEMS = 3;
/** Stock of every item used: far more than a run can sell, so no phase runs out. */
const STOCK = 1_000_000;
const BUYERS = [1, 8, 20] as const;
/** Idle time before each measured phase. */
const SETTLE_MS = 2_000;

type Contention = 'spread' | 'hot';

interface Phase {
  contention: Contention;
  buyers: number;
  ours: PostLoadFigures;
  floor: PostLoadFigures;
  ratio_to_floor: number;
}

/**
 * Checkout: a buyer's two lines become a pending order with its stock reserved and a payment
 * session opened with the test provider (POST /api/public/checkout), against the floor's POST
 * /checkout doing the same writes in plain SQL in one transaction (bench/floor-orders.ts).
 * Closed loops of 1, 8 and 20 buyers, each sending its next checkout when the last one answered;
 * over 500 items (no contention) and over 3 hot items (every checkout waits for the same row
 * locks). Floor and ours alternate per phase; the items' stock is reset before each.
 */
export const checkout: Scenario = {
  name: 'checkout',
  summary: 'POST /api/public/checkout (2 lines, test payment session) vs a floor checkout: 1, 8, 20 buyers, spread over 500 items and on 3 hot items',
  requiresTables: ['orders', 'payments', 'test_payment_sessions'],
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const [ours, floor] = await Promise.all([ctx.api(), ctx.floor()]);
    const items: Record<Contention, StockedVariant[]> = { spread: await stockedVariants(ctx, SPREAD_ITEMS, 0), hot: await stockedVariants(ctx, HOT_ITEMS, SPREAD_ITEMS) };
    const all = [...items.spread, ...items.hot];
    const merchantId = ctx.dataset.store.id;
    let buyer = 0;
    const bodyOf = (contention: Contention) => (n: number) => {
      const list = items[contention];
      const b = buyer++;
      return checkoutBody(merchantId, b, contention === 'spread' ? [list[(2 * n) % list.length], list[(2 * n + 1) % list.length]] : [list[n % list.length], list[(n + 1) % list.length]]);
    };
    const seconds = Math.max(3, Math.round(ctx.options.seconds / 3));
    const load = (server: HttpServer, contention: Contention, buyers: number, s: number) =>
      runPostLoad({ baseUrl: server.baseUrl, path: server.name === 'ours' ? '/api/public/checkout' : '/checkout', buyers, seconds: s, body: bodyOf(contention) });

    await setStock(ctx, all, STOCK);
    // Both must answer a checkout as the storefront sends it before anything is timed.
    for (const server of [ours, floor]) {
      const probe = await load(server, 'spread', 1, 0.2);
      if (!probe.okMs.length) throw new Error(`${server.name} refused the checkout: ${probe.firstError}`);
    }
    for (const server of [floor, ours]) await load(server, 'spread', 8, ctx.options.warmupSeconds);

    const phases: Phase[] = [];
    const peakRss = { ours: 0, floor: 0 };
    let round_ = 0;
    for (const contention of ['spread', 'hot'] as const) {
      for (const buyers of BUYERS) {
        const figures: Partial<Record<'ours' | 'floor', PostLoadFigures>> = {};
        for (const server of round_++ % 2 === 0 ? [floor, ours] : [ours, floor]) {
          await setStock(ctx, items[contention], STOCK);
          // A phase starts on a quiet machine: otherwise the server that ran last carries the previous
          // phase's garbage collection and PostgreSQL's autovacuum of what it wrote into this one.
          await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
          const sampler = new RssSampler(server.process.pid);
          const sample = await load(server, contention, buyers, seconds);
          peakRss[server.name] = Math.max(peakRss[server.name], sampler.stop());
          if (sample.firstError) ctx.log(`checkout ${contention}/${buyers} ${server.name}: first error ${sample.firstError}`);
          figures[server.name] = postFigures(sample);
        }
        const phase = { contention, buyers, ours: figures.ours!, floor: figures.floor!, ratio_to_floor: round(figures.ours!.orders_per_s / figures.floor!.orders_per_s, 2) };
        ctx.log(`checkout ${contention}, ${buyers} buyer(s): ours ${phase.ours.orders_per_s} orders/s (p99 ${phase.ours.p99} ms), floor ${phase.floor.orders_per_s} orders/s (p99 ${phase.floor.p99} ms), ratio ${phase.ratio_to_floor}`);
        phases.push(phase);
      }
    }
    await setStock(ctx, all, STOCK);

    const at = (contention: Contention, buyers: number) => phases.find((p) => p.contention === contention && p.buyers === buyers)!;
    const name = (p: Phase) => `${p.contention}_${p.buyers === 1 ? 'sequential' : `${p.buyers}_buyers`}`;
    return {
      figures: {
        ...Object.fromEntries(phases.map((p) => [name(p), { ours: p.ours, floor: p.floor, ratio_to_floor: p.ratio_to_floor }])),
        seconds_per_phase_and_server: seconds,
        lines_per_order: 2,
        rss_mb: peakRss,
      },
      budget: [
        ...(['spread', 'hot'] as const).flatMap((c) => [1, 8].map((b) => atLeast(`${name(at(c, b))}.ratio_to_floor`, at(c, b).ratio_to_floor, BUDGET.checkoutRatioToFloor))),
        ...(['spread', 'hot'] as const).map((c) => below(`${name(at(c, 20))}.ours.p99`, at(c, 20).ours.p99, BUDGET.checkoutP99MsAt20Buyers)),
        holds('no_errors', phases.every((p) => p.ours.errors === 0 && p.floor.errors === 0)),
      ],
    };
  },
};
