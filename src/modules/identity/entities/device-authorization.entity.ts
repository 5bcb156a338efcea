import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '@app/common';

export const DEVICE_STATUSES = ['pending', 'approved', 'denied', 'consumed'] as const;
export type DeviceStatus = (typeof DEVICE_STATUSES)[number];

/** An RFC 8628 device authorization: a CLI polls with the device code while a user approves the user code. */
@Entity('device_authorizations')
export class DeviceAuthorization extends BaseEntity {
  @Index('uq_device_authorizations_device_code', { unique: true })
  @Column({ type: 'char', length: 64 })
  deviceCodeHash: string;

  /** Shown to the user as XXXX-XXXX; stored without the dash, upper-case. */
  @Index('idx_device_authorizations_user_code', ['userCode'])
  @Column({ type: 'varchar', length: 16 })
  userCode: string;

  @Column({ type: 'varchar', length: 100 })
  clientId: string;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  scopes: string[];

  @Column({ type: 'enum', enum: DEVICE_STATUSES, enumName: 'device_authorization_status', default: 'pending' })
  status: DeviceStatus;

  @Column({ type: 'uuid', nullable: true })
  userId: string | null;

  @Column({ type: 'int', default: 5 })
  intervalSeconds: number;

  @Column({ type: 'timestamptz', nullable: true })
  lastPolledAt: Date | null;

  @Column({ type: 'timestamptz' })
  expiresAt: Date;
}
