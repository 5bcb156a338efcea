import { HttpStatus } from '@nestjs/common';
import { OutOfStockError } from '@app/common';
import type { PurchasableVariant } from '../catalog/purchasable-variants';
import { MAX_RESERVATION_LINES } from '../inventory/inventory.service';
import { CartErrorCode, CartException } from './cart-errors';

/**
 * What a cart stores, whichever store keeps it (Redis for guests, PostgreSQL for users): which
 * variants, how many, and the store and currency they belong to. Never a price: reads price the
 * lines from the catalog every time. The functions here are the cart's rules as pure functions of
 * that content, so both stores apply exactly the same ones inside their atomic updates.
 */
export interface CartLine {
  variantId: string;
  productId: string;
  quantity: number;
}

export interface CartContents {
  /** The store of every line; null while the cart is empty. */
  merchantId: string | null;
  /** The currency the lines are priced in; null while the cart is empty. */
  currency: string | null;
  /** In the order they were first added. */
  lines: CartLine[];
}

export const emptyCart = (): CartContents => ({ merchantId: null, currency: null, lines: [] });

/** The most units of one variant a cart may hold, whatever the stock (a typo guard, not a stock rule). */
export const MAX_LINE_QUANTITY = 999;

/** The most lines a cart may hold: what checkout can reserve in one reservation. */
export const MAX_CART_LINES = MAX_RESERVATION_LINES;

/** Something the shopper should know about the cart, shown with it (not an error). */
export interface CartWarning {
  code: string;
  message: string;
  product_id?: string;
  variant_id?: string;
  merchant_id?: string;
}

/**
 * The most units of the variant the store can sell now: on_hand − reserved for products that track
 * inventory without backorders; null (no limit) for products that do not track inventory or allow
 * backorders. Listing problems (unpublished…) are not stock: they are checked separately.
 */
export function stockLimit(variant: Pick<PurchasableVariant, 'trackInventory' | 'allowBackorder' | 'available'>): number | null {
  return variant.trackInventory && !variant.allowBackorder ? Math.max(variant.available, 0) : null;
}

/** What an add or a quantity change checks, for one variant, read just before the update. */
export interface LineTarget {
  merchantId: string;
  currency: string;
  variantId: string;
  productId: string;
  /** stockLimit() of the variant. */
  stockLimit: number | null;
}

function assertQuantityAllowed(target: LineTarget, quantity: number, inCart: number): void {
  if (quantity > MAX_LINE_QUANTITY) {
    throw new CartException(CartErrorCode.LineLimit, `A cart holds at most ${MAX_LINE_QUANTITY} units of one variant (${inCart} already in the cart)`, HttpStatus.UNPROCESSABLE_ENTITY, {
      max_quantity: MAX_LINE_QUANTITY,
      in_cart: inCart,
      variant_id: target.variantId,
    });
  }
  if (target.stockLimit !== null && quantity > target.stockLimit) {
    throw new OutOfStockError(`Only ${target.stockLimit} available of variant ${target.variantId}; ${quantity} requested (${inCart} already in the cart)`, {
      reason: 'insufficient_stock',
      product_id: target.productId,
      variant_id: target.variantId,
      available: target.stockLimit,
      requested: quantity,
      in_cart: inCart,
    });
  }
}

/** 409 ERR_CART_MERCHANT_MISMATCH when a non-empty cart belongs to another store. */
export function assertSameStore(cart: CartContents, merchantId: string): void {
  if (cart.lines.length && cart.merchantId !== merchantId) {
    throw new CartException(
      CartErrorCode.MerchantMismatch,
      'The cart holds products of another store; a cart belongs to one store (empty it or check it out first)',
      HttpStatus.CONFLICT,
      { cart_merchant_id: cart.merchantId, product_merchant_id: merchantId },
    );
  }
}

/**
 * Adds `quantity` units (summed with a line of the same variant). Refused, with the cart unchanged:
 * another store's product in a non-empty cart (409), a currency other than the cart's (409), more
 * than MAX_LINE_QUANTITY or than the stock allows in total (422 / 409), a line past MAX_CART_LINES (422).
 */
export function addLine(cart: CartContents, target: LineTarget, quantity: number): CartContents {
  const empty = cart.lines.length === 0;
  assertSameStore(cart, target.merchantId);
  if (!empty && cart.currency !== target.currency) {
    throw new CartException(CartErrorCode.CurrencyMismatch, `The cart is priced in ${cart.currency}, this product in ${target.currency}`, HttpStatus.CONFLICT, {
      cart_currency: cart.currency,
      product_currency: target.currency,
    });
  }
  const existing = cart.lines.find((l) => l.variantId === target.variantId);
  const inCart = existing?.quantity ?? 0;
  assertQuantityAllowed(target, inCart + quantity, inCart);
  if (!existing && cart.lines.length >= MAX_CART_LINES) {
    throw new CartException(CartErrorCode.Full, `A cart holds at most ${MAX_CART_LINES} different items`, HttpStatus.UNPROCESSABLE_ENTITY, { max_lines: MAX_CART_LINES });
  }
  const lines = existing
    ? cart.lines.map((l) => (l === existing ? { ...l, quantity: inCart + quantity } : l))
    : [...cart.lines, { variantId: target.variantId, productId: target.productId, quantity }];
  return { merchantId: target.merchantId, currency: target.currency, lines };
}

/**
 * Sets a line's quantity (0 removes it). Lowering is always allowed, even for a line that can no
 * longer be bought; raising is checked like an add. Null when the line is not in the cart.
 */
export function setLineQuantity(cart: CartContents, variantId: string, quantity: number, target: LineTarget | null): CartContents | null {
  const existing = cart.lines.find((l) => l.variantId === variantId);
  if (!existing) return null;
  if (quantity === 0) return removeLines(cart, [variantId]);
  if (quantity > existing.quantity) {
    if (!target) throw new Error('setLineQuantity: raising a quantity needs the variant\'s target');
    assertQuantityAllowed(target, quantity, existing.quantity);
  }
  return { ...cart, lines: cart.lines.map((l) => (l === existing ? { ...l, quantity } : l)) };
}

/** Removes the lines of these variants; an emptied cart forgets its store and currency. */
export function removeLines(cart: CartContents, variantIds: string[]): CartContents {
  const lines = cart.lines.filter((l) => !variantIds.includes(l.variantId));
  return lines.length ? { ...cart, lines } : emptyCart();
}

/**
 * The variants a path id names: the line of that variant, else every line of that product (a
 * product id names its lines when the shopper thinks in products, as seed 001's clients do).
 */
export function linesNamedBy(cart: CartContents, id: string): CartLine[] {
  const key = id.toLowerCase();
  const byVariant = cart.lines.filter((l) => l.variantId === key);
  return byVariant.length ? byVariant : cart.lines.filter((l) => l.productId === key);
}

/**
 * The guest cart merged into the user's at sign-in. The rule:
 * - an empty user cart takes the guest cart (its store and currency);
 * - same store: quantities of a variant are summed, then capped by MAX_LINE_QUANTITY and the stock
 *   (never below what the user cart already held); guest lines that can no longer be bought at all
 *   (unlisted, sold out) or past MAX_CART_LINES are dropped;
 * - another store while the user cart has lines: the user cart is kept as it is.
 * Every reduction or drop is reported as a warning; the caller then deletes the guest cart.
 */
export function mergeCarts(user: CartContents, guest: CartContents, variants: Map<string, PurchasableVariant>): { cart: CartContents; warnings: CartWarning[] } {
  const warnings: CartWarning[] = [];
  if (!guest.lines.length) return { cart: user, warnings };
  if (user.lines.length && user.merchantId !== guest.merchantId) {
    warnings.push({
      code: 'merge_other_store_discarded',
      message: 'The cart from before you signed in held another store\'s products; your saved cart was kept and those items were not added',
      merchant_id: guest.merchantId ?? undefined,
    });
    return { cart: user, warnings };
  }
  const base = user.lines.length ? user : { merchantId: guest.merchantId, currency: guest.currency, lines: [] };
  const lines = base.lines.map((l) => ({ ...l }));
  for (const g of guest.lines) {
    const variant = variants.get(g.variantId);
    const listed = variant !== undefined && variant.merchantId === base.merchantId && variant.problems.every((p) => p === 'no_price_in_currency');
    const cap = listed ? Math.min(MAX_LINE_QUANTITY, stockLimit(variant) ?? Number.POSITIVE_INFINITY) : 0;
    const existing = lines.find((l) => l.variantId === g.variantId);
    const had = existing?.quantity ?? 0;
    const wanted = had + g.quantity;
    const merged = Math.max(had, Math.min(wanted, cap));
    const ids = { product_id: g.productId, variant_id: g.variantId };
    if (!existing && (merged === 0 || lines.length >= MAX_CART_LINES)) {
      warnings.push({ code: 'merge_item_dropped', message: merged === 0 ? 'An item from before you signed in is no longer available and was not added' : `The cart is full (${MAX_CART_LINES} items); an item from before you signed in was not added`, ...ids });
      continue;
    }
    if (merged < wanted) warnings.push({ code: 'merge_quantity_reduced', message: `An item's quantity was reduced to ${merged} (what can be bought now)`, ...ids });
    if (existing) existing.quantity = merged;
    else lines.push({ ...g, quantity: merged });
  }
  return { cart: { ...base, lines }, warnings };
}
