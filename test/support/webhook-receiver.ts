import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';

/** Polls `probe` until `done` holds; throws naming `what` (and the last value) when the time is up. */
export async function eventually<T>(probe: () => Promise<T> | T, done: (value: T) => boolean, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}; last value: ${JSON.stringify(value)?.slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface Delivery {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A local HTTP server that records what it receives (webhooks); `failNext(path, n)` makes it answer 500. */
export async function startReceiver(): Promise<{ url: string; deliveries: Delivery[]; failNext: (path: string, n: number) => void; close: () => Promise<void> }> {
  const deliveries: Delivery[] = [];
  const failures = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      deliveries.push({ path: req.url ?? '', headers: req.headers, body });
      const left = failures.get(req.url ?? '') ?? 0;
      if (left > 0) failures.set(req.url ?? '', left - 1);
      res.writeHead(left > 0 ? 500 : 204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    deliveries,
    failNext: (path, n) => failures.set(path, n),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
