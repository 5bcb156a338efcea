import { Agent, request } from 'node:http';
import { percentile, round } from './load';

/**
 * A closed-loop POST load generator for writes whose body must change on every request (a checkout
 * per buyer, different products): `buyers` concurrent loops, each sending its next request as soon
 * as the previous answer arrived, over keep-alive connections, for `seconds`.
 */
export interface PostLoadOptions {
  baseUrl: string;
  path: string;
  buyers: number;
  seconds: number;
  /** The JSON body of the n-th request of the run (n counts from 0 across all buyers). */
  body(n: number): unknown;
  headers?: Record<string, string>;
}

export interface PostResponse {
  status: number;
  body: string;
  ms: number;
}

export interface PostLoadSample {
  seconds: number;
  /** Latency of every 2xx answer. */
  okMs: number[];
  /** Answers by status code (2xx included). */
  statuses: Record<string, number>;
  transportErrors: number;
  /** The first non-2xx answer, to explain errors. */
  firstError?: string;
}

export interface PostLoadFigures {
  orders_per_s: number;
  p50: number;
  p95: number;
  p99: number;
  ok: number;
  errors: number;
  statuses: Record<string, number>;
}

/** One POST with a JSON body; resolves with the status, the body and the latency in ms. */
export function postJson(agent: Agent, url: URL, body: unknown, headers: Record<string, string> = {}): Promise<PostResponse> {
  const payload = Buffer.from(JSON.stringify(body));
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': String(payload.length), ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), ms: performance.now() - started }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

export async function runPostLoad(options: PostLoadOptions): Promise<PostLoadSample> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.buyers });
  const url = new URL(options.path, options.baseUrl);
  const sample: PostLoadSample = { seconds: options.seconds, okMs: [], statuses: {}, transportErrors: 0 };
  let next = 0;
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  const buyer = async () => {
    while (performance.now() < deadline) {
      try {
        const response = await postJson(agent, url, options.body(next++), options.headers);
        sample.statuses[response.status] = (sample.statuses[response.status] ?? 0) + 1;
        if (response.status >= 200 && response.status < 300) sample.okMs.push(response.ms);
        else sample.firstError ??= `${response.status} ${response.body.slice(0, 300)}`;
      } catch (err) {
        sample.transportErrors++;
        sample.firstError ??= String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: options.buyers }, buyer));
  sample.seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return sample;
}

export function postFigures(sample: PostLoadSample): PostLoadFigures {
  const sorted = [...sample.okMs].sort((a, b) => a - b);
  const total = Object.values(sample.statuses).reduce((s, n) => s + n, 0) + sample.transportErrors;
  return {
    orders_per_s: round(sample.okMs.length / sample.seconds, 1),
    p50: round(percentile(sorted, 50, true)),
    p95: round(percentile(sorted, 95, true)),
    p99: round(percentile(sorted, 99, true)),
    ok: sample.okMs.length,
    errors: total - sample.okMs.length,
    statuses: sample.statuses,
  };
}
