import autocannon from 'autocannon';

/** What one load run measured: every response's latency is kept, so percentiles are exact and runs can be merged. */
export interface LoadSample {
  seconds: number;
  requests: number;
  /** Transport errors, timeouts and non-2xx answers. */
  errors: number;
  bytes: number;
  latenciesMs: number[];
}

export interface LoadFigures {
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  requests: number;
}

export interface LoadOptions {
  /** Base URL of the server (http://127.0.0.1:port). */
  baseUrl: string;
  /** Paths (with query) taken in turn, one per request, across all connections. */
  paths: string[];
  connections: number;
  seconds: number;
  /** Starting point in `paths`, so consecutive runs do not all start with the same request. */
  offset?: number;
  /** Sent with every request (e.g. a bearer token). */
  headers?: Record<string, string>;
}

/** Runs autocannon against `baseUrl` for `seconds`, cycling through `paths`. */
export async function runLoad(options: LoadOptions): Promise<LoadSample> {
  let next = options.offset ?? 0;
  const latenciesMs: number[] = [];
  let bytes = 0;
  let non2xx = 0;
  const instance = autocannon({
    url: options.baseUrl,
    connections: options.connections,
    duration: options.seconds,
    timeout: 30,
    headers: options.headers,
    requests: [
      {
        method: 'GET',
        setupRequest: (request) => ({ ...request, path: options.paths[next++ % options.paths.length] }),
      },
    ],
  });
  instance.on('response', (_client, statusCode, responseBytes, responseTimeMs) => {
    latenciesMs.push(responseTimeMs);
    bytes += responseBytes;
    if (statusCode < 200 || statusCode >= 300) non2xx++;
  });
  const result = await instance;
  return { seconds: result.duration, requests: latenciesMs.length, errors: result.errors + non2xx, bytes, latenciesMs };
}

export function mergeSamples(samples: LoadSample[]): LoadSample {
  return {
    seconds: samples.reduce((s, x) => s + x.seconds, 0),
    requests: samples.reduce((s, x) => s + x.requests, 0),
    errors: samples.reduce((s, x) => s + x.errors, 0),
    bytes: samples.reduce((s, x) => s + x.bytes, 0),
    latenciesMs: samples.flatMap((x) => x.latenciesMs),
  };
}

/** The nearest-rank percentile (p in 0–100) of unsorted values. */
export function percentile(values: number[], p: number, sorted = false): number {
  if (!values.length) return NaN;
  const ordered = sorted ? values : [...values].sort((a, b) => a - b);
  return ordered[Math.min(ordered.length - 1, Math.max(0, Math.ceil((p / 100) * ordered.length) - 1))];
}

export const round = (value: number, decimals = 1): number => Math.round(value * 10 ** decimals) / 10 ** decimals;

export function figures(sample: LoadSample): LoadFigures {
  const sorted = [...sample.latenciesMs].sort((a, b) => a - b);
  return {
    rps: round(sample.requests / sample.seconds, 0),
    p50: round(percentile(sorted, 50, true)),
    p95: round(percentile(sorted, 95, true)),
    p99: round(percentile(sorted, 99, true)),
    errors: sample.errors,
    requests: sample.requests,
  };
}
