import { Injectable } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { loadConfig } from '../config';
import { APP_CONFIG } from '../config/config.module';
import { buildHandlerMap, DiscoveredHandler, JobHandlerCheckError } from './job-handlers';
import { JobRunner } from './job-runner.service';
import { JobDefinition } from './jobs';
import { OnJob } from './on-job.decorator';
import { QueueName } from './queues';

const created: JobDefinition = { queue: QueueName.OrderEvents, name: 'order.created' };
const paid: JobDefinition = { queue: QueueName.OrderEvents, name: 'order.paid' };
const handler = (definition: JobDefinition, owner: string): DiscoveredHandler => ({ definition, owner, handle: async () => undefined });

describe('buildHandlerMap', () => {
  it('maps every known job to its one handler', () => {
    const map = buildHandlerMap([handler(created, 'A.created'), handler(paid, 'A.paid')], [created, paid]);
    expect([...map.keys()].sort()).toEqual(['order-events/order.created', 'order-events/order.paid']);
  });

  it('refuses a job with no handler, naming it', () => {
    expect(() => buildHandlerMap([handler(created, 'A.created')], [created, paid])).toThrow(/order-events\/order.paid has no handler/);
  });

  it('refuses a job with two handlers, naming both', () => {
    expect(() => buildHandlerMap([handler(created, 'A.one'), handler(created, 'B.two')], [created])).toThrow(/2 handlers: A.one, B.two/);
  });

  it('refuses a handler for a job that is not in the catalogue', () => {
    expect(() => buildHandlerMap([handler(created, 'A.created'), handler(paid, 'A.paid')], [created])).toThrow(JobHandlerCheckError);
  });
});

@Injectable()
class OnlyCreatedHandler {
  @OnJob(created)
  async onCreated(): Promise<void> {}
}

describe('JobRunner startup check', () => {
  async function runnerWith(...providers: any[]) {
    const moduleRef = await Test.createTestingModule({
      imports: [DiscoveryModule],
      providers: [JobRunner, { provide: APP_CONFIG, useValue: loadConfig({ NODE_ENV: 'test' }) }, ...providers],
    }).compile();
    return moduleRef.get(JobRunner);
  }

  it('discovers @OnJob methods on providers', async () => {
    const runner = await runnerWith(OnlyCreatedHandler);
    expect(runner.discoverHandlers().map((h) => h.owner)).toEqual(['OnlyCreatedHandler.onCreated']);
  });

  it('refuses to start, before consuming any queue, when a job has no handler', async () => {
    const runner = await runnerWith(OnlyCreatedHandler);
    expect(() => runner.start([created, paid], [QueueName.OrderEvents])).toThrow(/order-events\/order.paid has no handler/);
  });
});
