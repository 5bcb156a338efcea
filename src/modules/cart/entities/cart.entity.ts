import { Check, Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '@app/common';

/**
 * A signed-in user's cart: one per user, kept across sessions (guest carts live in Redis instead).
 * `merchant_id` and `currency` are those of its lines and are null while it is empty. Prices are
 * never stored: every read prices the lines from the catalog.
 */
@Entity('carts')
export class Cart extends BaseEntity {
  @Index('uq_carts_user', { unique: true })
  @Column({ type: 'uuid' })
  userId: string;

  @Column({ type: 'uuid', nullable: true })
  merchantId: string | null;

  @Column({ type: 'char', length: 3, nullable: true })
  currency: string | null;
}

/** One variant in a user's cart; a variant appears once per cart (adding it again sums). */
@Entity('cart_items')
@Index('uq_cart_items_cart_variant', ['cartId', 'variantId'], { unique: true })
@Check('ck_cart_items_quantity_positive', '"quantity" > 0')
export class CartItem extends BaseEntity {
  @Column({ type: 'uuid' })
  cartId: string;

  @Column({ type: 'uuid' })
  productId: string;

  @Column({ type: 'uuid' })
  variantId: string;

  @Column({ type: 'int' })
  quantity: number;

  /** Display order: the order lines were first added in. */
  @Column({ type: 'int', default: 0 })
  position: number;
}
