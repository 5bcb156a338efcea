import { atLeast, atMost, below, BUDGET, holds } from '../lib/budget';
import { Dataset } from '../lib/dataset';
import { figures, LoadSample, mergeSamples, round, runLoad } from '../lib/load';
import { RssSampler } from '../lib/processes';
import { BenchContext, HttpServer, Scenario, ScenarioResult } from './scenario';

/** How many of a scenario's requests are fetched from both servers and compared before measuring. */
const SAME_JSON_SAMPLE = 12;

export interface ReadScenarioSpec {
  name: string;
  summary: string;
  /** The requests (paths with query), taken in turn; both servers get the same sequence. */
  paths(dataset: Dataset): string[];
  /** Headers sent with every request to both servers (e.g. a merchant's bearer token), made once per run. */
  headers?(ctx: BenchContext, ours: HttpServer): Promise<Record<string, string>>;
}

/** Evenly spread members of a list (all of it when short). */
function spread<T>(list: T[], count: number): T[] {
  if (list.length <= count) return list;
  return Array.from({ length: count }, (_, i) => list[Math.floor((i * list.length) / count)]);
}

/**
 * Fetches a sample of the requests from both servers: the floor must give the same status and the
 * same bytes, or the ratio would compare different work.
 */
async function compareAnswers(ctx: BenchContext, ours: HttpServer, floor: HttpServer, paths: string[], headers: Record<string, string>): Promise<{ identical: boolean; bytesPerResponse: number }> {
  let identical = true;
  let bytes = 0;
  const sample = spread(paths, SAME_JSON_SAMPLE);
  for (const path of sample) {
    const [a, b] = await Promise.all([fetch(ours.baseUrl + path, { headers }), fetch(floor.baseUrl + path, { headers })]);
    const [textA, textB] = await Promise.all([a.text(), b.text()]);
    bytes += Buffer.byteLength(textA);
    if (a.status !== 200 || a.status !== b.status || textA !== textB) {
      identical = false;
      let at = 0;
      while (at < textA.length && textA[at] === textB[at]) at++;
      ctx.log(`answers differ for ${path}: ours ${a.status} (${textA.length} chars), floor ${b.status} (${textB.length} chars); from character ${at}:\n  ours:  ${textA.slice(at, at + 160)}\n  floor: ${textB.slice(at, at + 160)}`);
    }
  }
  return { identical, bytesPerResponse: Math.round(bytes / sample.length) };
}

/** A read scenario: the same requests against the API and the floor, measured in alternating slices. */
export function defineReadScenario(spec: ReadScenarioSpec): Scenario {
  return {
    name: spec.name,
    summary: spec.summary,
    async run(ctx: BenchContext): Promise<ScenarioResult> {
      const paths = spec.paths(ctx.dataset);
      const [ours, floor] = await Promise.all([ctx.api(), ctx.floor()]);
      const headers = (await spec.headers?.(ctx, ours)) ?? {};
      const { identical, bytesPerResponse } = await compareAnswers(ctx, ours, floor, paths, headers);
      const { connections, seconds, rounds, warmupSeconds } = ctx.options;

      // Warm-up: JIT, connection pools, PostgreSQL's buffers and plans.
      for (const server of [floor, ours]) await runLoad({ baseUrl: server.baseUrl, paths, connections, seconds: warmupSeconds, headers });

      // Alternating slices (floor, ours, ours, floor, …): a change in the machine's background load
      // during the run then weighs on both sides alike, and the ratio stays meaningful.
      const samples: Record<'ours' | 'floor', LoadSample[]> = { ours: [], floor: [] };
      const peakRss: Record<'ours' | 'floor', number> = { ours: 0, floor: 0 };
      const slice = Math.max(1, Math.round(seconds / rounds));
      for (let r = 0; r < rounds; r++) {
        for (const server of r % 2 === 0 ? [floor, ours] : [ours, floor]) {
          const sampler = new RssSampler(server.process.pid);
          samples[server.name].push(await runLoad({ baseUrl: server.baseUrl, paths, connections, seconds: slice, offset: r * 7919, headers }));
          peakRss[server.name] = Math.max(peakRss[server.name], sampler.stop());
        }
      }
      const oursFigures = { ...figures(mergeSamples(samples.ours)), rss_mb: peakRss.ours };
      const floorFigures = { ...figures(mergeSamples(samples.floor)), rss_mb: peakRss.floor };
      const ratio = round(oursFigures.rps / floorFigures.rps, 2);
      const p99Ratio = round(oursFigures.p99 / floorFigures.p99, 2);
      return {
        figures: {
          ours: oursFigures,
          floor: floorFigures,
          ratio_to_floor: ratio,
          p99_ratio: p99Ratio,
          connections,
          seconds_per_server: slice * rounds,
          distinct_requests: paths.length,
          bytes_per_response: bytesPerResponse,
          same_json: identical,
        },
        budget: [
          atLeast('ratio_to_floor', ratio, BUDGET.readRatioToFloor),
          atMost('p99_ratio', p99Ratio, BUDGET.readP99RatioToFloor),
          below('ours.rss_mb', oursFigures.rss_mb, BUDGET.apiLoadRssMb),
          holds('same_json', identical),
          holds('no_errors', oursFigures.errors === 0 && floorFigures.errors === 0),
        ],
      };
    },
  };
}
