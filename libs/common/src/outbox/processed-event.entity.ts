import { Column, Entity, Index } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { BaseEntity } from '../database/base.entity';
import { preparedQuery } from '../database/prepared-query';

/**
 * Events a consumer has already acted on. Queues deliver at least once; a consumer claims the
 * event id in the transaction of its effect, so a second delivery finds the claim and does nothing.
 */
@Entity('processed_events')
@Index('uq_processed_events', ['consumer', 'eventId'], { unique: true })
@Index('idx_processed_events_created', ['createdAt'])
export class ProcessedEvent extends BaseEntity {
  @Column({ type: 'varchar', length: 100 })
  consumer: string;

  @Column({ type: 'varchar', length: 255 })
  eventId: string;

  @Column({ type: 'varchar', length: 100 })
  eventName: string;
}

/** True the first time (consumer, eventId) is claimed in a committed transaction; false on a redelivery. */
export async function claimEvent(manager: EntityManager, consumer: string, eventId: string, eventName: string): Promise<boolean> {
  const rows = await preparedQuery(
    manager,
    `INSERT INTO processed_events (consumer, event_id, event_name) VALUES ($1, $2, $3) ON CONFLICT (consumer, event_id) DO NOTHING RETURNING event_id`,
    [consumer, eventId, eventName],
  );
  return rows.length > 0;
}
