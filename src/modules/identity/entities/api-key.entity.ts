import { Column, Entity, Index } from 'typeorm';
import { BaseEntity, type Scope } from '@app/common';

/** A merchant API key (`ock_live_…` / `ock_test_…`). Only its hash and a short prefix are stored. */
@Entity('merchant_api_keys')
@Index('idx_merchant_api_keys_merchant', ['merchantId'])
export class ApiKey extends BaseEntity {
  @Column({ type: 'uuid' })
  merchantId: string;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  /** The first characters of the key, shown in lists so a merchant can tell keys apart. */
  @Column({ type: 'varchar', length: 20 })
  prefix: string;

  @Index('uq_merchant_api_keys_hash', { unique: true })
  @Column({ type: 'char', length: 64 })
  keyHash: string;

  @Column({ type: 'text', array: true })
  scopes: Scope[];

  @Column({ type: 'varchar', length: 4 })
  mode: 'live' | 'test';

  @Column({ type: 'uuid', nullable: true })
  createdByUserId: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null;
}
