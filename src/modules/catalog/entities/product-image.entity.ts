import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '@app/common';

/** An image of a product (or of one variant), in display order. The media module fills these. */
@Entity('product_images')
@Index('idx_product_images_product', ['productId', 'position'])
// The media module finds the images showing a media (delete, in-use checks of the expiry sweep).
@Index('idx_product_images_media', ['mediaId'], { where: 'media_id IS NOT NULL' })
export class ProductImage extends BaseEntity {
  @Column({ type: 'uuid' })
  merchantId: string;

  @Column({ type: 'uuid' })
  productId: string;

  @Column({ type: 'uuid', nullable: true })
  variantId: string | null;

  @Column({ type: 'uuid', nullable: true })
  mediaId: string | null;

  @Column({ type: 'varchar', length: 2048 })
  url: string;

  @Column({ type: 'varchar', length: 300, nullable: true })
  alt: string | null;

  @Column({ type: 'int', default: 0 })
  position: number;
}
