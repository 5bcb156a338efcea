import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '@app/common';

/** Membership of a product in a collection (both of the same merchant). */
@Entity('collection_products')
@Index('uq_collection_products', ['collectionId', 'productId'], { unique: true })
@Index('idx_collection_products_product', ['productId'])
export class CollectionProduct extends BaseEntity {
  @Column({ type: 'uuid' })
  merchantId: string;

  @Column({ type: 'uuid' })
  collectionId: string;

  @Column({ type: 'uuid' })
  productId: string;

  @Column({ type: 'int', default: 0 })
  position: number;
}
