import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../database/base.entity';

/**
 * A domain event written in the same transaction as the change that caused it. The relay moves it
 * to BullMQ (job id = this id) and stamps sent_at, so no event is lost when Redis is down.
 */
@Entity('outbox_events')
@Index('idx_outbox_events_pending', ['availableAt'], { where: 'sent_at IS NULL' })
@Index('idx_outbox_events_sent_at', ['sentAt'], { where: 'sent_at IS NOT NULL' })
export class OutboxEvent extends BaseEntity {
  @Column({ type: 'varchar', length: 64 })
  queue: string;

  @Column({ type: 'varchar', length: 128 })
  name: string;

  @Column({ type: 'jsonb' })
  payload: Record<string, unknown>;

  /** Not relayed before this time: delayed events, and backoff after a failed relay. */
  @Column({ type: 'timestamptz', default: () => 'now()' })
  availableAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  sentAt: Date | null;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ type: 'text', nullable: true })
  lastError: string | null;
}
