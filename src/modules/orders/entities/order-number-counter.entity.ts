import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '@app/common';

/** The last order number given per merchant and UTC day: ORD-YYYYMMDD-NNNN. */
@Entity('order_number_counters')
@Index('uq_order_number_counters', ['merchantId', 'day'], { unique: true })
export class OrderNumberCounter extends BaseEntity {
  @Column({ type: 'uuid' })
  merchantId: string;

  @Column({ type: 'date' })
  day: string;

  @Column({ type: 'int' })
  lastValue: number;
}

