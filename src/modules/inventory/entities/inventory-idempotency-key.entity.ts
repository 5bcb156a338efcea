import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '@app/common';

/**
 * An `Idempotency-Key` a merchant sent with a stock change, stored in the same transaction as the
 * change with the response it got: a retry with the same key and body gets that response again
 * and changes nothing; the same key with another body is refused. Pruned after a day.
 */
@Entity('inventory_idempotency_keys')
@Index('uq_inventory_idempotency_keys_key', ['merchantId', 'operation', 'key'], { unique: true })
@Index('idx_inventory_idempotency_keys_created', ['createdAt'])
export class InventoryIdempotencyKey extends BaseEntity {
  @Column({ type: 'uuid' })
  merchantId: string;

  @Column({ type: 'varchar', length: 40 })
  operation: string;

  @Column({ type: 'varchar', length: 200 })
  key: string;

  /** sha256 of the operation's canonical input. */
  @Column({ type: 'char', length: 64 })
  requestHash: string;

  @Column({ type: 'int' })
  status: number;

  @Column({ type: 'jsonb' })
  response: Record<string, unknown>;
}
