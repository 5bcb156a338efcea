import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { Job, Worker } from 'bullmq';
import { APP_CONFIG, AppConfig } from '../config';
import { workerConnectionOptions } from '../redis/redis';
import { bullmq, unrecoverableJobError } from './bullmq';
import { buildHandlerMap, DiscoveredHandler } from './job-handlers';
import { ALL_JOBS, JobDefinition, jobKey } from './jobs';
import { ON_JOB } from './on-job.decorator';
import { ALL_QUEUES, QueueName } from './queues';

/**
 * Runs in the worker process only: finds every @OnJob handler, checks the catalogue, and consumes
 * each queue with one BullMQ Worker that dispatches by job name.
 */
@Injectable()
export class JobRunner implements BeforeApplicationShutdown {
  private readonly logger = new Logger(JobRunner.name);
  private workers: Worker[] = [];

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  discoverHandlers(): DiscoveredHandler[] {
    const handlers: DiscoveredHandler[] = [];
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object' || !wrapper.isDependencyTreeStatic()) continue;
      const prototype = Object.getPrototypeOf(instance);
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const definition = Reflect.getMetadata(ON_JOB, prototype[method]) as JobDefinition | undefined;
        if (!definition) continue;
        handlers.push({
          definition,
          owner: `${prototype.constructor.name}.${method}`,
          handle: (payload, job) => (instance[method] as (p: unknown, j: Job) => Promise<unknown>)(payload, job),
        });
      }
    }
    return handlers;
  }

  /** Throws JobHandlerCheckError before any queue is consumed when the catalogue and handlers disagree. */
  start(known: readonly JobDefinition[] = ALL_JOBS, queues: readonly QueueName[] = ALL_QUEUES): void {
    const handlers = buildHandlerMap(this.discoverHandlers(), known);
    const connection = workerConnectionOptions(this.config.redis.url);
    const { Worker } = bullmq();
    for (const queue of queues) {
      const worker = new Worker(
        queue,
        async (job: Job) => {
          const handler = handlers.get(jobKey({ queue, name: job.name }));
          // A job nobody handles will never succeed; fail it once, visibly, instead of retrying.
          if (!handler) throw unrecoverableJobError(`No handler for job ${queue}/${job.name}`);
          return handler.handle(job.data, job);
        },
        { connection, prefix: this.config.redis.queuePrefix, concurrency: this.config.worker.concurrency, autorun: true },
      );
      worker.on('failed', (job, err) =>
        this.logger.warn({ queue, job_id: job?.id, job_name: job?.name, attempts: job?.attemptsMade, err: err.message }, 'Job failed'),
      );
      worker.on('error', (err) => this.logger.error({ queue, err: err.message }, 'Worker error'));
      this.workers.push(worker);
    }
    this.logger.log(`Consuming ${queues.length} queues with ${handlers.size} job handlers`);
  }

  /** Waits for in-flight jobs to finish (BullMQ's close does), then drops the connections. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
    this.workers = [];
  }
}
