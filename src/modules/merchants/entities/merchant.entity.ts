import { Check, Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '@app/common';

export const MERCHANT_STATUSES = ['PENDING', 'ACTIVE', 'REJECTED', 'SUSPENDED'] as const;
export type MerchantStatus = (typeof MERCHANT_STATUSES)[number];

/** A store. Its owner is a user with role `merchant`; one store per owner. */
@Entity('merchants')
@Check('ck_merchants_platform_fee', '"platform_fee_percentage" IS NULL OR ("platform_fee_percentage" >= 0 AND "platform_fee_percentage" <= 100)')
export class Merchant extends BaseEntity {
  @Index('uq_merchants_owner', { unique: true })
  @Column({ type: 'uuid' })
  ownerUserId: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Index('uq_merchants_slug', { unique: true })
  @Column({ type: 'varchar', length: 100 })
  slug: string;

  @Column({ type: 'varchar', length: 320 })
  email: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ type: 'varchar', length: 2048, nullable: true })
  logoUrl: string | null;

  @Column({ type: 'uuid', nullable: true })
  logoMediaId: string | null;

  @Column({ type: 'char', length: 3, default: 'USD' })
  defaultCurrency: string;

  @Column({ type: 'text', array: true, default: () => "'{USD}'" })
  supportedCurrencies: string[];

  @Column({ type: 'varchar', length: 16, default: 'en' })
  defaultLocale: string;

  @Column({ type: 'text', array: true, default: () => "'{en}'" })
  supportedLocales: string[];

  @Column({ type: 'varchar', length: 7, nullable: true })
  primaryColor: string | null;

  @Index('idx_merchants_status')
  @Column({ type: 'enum', enum: MERCHANT_STATUSES, enumName: 'merchant_status', default: 'PENDING' })
  status: MerchantStatus;

  @Column({ type: 'text', nullable: true })
  statusReason: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  statusChangedAt: Date | null;

  @Column({ type: 'char', length: 2, nullable: true })
  originCountryAlpha2: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  originCity: string | null;

  @Column({ type: 'varchar', length: 20, nullable: true })
  originPostalCode: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  originLine_1: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  originLine_2: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  originState: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  contactName: string | null;

  @Column({ type: 'varchar', length: 50, nullable: true })
  contactPhone: string | null;

  @Column({ type: 'varchar', length: 320, nullable: true })
  contactEmail: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  companyName: string | null;

  /** The merchant's connected Stripe account (acct_…): its sales are then transferred to it, less the platform fee. */
  @Column({ type: 'varchar', length: 255, nullable: true })
  connectedAccountId: string | null;

  /** Percent with two decimals ("12.50"), set by an admin; null = PLATFORM_FEE_PERCENTAGE. pg returns numeric as a string. */
  @Column({ type: 'numeric', precision: 5, scale: 2, nullable: true })
  platformFeePercentage: string | null;
}
