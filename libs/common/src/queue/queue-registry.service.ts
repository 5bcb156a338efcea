import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { APP_CONFIG, AppConfig } from '../config';
import { workerConnectionOptions } from '../redis/redis';
import { bullmq } from './bullmq';
import { QUEUE_JOB_OPTIONS, QueueName } from './queues';

/** Opens each queue's producer connection on first use and closes them all on shutdown. */
@Injectable()
export class QueueRegistry implements OnApplicationShutdown {
  private readonly queues = new Map<QueueName, Queue>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      const { Queue } = bullmq();
      queue = new Queue(name, {
        prefix: this.config.redis.queuePrefix,
        // Producers fail fast while Redis is down; the outbox relay retries later.
        connection: { ...workerConnectionOptions(this.config.redis.url), enableOfflineQueue: false, maxRetriesPerRequest: 1 },
        defaultJobOptions: QUEUE_JOB_OPTIONS[name],
      });
      queue.on('error', () => undefined);
      this.queues.set(name, queue);
    }
    return queue;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close().catch(() => undefined)));
    this.queues.clear();
  }
}
