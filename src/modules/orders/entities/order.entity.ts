import { Check, Column, Entity, Index } from 'typeorm';
import { BaseEntity, minorUnitsTransformer } from '@app/common';

/** The contract's statuses; which moves are legal lives in order-state-machine.ts only. */
export const ORDER_STATUSES = [
  'pending',
  'paid',
  'confirmed',
  'processing',
  'awaiting_shipment',
  'shipped',
  'in_transit',
  'out_for_delivery',
  'delivered',
  'completed',
  'cancelled',
  'refunded',
  'failed',
  'returned',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const TRANSITION_SOURCES = ['customer', 'merchant', 'system', 'carrier', 'payment'] as const;
export type TransitionSource = (typeof TRANSITION_SOURCES)[number];

export interface ShippingAddress {
  line_1: string;
  line_2: string | null;
  city: string;
  state: string | null;
  postal_code: string;
  country_alpha2: string;
  contact_name: string;
  contact_phone: string | null;
  contact_email: string | null;
}

/**
 * An order of one merchant. Amounts are integer minor units of `currency`, computed at checkout
 * from the database (never from the request) and never recomputed: the lines are a snapshot.
 * `version` grows with every transition, so a client can tell a stale view.
 */
@Entity('orders')
@Index('uq_orders_merchant_number', ['merchantId', 'orderNumber'], { unique: true })
@Index('idx_orders_merchant_created', ['merchantId', 'createdAt'])
@Index('idx_orders_merchant_status_created_id', ['merchantId', 'status', 'createdAt', 'id'])
@Index('idx_orders_customer_created', ['customerUserId', 'createdAt'])
// The merchant list's other sort orders: without them a large store's page sorts all its orders.
@Index('idx_orders_merchant_amount', ['merchantId', 'amountTotal', 'id'])
@Index('idx_orders_merchant_email', ['merchantId', 'customerEmail', 'id'])
@Index('idx_orders_merchant_name', ['merchantId', 'customerName', 'id'])
@Index('idx_orders_payment_intent', ['stripePaymentIntentId'])
@Index('idx_orders_search', { synchronize: false }) // GIN trigram over number, email and name, in the migration
@Index('idx_orders_merchant_number_prefix', { synchronize: false }) // (merchant_id, order_number varchar_pattern_ops): number-prefix search, in the migration
@Check('ck_orders_amounts', '"subtotal" >= 0 AND "shipping_fee" >= 0 AND "tax_amount" >= 0 AND "amount_total" >= 0')
export class Order extends BaseEntity {
  @Column({ type: 'uuid' })
  merchantId: string;

  @Column({ type: 'varchar', length: 32 })
  orderNumber: string;

  @Column({ type: 'enum', enum: ORDER_STATUSES, enumName: 'order_status', default: 'pending' })
  status: OrderStatus;

  @Column({ type: 'int', default: 1 })
  version: number;

  /** Null for a guest checkout. */
  @Column({ type: 'uuid', nullable: true })
  customerUserId: string | null;

  @Column({ type: 'varchar', length: 320 })
  customerEmail: string;

  @Column({ type: 'varchar', length: 200 })
  customerName: string;

  @Column({ type: 'char', length: 3 })
  currency: string;

  @Column({ type: 'bigint', transformer: minorUnitsTransformer })
  subtotal: number;

  @Column({ type: 'bigint', transformer: minorUnitsTransformer })
  shippingFee: number;

  @Column({ type: 'bigint', transformer: minorUnitsTransformer })
  taxAmount: number;

  @Column({ type: 'bigint', transformer: minorUnitsTransformer })
  amountTotal: number;

  /** True: the line prices already contain `tax_amount`; false: it was added on top. */
  @Column({ type: 'boolean', default: false })
  pricesIncludeTax: boolean;

  /** Basis points (2000 = 20 %), as applied at checkout. */
  @Column({ type: 'int', default: 0 })
  taxRateBps: number;

  @Column({ type: 'varchar', length: 100, nullable: true })
  shippingRateId: string | null;

  @Column({ type: 'jsonb' })
  shippingAddress: ShippingAddress;

  /** The stock hold for this order (inventory_reservations.reference = order id). */
  @Column({ type: 'uuid', nullable: true })
  reservationId: string | null;

  /** When the unpaid order is cancelled and its stock released. */
  @Column({ type: 'timestamptz' })
  expiresAt: Date;

  @Column({ type: 'varchar', length: 20, nullable: true })
  paymentProvider: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  paymentSessionId: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  stripePaymentIntentId: string | null;

  @Column({ type: 'text', nullable: true })
  checkoutUrl: string | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  successUrl: string | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  cancelUrl: string | null;

  @Column({ type: 'bigint', default: 0, transformer: minorUnitsTransformer })
  refundedAmount: number;

  @Column({ type: 'varchar', length: 100, nullable: true })
  trackingNumber: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  carrier: string | null;

  @Column({ type: 'varchar', length: 2048, nullable: true })
  trackingUrl: string | null;

  @Column({ type: 'varchar', length: 2048, nullable: true })
  labelUrl: string | null;

  @Column({ type: 'varchar', length: 30, nullable: true })
  labelState: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  utmSource: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  utmMedium: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  utmCampaign: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  utmTerm: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  utmContent: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  gclid: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  paidAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  shippedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  deliveredAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  completedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  cancelledAt: Date | null;

  @Column({ type: 'enum', enum: TRANSITION_SOURCES, enumName: 'order_transition_source', nullable: true })
  cancelledBy: TransitionSource | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  cancellationReason: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  refundedAt: Date | null;
}
