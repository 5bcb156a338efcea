import { ConflictError, OutOfStockError, ValidationError } from '@app/common';
import { MAX_QUANTITY } from './entities/inventory-level.entity';
import type { MovementType } from './entities/inventory-movement.entity';

/** What one change does to a level. */
export type LevelOp =
  | { kind: 'adjust'; delta: number }
  | { kind: 'set'; quantity: number }
  | { kind: 'reserve'; quantity: number }
  | { kind: 'release'; quantity: number }
  | { kind: 'sale'; quantity: number };

export interface LevelChange {
  levelId: string;
  op: LevelOp;
  type: MovementType;
  reason: string | null;
  reference?: string | null;
  reservationId?: string | null;
  /** Also switch the level's allow_backorder. */
  allowBackorder?: boolean;
  /** Where the change came from in the request (`items.3`), for error details. */
  label?: string;
}

/** A level as locked for a change, with what the low-stock rule needs from its product. */
export interface LockedLevel {
  id: string;
  productId: string;
  variantId: string;
  locationId: string;
  sku: string | null;
  onHand: number;
  reserved: number;
  allowBackorder: boolean;
  lowStockAlerted: boolean;
  lowStockThreshold: number | null;
  trackInventory: boolean;
}

export interface MovementDraft {
  change: LevelChange;
  level: LockedLevel;
  quantity: number;
  onHandDelta: number;
  reservedDelta: number;
  onHandAfter: number;
  reservedAfter: number;
}

/** `available <= threshold` for a tracked product with a threshold; the state one alert is sent for. */
export function isLowStock(level: Pick<LockedLevel, 'onHand' | 'reserved' | 'lowStockThreshold' | 'trackInventory'>): boolean {
  return level.trackInventory && level.lowStockThreshold !== null && level.onHand - level.reserved <= level.lowStockThreshold;
}

/**
 * Applies one change to a (locked) level in memory and returns the movement it makes, or null when
 * it changes nothing. Throws the API's errors: 409 when on_hand would fall below 0 or below what is
 * reserved, or when a reservation finds too little available; 422 past MAX_QUANTITY. Pure, so the
 * rules are unit-tested without a database.
 */
export function applyChange(level: LockedLevel, change: LevelChange): MovementDraft | null {
  const { op } = change;
  let onHandDelta = 0;
  let reservedDelta = 0;
  let quantity: number;
  switch (op.kind) {
    case 'adjust':
      onHandDelta = op.delta;
      quantity = op.delta;
      break;
    case 'set':
      onHandDelta = op.quantity - level.onHand;
      quantity = op.quantity;
      break;
    case 'reserve':
      reservedDelta = op.quantity;
      quantity = op.quantity;
      break;
    case 'release':
      reservedDelta = -op.quantity;
      quantity = op.quantity;
      break;
    case 'sale':
      // A backordered sale ships what is there; on_hand never goes below 0.
      reservedDelta = -op.quantity;
      onHandDelta = -Math.min(op.quantity, level.onHand);
      quantity = op.quantity;
      break;
  }
  const onHand = level.onHand + onHandDelta;
  const reserved = level.reserved + reservedDelta;
  const allowBackorder = change.allowBackorder ?? level.allowBackorder;
  const where = { ...(change.label ? { item: change.label } : {}), product_id: level.productId, variant_id: level.variantId, location_id: level.locationId };
  const available = level.onHand - level.reserved;

  if (onHand < 0) {
    throw new ConflictError(`Not enough stock: on_hand is ${level.onHand}, the change would take it to ${onHand}`, {
      reason: 'on_hand_below_zero',
      ...where,
      on_hand: level.onHand,
      reserved: level.reserved,
      requested: quantity,
    });
  }
  if (onHand > MAX_QUANTITY || reserved > MAX_QUANTITY) {
    const field = change.label ? `${change.label}.quantity` : 'quantity';
    throw new ValidationError(`${field}: the level would exceed ${MAX_QUANTITY} units`, { [field]: [`the level would exceed ${MAX_QUANTITY} units`] });
  }
  if (reserved < 0) {
    // Only a release or sale of more than is held gets here: the reservation and the level disagree.
    throw new ConflictError(`Inconsistent reservation: releasing ${-reservedDelta} of ${level.reserved} reserved`, { reason: 'reserved_below_zero', ...where });
  }
  if (!allowBackorder && reserved > onHand) {
    if (op.kind === 'reserve') {
      throw new OutOfStockError(`Insufficient stock for variant ${level.variantId}: ${Math.max(available, 0)} available, ${op.quantity} requested`, {
        reason: 'insufficient_stock',
        ...where,
        available: Math.max(available, 0),
        requested: op.quantity,
      });
    }
    throw new ConflictError(`on_hand cannot go below the ${level.reserved} units reserved for orders (it would be ${onHand})`, {
      reason: 'below_reserved',
      ...where,
      on_hand: level.onHand,
      reserved: level.reserved,
      requested_on_hand: onHand,
    });
  }

  const flagChanged = allowBackorder !== level.allowBackorder;
  level.onHand = onHand;
  level.reserved = reserved;
  level.allowBackorder = allowBackorder;
  if (onHandDelta === 0 && reservedDelta === 0 && !flagChanged) return null;
  return { change, level, quantity, onHandDelta, reservedDelta, onHandAfter: onHand, reservedAfter: reserved };
}

/** Canonical variant-then-location order: every transaction takes level locks in this order. */
export function byVariantThenLocation<T extends { variantId: string; locationId: string }>(a: T, b: T): number {
  if (a.variantId !== b.variantId) return a.variantId < b.variantId ? -1 : 1;
  if (a.locationId !== b.locationId) return a.locationId < b.locationId ? -1 : 1;
  return 0;
}
