import { below, BUDGET, holds } from '../lib/budget';
import { figures, LoadSample, mergeSamples, round, runLoad } from '../lib/load';
import { RssSampler } from '../lib/processes';
import { BenchContext, Scenario, ScenarioResult } from './scenario';

/**
 * The published homepage of the bench store (bench/data/catalog-data.ts writes a standard page: a
 * banner of two images, four collections, a grid of 8 products, a featured product), by id and by
 * slug, a quarter in French and euros. No floor server: the figures are the API's own. With the
 * storefront answer cache on (as deployed) a repeat is served from memory; STOREFRONT_CACHE_MB=0
 * measures the page being built every time (config, sections, media, collections, the grid and
 * the featured product through the public catalog's reader).
 */
export const homepage: Scenario = {
  name: 'homepage',
  summary: 'GET /api/public/stores/{id}/homepage: banner + collections + 8-product grid + featured product, a quarter in fr/EUR',
  requiresTables: ['homepage_configs', 'homepage_sections'],
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const { id, slug } = ctx.dataset.store;
    const paths = [
      `/api/public/stores/${id}/homepage`,
      `/api/public/stores/${slug}/homepage`,
      `/api/public/stores/${id}/homepage?locale=en&currency=USD`,
      `/api/public/stores/${id}/homepage?locale=fr&currency=EUR`,
    ];
    const ours = await ctx.api();
    // The page must be whole: every section resolved, 8 products in the grid.
    const check = await fetch(ours.baseUrl + paths[0]);
    const text = await check.text();
    const page = check.ok ? (JSON.parse(text) as { sections: { type: string; products?: unknown[]; product?: unknown }[] }) : null;
    const types = page?.sections.map((s) => s.type).join(',');
    const complete = types === 'banner,collections,collection_products,featured' && page!.sections[2].products?.length === 8 && Boolean(page!.sections[3].product);
    if (!complete) ctx.log(`homepage: incomplete page ${check.status} ${text.slice(0, 300)} (regenerate with npm run bench:data -- --reset)`);

    const { connections, seconds, rounds, warmupSeconds } = ctx.options;
    await runLoad({ baseUrl: ours.baseUrl, paths, connections, seconds: warmupSeconds });
    const samples: LoadSample[] = [];
    const sampler = new RssSampler(ours.process.pid);
    const slice = Math.max(1, Math.round(seconds / rounds));
    for (let r = 0; r < rounds; r++) samples.push(await runLoad({ baseUrl: ours.baseUrl, paths, connections, seconds: slice, offset: r * 7919 }));
    const oursFigures = { ...figures(mergeSamples(samples)), rss_mb: sampler.stop() };
    return {
      figures: {
        ours: oursFigures,
        storefront_cache_mb: process.env.STOREFRONT_CACHE_MB ?? 'default',
        connections,
        seconds: slice * rounds,
        distinct_requests: paths.length,
        bytes_per_response: Buffer.byteLength(text),
        sections: page?.sections.length ?? 0,
        mean_ms: round(1000 / (oursFigures.rps / connections), 2),
      },
      budget: [below('ours.rss_mb', oursFigures.rss_mb, BUDGET.apiLoadRssMb), holds('complete_page', complete), holds('no_errors', oursFigures.errors === 0)],
    };
  },
};
