import { Check, Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '@app/common';

/** The largest quantity a level, a movement or a request may carry (fits an int with room to add). */
export const MAX_QUANTITY = 1_000_000_000;

/**
 * The stock of one variant at one location: `on_hand` units are there, `reserved` of them are held
 * for orders not yet paid, `available = on_hand - reserved`. The CHECKs are the last line of
 * defence: the service changes these columns only with conditional UPDATEs that respect them.
 * `low_stock_alerted` remembers that an alert was sent for the current crossing of the product's
 * threshold, so one crossing gives one alert; going back above the threshold clears it (re-arms).
 */
@Entity('inventory_levels')
@Index('uq_inventory_levels_variant_location', ['variantId', 'locationId'], { unique: true })
@Index('idx_inventory_levels_product', ['merchantId', 'productId'])
@Check('ck_inventory_levels_on_hand_non_negative', '"on_hand" >= 0')
@Check('ck_inventory_levels_on_hand_max', `"on_hand" <= ${MAX_QUANTITY}`)
@Check('ck_inventory_levels_reserved_non_negative', '"reserved" >= 0')
@Check('ck_inventory_levels_reserved_within_on_hand', '"allow_backorder" OR "reserved" <= "on_hand"')
export class InventoryLevel extends BaseEntity {
  @Column({ type: 'uuid' })
  merchantId: string;

  @Column({ type: 'uuid' })
  productId: string;

  @Column({ type: 'uuid' })
  variantId: string;

  @Column({ type: 'uuid' })
  locationId: string;

  @Column({ type: 'int', default: 0 })
  onHand: number;

  @Column({ type: 'int', default: 0 })
  reserved: number;

  /** Reservations may exceed on_hand (selling stock that is on its way). */
  @Column({ type: 'boolean', default: false })
  allowBackorder: boolean;

  @Column({ type: 'boolean', default: false })
  lowStockAlerted: boolean;
}
