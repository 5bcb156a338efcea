import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '@app/common';

/**
 * One refresh token of a rotation family. Each works once: using it marks it used and issues the
 * next in the same family; presenting a used one again means it leaked, and the family is revoked.
 */
@Entity('refresh_tokens')
@Index('idx_refresh_tokens_family', ['familyId'])
@Index('idx_refresh_tokens_user', ['userId'])
export class RefreshToken extends BaseEntity {
  @Column({ type: 'uuid' })
  userId: string;

  @Column({ type: 'uuid' })
  familyId: string;

  /** SHA-256 of the token; the token itself is never stored. */
  @Index('uq_refresh_tokens_hash', { unique: true })
  @Column({ type: 'char', length: 64 })
  tokenHash: string;

  @Column({ type: 'varchar', length: 100, nullable: true })
  clientId: string | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  scopes: string[];

  /** Issued through a delegated grant (device flow). */
  @Column({ type: 'boolean', default: false })
  delegated: boolean;

  @Column({ type: 'timestamptz' })
  expiresAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  usedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null;
}
