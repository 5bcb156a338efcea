import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { JobDefinition, PayloadOf } from '../queue/jobs';
import { OutboxEvent } from './outbox-event.entity';

export const OUTBOX_CHANNEL = 'outbox_events';

/**
 * Services publish events through this, passing the EntityManager of their own transaction: the
 * event commits or rolls back with the change it describes.
 */
@Injectable()
export class OutboxService {
  async publish<J extends JobDefinition>(
    manager: EntityManager,
    job: J,
    payload: PayloadOf<J>,
    options: { delayMs?: number } = {},
  ): Promise<string> {
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error(`Outbox event ${job.queue}/${job.name} must be published inside a transaction`);
    }
    const availableAt = new Date(Date.now() + (options.delayMs ?? 0));
    const row = await manager.getRepository(OutboxEvent).save({
      queue: job.queue,
      name: job.name,
      payload: payload as Record<string, unknown>,
      availableAt,
    });
    // Delivered at commit: wakes the relay now instead of at its next poll.
    await manager.query('SELECT pg_notify($1, $2)', [OUTBOX_CHANNEL, row.id]);
    return row.id;
  }
}
