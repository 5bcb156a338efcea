import { Column, Entity, Index } from 'typeorm';
import { BaseEntity, ROLES, type Role } from '@app/common';

@Entity('users')
export class User extends BaseEntity {
  /** Stored lower-cased, so the unique index makes emails case-insensitively unique. */
  @Index('uq_users_email', { unique: true })
  @Column({ type: 'varchar', length: 320 })
  email: string;

  @Column({ type: 'varchar', length: 200, default: '' })
  name: string;

  @Column({ type: 'varchar', length: 255 })
  passwordHash: string;

  @Column({ type: 'enum', enum: ROLES, enumName: 'user_role', default: 'customer' })
  role: Role;

  @Column({ type: 'boolean', default: true })
  isActive: boolean;

  @Column({ type: 'timestamptz', nullable: true })
  lastLoginAt: Date | null;
}
