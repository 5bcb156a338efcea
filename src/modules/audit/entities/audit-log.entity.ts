import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '@app/common';

/** One mutating action by a user, an API key or the system, written in the same transaction as the change. */
@Entity('audit_logs')
@Index('idx_audit_logs_merchant_created', ['merchantId', 'createdAt', 'id'])
@Index('idx_audit_logs_created', ['createdAt', 'id'])
export class AuditLog extends BaseEntity {
  @Column({ type: 'uuid', nullable: true })
  merchantId: string | null;

  @Column({ type: 'varchar', length: 10 })
  actorType: 'user' | 'api_key' | 'system';

  @Column({ type: 'uuid', nullable: true })
  actorId: string | null;

  @Column({ type: 'varchar', length: 10, nullable: true })
  actorRole: string | null;

  /** `<entity>.<verb>`, e.g. `merchant.approve`, `api_key.create`. */
  @Column({ type: 'varchar', length: 100 })
  action: string;

  @Column({ type: 'varchar', length: 50 })
  entityType: string;

  @Column({ type: 'varchar', length: 100, nullable: true })
  entityId: string | null;

  /** `{field: {before, after}}` for changed fields only; secrets are redacted. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  changes: Record<string, { before: unknown; after: unknown }>;

  @Column({ type: 'varchar', length: 128, nullable: true })
  requestId: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip: string | null;
}
