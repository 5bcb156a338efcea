import { Queue } from 'bullmq';
import { AppConfig, Jobs, OutboxEvent, OutboxRelay, OutboxService, QueueRegistry } from '@app/common';
import { bootTestApp, TestApp } from './harness/app';
import { testConfig } from './harness/env';

/** A relay whose Redis is a closed port: what the worker sees while Redis is down. */
function relayWithDeadRedis(t: TestApp): { relay: OutboxRelay; registry: QueueRegistry } {
  const dead: AppConfig = { ...t.config, redis: { ...t.config.redis, url: 'redis://127.0.0.1:1' } };
  const registry = new QueueRegistry(dead);
  return { relay: new OutboxRelay(dead, t.dataSource, registry), registry };
}

describe('Transactional outbox', () => {
  let t: TestApp;
  let outbox: OutboxService;
  let relay: OutboxRelay;
  let registry: QueueRegistry;

  beforeAll(async () => {
    t = await bootTestApp();
    outbox = t.app.get(OutboxService);
    registry = t.app.get(QueueRegistry);
    relay = new OutboxRelay(t.config, t.dataSource, registry);
  });
  afterAll(() => t?.close());
  beforeEach(() => t.dataSource.query('DELETE FROM outbox_events'));

  const queue = (): Queue => registry.get(Jobs.OutboxPrune.queue);
  const publish = () => t.dataSource.transaction((m) => outbox.publish(m, Jobs.OutboxPrune, { retain_days: 3 }));
  const row = (id: string) => t.dataSource.getRepository(OutboxEvent).findOneByOrFail({ id });

  it('commits the event with the transaction, and not without it', async () => {
    await expect(
      t.dataSource.transaction(async (m) => {
        await outbox.publish(m, Jobs.OutboxPrune, { retain_days: 3 });
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    expect(await t.dataSource.getRepository(OutboxEvent).count()).toBe(0);
    await expect(outbox.publish(t.dataSource.manager, Jobs.OutboxPrune, { retain_days: 3 })).rejects.toThrow(/inside a transaction/);
  });

  it('keeps the event while Redis is down and delivers it once Redis is back', async () => {
    const id = await publish();
    const down = relayWithDeadRedis(t);
    try {
      expect(await down.relay.relayBatch()).toBe(0);
    } finally {
      await down.registry.onApplicationShutdown();
    }
    const failed = await row(id);
    expect(failed.sentAt).toBeNull();
    expect(failed.attempts).toBe(1);
    expect(failed.lastError).toBeTruthy();
    expect(failed.availableAt.getTime()).toBeGreaterThan(Date.now()); // backed off

    await t.dataSource.query('UPDATE outbox_events SET available_at = now()'); // skip the backoff wait
    expect(await relay.relayBatch()).toBe(1);
    const job = await queue().getJob(id);
    expect(job).toBeDefined();
    expect(job!.name).toBe(Jobs.OutboxPrune.name);
    expect(job!.data).toEqual({ retain_days: 3 });
    expect(job!.opts.attempts).toBeGreaterThan(1);
    expect(job!.opts.backoff).toMatchObject({ type: 'exponential' });
    const sent = await row(id);
    expect(sent.sentAt).not.toBeNull();
    expect(sent.lastError).toBeNull();
  });

  it('turns a row relayed twice into one job (job id = outbox id)', async () => {
    const id = await publish();
    expect(await relay.relayBatch()).toBe(1);
    // As if the relay crashed after adding the job but before its commit.
    await t.dataSource.query('UPDATE outbox_events SET sent_at = NULL WHERE id = $1', [id]);
    expect(await relay.relayBatch()).toBe(1);
    const jobs = await queue().getJobs(['waiting', 'delayed', 'active', 'completed', 'failed']);
    expect(jobs.filter((j) => j.id === id)).toHaveLength(1);
  });

  it('lets two relays run at once without relaying a row twice', async () => {
    const ids = await Promise.all(Array.from({ length: 30 }, () => publish()));
    const other = new OutboxRelay(t.config, t.dataSource, registry);
    const [a, b] = await Promise.all([relay.drain(), other.drain()]);
    expect(a + b).toBe(30);
    const { unsent } = (await t.dataSource.query('SELECT count(*)::int AS unsent FROM outbox_events WHERE sent_at IS NULL'))[0];
    expect(unsent).toBe(0);
    for (const id of ids.slice(0, 3)) expect(await queue().getJob(id)).toBeDefined();
  });

  it('holds delayed events until they are due', async () => {
    await t.dataSource.transaction((m) => outbox.publish(m, Jobs.OutboxPrune, { retain_days: 1 }, { delayMs: 60_000 }));
    expect(await relay.relayBatch()).toBe(0);
  });
});

describe('API with Redis down', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootTestApp({ env: { REDIS_URL: 'redis://127.0.0.1:1' } });
  });
  afterAll(() => t?.close());

  it('stays live, reports Redis in /health/ready with 503, and its outbox events reach the queue later', async () => {
    await t.http.get('/health').expect(200);
    await t.http.get('/health/db').expect(200);
    const ready = await t.http.get('/health/ready').expect(503);
    expect(ready.body).toMatchObject({ status: 'error', failing: ['redis'], checks: { database: { status: 'up' }, redis: { status: 'down' } } });

    // A write made while Redis is down: it commits; the event waits in the outbox.
    const outbox = t.app.get(OutboxService);
    const id = await t.dataSource.transaction((m) => outbox.publish(m, Jobs.OutboxPrune, { retain_days: 5 }));

    // Redis is back: a worker pointed at the live Redis relays the event.
    const live = testConfig(t.config.database.url.split('/').pop()!, { QUEUE_PREFIX: t.config.redis.queuePrefix });
    const registry = new QueueRegistry(live);
    try {
      expect(await new OutboxRelay(live, t.dataSource, registry).relayBatch()).toBe(1);
      const job = await registry.get(Jobs.OutboxPrune.queue).getJob(id);
      expect(job?.data).toEqual({ retain_days: 5 });
    } finally {
      await registry.onApplicationShutdown();
    }
  });
});
