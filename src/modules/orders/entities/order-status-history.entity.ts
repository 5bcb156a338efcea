import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '@app/common';
import { ORDER_STATUSES, type OrderStatus, TRANSITION_SOURCES, type TransitionSource } from './order.entity';

/** One row per transition (and one for creation, from_status null): who moved the order, when, why. */
@Entity('order_status_history')
@Index('idx_order_status_history_order', ['orderId', 'createdAt'])
export class OrderStatusHistory extends BaseEntity {
  @Column({ type: 'uuid' })
  merchantId: string;

  @Column({ type: 'uuid' })
  orderId: string;

  @Column({ type: 'enum', enum: ORDER_STATUSES, enumName: 'order_status', nullable: true })
  fromStatus: OrderStatus | null;

  @Column({ type: 'enum', enum: ORDER_STATUSES, enumName: 'order_status' })
  toStatus: OrderStatus;

  @Column({ type: 'enum', enum: TRANSITION_SOURCES, enumName: 'order_transition_source' })
  source: TransitionSource;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  note: string | null;

  /** The user, API key or provider event that caused it. */
  @Column({ type: 'varchar', length: 255, nullable: true })
  actorId: string | null;
}
