import { Jobs, OutboxEvent, OutboxService, QueueRegistry } from '@app/common';
import { bootTestApp, TestApp } from './harness/app';

async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('Worker process (in-process)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await bootTestApp();
    await t.startWorker();
  });
  afterAll(() => t?.close());

  it('reports its heartbeat through /health/ready', async () => {
    const ready = await eventually(
      async () => (await t.http.get('/health/ready')).body,
      (body) => body.workers?.status === 'up',
    );
    expect(ready.workers.instances).toHaveLength(1);
  });

  it('relays an outbox event to its queue and runs its handler, end to end', async () => {
    const repo = t.dataSource.getRepository(OutboxEvent);
    const longAgo = new Date(Date.now() - 30 * 24 * 3600 * 1000);
    const old = await repo.save({ queue: 'maintenance', name: 'noop', payload: {}, sentAt: longAgo });
    const recent = await repo.save({ queue: 'maintenance', name: 'noop', payload: {}, sentAt: new Date() });

    const id = await t.dataSource.transaction((m) => t.app.get(OutboxService).publish(m, Jobs.OutboxPrune, { retain_days: 7 }));

    const job = await eventually(
      async () => t.app.get(QueueRegistry).get(Jobs.OutboxPrune.queue).getJob(id),
      (j) => Boolean(j?.finishedOn),
    );
    expect(job?.returnvalue).toEqual({ deleted: 1 });
    expect(await repo.findOneBy({ id: old.id })).toBeNull();
    expect(await repo.findOneBy({ id: recent.id })).not.toBeNull();
    expect((await repo.findOneByOrFail({ id })).sentAt).not.toBeNull();
  });

  it('fails a job nobody handles at once, visibly, without retrying', async () => {
    const queue = t.app.get(QueueRegistry).get(Jobs.OutboxPrune.queue);
    const added = await queue.add('no.such.job', {}, { attempts: 5 });
    const job = await eventually(() => queue.getJob(added.id!), (j) => Boolean(j?.failedReason));
    expect(job?.failedReason).toMatch(/No handler for job maintenance\/no.such.job/);
    expect(job?.attemptsMade).toBe(1);
    expect(await job?.getState()).toBe('failed');
  });

  it('schedules the daily outbox prune once, however many workers start', async () => {
    await t.startWorker();
    const schedulers = await t.app.get(QueueRegistry).get(Jobs.OutboxPrune.queue).getJobSchedulers();
    expect(schedulers.map((s) => s.key)).toEqual(['outbox-prune-daily']);
  });
});
