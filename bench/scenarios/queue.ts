import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { PoolClient } from 'pg';
import { ALL_QUEUES, Jobs, OUTBOX_CHANNEL } from '@app/common';
import { atLeast, below, BUDGET, holds } from '../lib/budget';
import { percentile, round } from '../lib/load';
import { BenchContext, Scenario, ScenarioResult } from './scenario';

/** Paced phase: events committed at this rate for this long, in a transaction every TICK_MS. */
const PACED_RATE = 1_000;
const PACED_SECONDS = 10;
const TICK_MS = 10;
/** Burst phase: this many events committed as fast as one connection can, BURST_BATCH per transaction. */
const BURST_EVENTS = 20_000;
const BURST_BATCH = 200;
const DRAIN_TIMEOUT_MS = 300_000;
/** Fewer order events left by earlier scenarios than this: their consumption is not reported. */
const MIN_ORDER_EVENTS = 1_000;

/** The job every event becomes: product.updated on catalog-events, consumed by CatalogVersionService (one Redis INCR). */
const JOB = Jobs.ProductUpdated;

/**
 * Earlier scenarios leave outbox rows the worker relays when it starts (checkout's order.created and
 * payment.verify, the import's product events), and then consumes on the same core: measured behind
 * them, the first paced events wait for that backlog, not for the pipeline. Waits until the outbox
 * is relayed and every queue of this run has no job waiting or running (delayed retries aside).
 * Returns how many outbox rows were waiting.
 */
async function waitForIdleWorker(ctx: BenchContext, redis: Redis): Promise<number> {
  const due = async () =>
    (await ctx.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox_events WHERE sent_at IS NULL AND available_at <= now()`)).rows[0].n;
  const queued = async () => {
    const pipeline = redis.pipeline();
    for (const queue of ALL_QUEUES) {
      pipeline.llen(`${ctx.queuePrefix}:${queue}:wait`);
      pipeline.llen(`${ctx.queuePrefix}:${queue}:active`);
      pipeline.zcard(`${ctx.queuePrefix}:${queue}:prioritized`);
    }
    return ((await pipeline.exec()) ?? []).reduce((sum, [, n]) => sum + Number(n ?? 0), 0);
  };
  const first = await due();
  if (first > 0) ctx.log(`queue: waiting for the worker to relay and consume ${first} outbox rows left by earlier scenarios`);
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  while ((await due()) > 0 || (await queued()) > 0) {
    if (Date.now() > deadline) throw new Error('queue: the backlog of earlier scenarios did not drain in time');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return first;
}

/** The order events earlier scenarios left unsent (checkout's order.created, mostly): their row ids. */
async function orderEventBacklog(ctx: BenchContext): Promise<string[]> {
  const { rows } = await ctx.db.query<{ id: string }>(`SELECT id FROM outbox_events WHERE sent_at IS NULL AND available_at <= now() AND queue = 'order-events'`);
  return rows.map((r) => r.id);
}

/**
 * How fast the worker consumed those events with the real handlers (analytics rollup, customer
 * email, merchant notification), relaying them and the rest of the backlog meanwhile: from the
 * first notification written to the last (each event's is its handler's last write).
 */
async function orderEventsConsumed(ctx: BenchContext, ids: string[]): Promise<{ events: number; seconds: number; events_per_s: number } | null> {
  if (ids.length < MIN_ORDER_EVENTS) return null;
  const { rows } = await ctx.db.query<{ n: number; seconds: number }>(
    `SELECT count(*)::int AS n, extract(epoch FROM max(created_at) - min(created_at))::float8 AS seconds FROM notifications WHERE dedupe_key = ANY($1::text[])`,
    [ids.map((id) => `order-event:${id}`)],
  );
  const { n, seconds } = rows[0];
  if (n !== ids.length) throw new Error(`queue: ${ids.length - n} of ${ids.length} order events have no notification after the drain`);
  return { events: n, seconds: round(seconds, 2), events_per_s: round(n / seconds, 0) };
}

interface Published {
  id: string;
  committedAt: number;
}

/**
 * Publishes `count` events in one transaction exactly as OutboxService.publishMany does: the rows,
 * then one pg_notify, then COMMIT. The commit time taken is the moment COMMIT is sent (so the
 * measured delay includes the commit itself).
 */
async function publish(client: PoolClient, merchantId: string, count: number): Promise<Published[]> {
  const ids = Array.from({ length: count }, () => randomUUID());
  await client.query('BEGIN');
  await client.query(
    `INSERT INTO outbox_events (id, queue, name, payload, available_at)
     SELECT id, $2, $3, jsonb_build_object('merchant_id', $4::text, 'product_id', id::text, 'handle', 'bench-queue'), now()
       FROM unnest($1::uuid[]) AS id`,
    [ids, JOB.queue, JOB.name, merchantId],
  );
  await client.query('SELECT pg_notify($1, $2)', [OUTBOX_CHANNEL, ids[0]]);
  const committedAt = Date.now();
  await client.query('COMMIT');
  return ids.map((id) => ({ id, committedAt }));
}

/** BullMQ's epoch-ms stamps of one job: added to the queue (by the relay), taken by a consumer, finished. */
interface JobTimes {
  timestamp: number;
  processedOn: number;
  finishedOn: number;
}

/** Waits until every job has finished; returns each job's stamps, in the order given. */
async function jobTimes(redis: Redis, prefix: string, events: Published[]): Promise<JobTimes[]> {
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  const finished = new Array<JobTimes>(events.length);
  let pending = events.map((_, i) => i);
  while (pending.length) {
    if (Date.now() > deadline) throw new Error(`${pending.length} of ${events.length} events not consumed within ${DRAIN_TIMEOUT_MS / 1000} s`);
    const still: number[] = [];
    for (let start = 0; start < pending.length; start += 2_000) {
      const chunk = pending.slice(start, start + 2_000);
      const pipeline = redis.pipeline();
      for (const i of chunk) pipeline.hmget(`${prefix}:${JOB.queue}:${events[i].id}`, 'timestamp', 'processedOn', 'finishedOn');
      const replies = (await pipeline.exec()) ?? [];
      chunk.forEach((i, k) => {
        const [timestamp, processedOn, finishedOn] = (replies[k]?.[1] as (string | null)[] | undefined) ?? [];
        if (finishedOn) finished[i] = { timestamp: Number(timestamp), processedOn: Number(processedOn), finishedOn: Number(finishedOn) };
        else still.push(i);
      });
    }
    pending = still;
    if (pending.length) await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return finished;
}

/**
 * The event pipeline end to end, through the real worker process: rows committed to outbox_events
 * (as a service's transaction writes them) → the relay (LISTEN/NOTIFY, SKIP LOCKED batches) →
 * BullMQ → the product.updated consumer. Events name a store that does not exist, so the only
 * effect is that store's catalog version counter in this run's Redis prefix.
 *
 * 1. Paced: 1,000 events/s for 10 s; the delay from each commit to its job's finishedOn gives the
 *    commit-to-consumer p50/p95/p99.
 * 2. Burst: 20,000 events committed back to back; events/s from the first commit to the last job
 *    finished is the sustainable throughput.
 *
 * Before both, the worker drains what earlier scenarios left; when that includes the checkout's
 * order events, how fast the real order-event handlers consumed them is reported too
 * (`order_events_consumed`, no budget line: the budget's 1,000 events/s is for the pipeline).
 */
export const queue: Scenario = {
  name: 'queue',
  summary: 'outbox → BullMQ → consumer: commit-to-consumer latency at 1,000 events/s, then throughput of a 20,000-event burst',
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const orderEvents = await orderEventBacklog(ctx);
    await ctx.worker();
    const redis = new Redis(ctx.redisUrl, { maxRetriesPerRequest: 3 });
    const [backlog, orderEventsFigures] = await waitForIdleWorker(ctx, redis)
      .then(async (n) => [n, await orderEventsConsumed(ctx, orderEvents)] as const)
      .catch((error: unknown) => {
        redis.disconnect();
        throw error;
      });
    const merchantId = randomUUID();
    const client = await ctx.db.connect();
    const written: string[] = [];
    try {
      // 1. Paced.
      const paced: Published[] = [];
      const started = Date.now();
      const total = PACED_RATE * PACED_SECONDS;
      while (paced.length < total) {
        const due = Math.min(total, Math.floor(((Date.now() - started) / 1000) * PACED_RATE)) - paced.length;
        if (due > 0) paced.push(...(await publish(client, merchantId, due)));
        await new Promise((resolve) => setTimeout(resolve, TICK_MS));
      }
      const pacedSeconds = (Date.now() - started) / 1000;
      const pacedTimes = await jobTimes(redis, ctx.queuePrefix, paced);
      const sorted = (values: number[]) => values.sort((a, b) => a - b);
      const delays = sorted(paced.map((e, i) => pacedTimes[i].finishedOn - e.committedAt));
      // Where the delay goes: commit → in the queue (the relay), → taken by a consumer, → done.
      const stage = (values: number[]) => {
        const ordered = sorted(values);
        return { p50: round(percentile(ordered, 50, true)), p99: round(percentile(ordered, 99, true)) };
      };
      const stages = {
        relay_ms: stage(paced.map((e, i) => pacedTimes[i].timestamp - e.committedAt)),
        queued_ms: stage(pacedTimes.map((t) => t.processedOn - t.timestamp)),
        handler_ms: stage(pacedTimes.map((t) => t.finishedOn - t.processedOn)),
      };
      written.push(...paced.map((e) => e.id));

      // 2. Burst.
      const burst: Published[] = [];
      while (burst.length < BURST_EVENTS) burst.push(...(await publish(client, merchantId, Math.min(BURST_BATCH, BURST_EVENTS - burst.length))));
      const burstTimes = await jobTimes(redis, ctx.queuePrefix, burst);
      written.push(...burst.map((e) => e.id));
      const burstSeconds = (Math.max(...burstTimes.map((t) => t.finishedOn)) - burst[0].committedAt) / 1000;
      const relayedSeconds = (Math.max(...burstTimes.map((t) => t.timestamp)) - burst[0].committedAt) / 1000;
      const publishSeconds = (burst[burst.length - 1].committedAt - burst[0].committedAt) / 1000;
      const eventsPerSecond = round(BURST_EVENTS / burstSeconds, 0);

      const [version] = await Promise.all([redis.get(`${ctx.queuePrefix}:catalog:version:${merchantId}`)]);
      const consumedAll = Number(version) === total + BURST_EVENTS;
      const p99 = round(percentile(delays, 99, true));
      return {
        figures: {
          paced: {
            offered_per_s: round(total / pacedSeconds, 0),
            events: total,
            commit_to_consumer_ms: { p50: round(percentile(delays, 50, true)), p95: round(percentile(delays, 95, true)), p99, max: round(delays[delays.length - 1]) },
            ...stages,
          },
          burst: {
            events: BURST_EVENTS,
            events_per_s: eventsPerSecond,
            seconds: round(burstSeconds, 2),
            publish_seconds: round(publishSeconds, 2),
            relayed_per_s: round(BURST_EVENTS / relayedSeconds, 0),
          },
          consumed_exactly_once: consumedAll,
          backlog_relayed_first: backlog,
          // Real handlers, on the order events the checkout scenarios left (null when they left fewer than MIN_ORDER_EVENTS).
          order_events_consumed: orderEventsFigures,
          worker_rss_mb: (await ctx.worker()).rssMb(),
        },
        budget: [
          atLeast('events_per_s', eventsPerSecond, BUDGET.queueEventsPerSecond),
          below('commit_to_consumer_p99_ms', p99, BUDGET.queueCommitToConsumerP99Ms),
          holds('consumed_exactly_once', consumedAll),
        ],
      };
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
      // The rows are relayed; leaving 30,000 of them per run would only bloat the outbox of the bench database.
      if (written.length) await client.query('DELETE FROM outbox_events WHERE id = ANY($1::uuid[])', [written]).catch(() => undefined);
      client.release();
      redis.disconnect();
    }
  },
};
