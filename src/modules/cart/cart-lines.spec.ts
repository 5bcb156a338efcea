import type { PurchasableVariant } from '../catalog/purchasable-variants';
import { addLine, CartContents, emptyCart, LineTarget, linesNamedBy, MAX_CART_LINES, MAX_LINE_QUANTITY, mergeCarts, removeLines, setLineQuantity, stockLimit } from './cart-lines';

const M1 = '11111111-1111-4111-8111-111111111111';
const M2 = '22222222-2222-4222-8222-222222222222';
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

const target = (variant: number, options: Partial<LineTarget> = {}): LineTarget => ({
  merchantId: M1,
  currency: 'USD',
  variantId: id(variant),
  productId: id(1000 + variant),
  stockLimit: null,
  ...options,
});

const variant = (n: number, options: Partial<PurchasableVariant> = {}): PurchasableVariant => ({
  merchantId: M1,
  productId: id(1000 + n),
  variantId: id(n),
  productName: `P${n}`,
  handle: `p${n}`,
  sku: null,
  attributes: {},
  imageUrl: null,
  unitPrice: 1000,
  currency: 'USD',
  problems: [],
  trackInventory: true,
  allowBackorder: false,
  available: 10,
  weightGrams: null,
  requiresShipping: true,
  ...options,
});

const cartOf = (merchantId: string, lines: [number, number][]): CartContents => ({
  merchantId,
  currency: 'USD',
  lines: lines.map(([n, quantity]) => ({ variantId: id(n), productId: id(1000 + n), quantity })),
});

const quantities = (c: CartContents) => c.lines.map((l) => [l.variantId, l.quantity]);

describe('cart rules', () => {
  it('adds a line to an empty cart, which takes the line\'s store and currency; the same variant again sums', () => {
    const one = addLine(emptyCart(), target(1), 2);
    expect(one).toEqual(cartOf(M1, [[1, 2]]));
    expect(quantities(addLine(one, target(1), 3))).toEqual([[id(1), 5]]);
    expect(quantities(addLine(one, target(2), 1))).toEqual([[id(1), 2], [id(2), 1]]);
  });

  it('refuses another store, another currency, the stock and the per-line maximum, counting what is in the cart', () => {
    const cart = cartOf(M1, [[1, 4]]);
    expect(() => addLine(cart, target(2, { merchantId: M2 }), 1)).toThrow(expect.objectContaining({ code: 'ERR_CART_MERCHANT_MISMATCH' }));
    expect(() => addLine(cart, target(2, { currency: 'EUR' }), 1)).toThrow(expect.objectContaining({ code: 'ERR_CART_CURRENCY_MISMATCH' }));
    expect(() => addLine(cart, target(1, { stockLimit: 5 }), 2)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_STOCK' }));
    expect(quantities(addLine(cart, target(1, { stockLimit: 5 }), 1))).toEqual([[id(1), 5]]);
    expect(() => addLine(cart, target(1), MAX_LINE_QUANTITY - 3)).toThrow(expect.objectContaining({ code: 'ERR_CART_LINE_LIMIT' }));
    // An emptied cart accepts any store again.
    expect(addLine(removeLines(cart, [id(1)]), target(2, { merchantId: M2 }), 1).merchantId).toBe(M2);
  });

  it('refuses a line past MAX_CART_LINES but still sums into an existing one', () => {
    const full = cartOf(M1, Array.from({ length: MAX_CART_LINES }, (_, i): [number, number] => [i + 1, 1]));
    expect(() => addLine(full, target(MAX_CART_LINES + 1), 1)).toThrow(expect.objectContaining({ code: 'ERR_CART_FULL' }));
    expect(addLine(full, target(1), 1).lines[0].quantity).toBe(2);
  });

  it('sets quantities: lowering always works, raising is checked, 0 removes, an unknown line is null', () => {
    const cart = cartOf(M1, [[1, 4], [2, 1]]);
    expect(quantities(setLineQuantity(cart, id(1), 2, null)!)).toEqual([[id(1), 2], [id(2), 1]]);
    expect(() => setLineQuantity(cart, id(1), 6, target(1, { stockLimit: 5 }))).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_STOCK' }));
    expect(quantities(setLineQuantity(cart, id(1), 0, null)!)).toEqual([[id(2), 1]]);
    expect(setLineQuantity(cart, id(3), 1, null)).toBeNull();
    expect(setLineQuantity(cartOf(M1, [[1, 1]]), id(1), 0, null)).toEqual(emptyCart());
  });

  it('names lines by variant id first, else by product id (all of its lines)', () => {
    const cart: CartContents = { merchantId: M1, currency: 'USD', lines: [{ variantId: id(1), productId: id(9), quantity: 1 }, { variantId: id(2), productId: id(9), quantity: 1 }] };
    expect(linesNamedBy(cart, id(2)).map((l) => l.variantId)).toEqual([id(2)]);
    expect(linesNamedBy(cart, id(9).toUpperCase()).map((l) => l.variantId)).toEqual([id(1), id(2)]);
    expect(linesNamedBy(cart, id(7))).toEqual([]);
  });

  it('has no stock limit for products that do not track inventory or allow backorders', () => {
    expect(stockLimit(variant(1, { available: -2 }))).toBe(0);
    expect(stockLimit(variant(1, { available: 3 }))).toBe(3);
    expect(stockLimit(variant(1, { trackInventory: false, available: 0 }))).toBeNull();
    expect(stockLimit(variant(1, { allowBackorder: true, available: 0 }))).toBeNull();
  });
});

describe('merging a guest cart into the user\'s', () => {
  const variants = (...list: PurchasableVariant[]) => new Map(list.map((v) => [v.variantId, v]));

  it('gives an empty user cart the guest cart', () => {
    const guest = cartOf(M2, [[1, 2]]);
    const { cart, warnings } = mergeCarts(emptyCart(), guest, variants(variant(1, { merchantId: M2 })));
    expect(cart).toEqual(guest);
    expect(warnings).toEqual([]);
  });

  it('sums the same store\'s lines, capped by the stock but never below what the user had', () => {
    const user = cartOf(M1, [[1, 3], [2, 5]]);
    const guest = cartOf(M1, [[1, 3], [2, 1], [3, 2]]);
    const { cart, warnings } = mergeCarts(user, guest, variants(variant(1, { available: 4 }), variant(2, { available: 2 }), variant(3)));
    expect(quantities(cart)).toEqual([[id(1), 4], [id(2), 5], [id(3), 2]]);
    expect(warnings.map((w) => [w.code, w.variant_id])).toEqual([
      ['merge_quantity_reduced', id(1)],
      ['merge_quantity_reduced', id(2)],
    ]);
  });

  it('drops guest lines that cannot be bought at all, and says so', () => {
    const { cart, warnings } = mergeCarts(
      cartOf(M1, [[1, 1]]),
      cartOf(M1, [[2, 1], [3, 1], [4, 1]]),
      variants(variant(2, { available: 0 }), variant(3, { problems: ['product_not_active'] })),
    );
    expect(quantities(cart)).toEqual([[id(1), 1]]);
    expect(warnings.map((w) => [w.code, w.variant_id])).toEqual([
      ['merge_item_dropped', id(2)],
      ['merge_item_dropped', id(3)],
      ['merge_item_dropped', id(4)],
    ]);
  });

  it('keeps a non-empty user cart of another store as it is', () => {
    const user = cartOf(M1, [[1, 1]]);
    const { cart, warnings } = mergeCarts(user, cartOf(M2, [[2, 1]]), variants(variant(2, { merchantId: M2 })));
    expect(cart).toBe(user);
    expect(warnings).toEqual([expect.objectContaining({ code: 'merge_other_store_discarded', merchant_id: M2 })]);
  });

  it('does not grow the user cart past MAX_CART_LINES', () => {
    const user = cartOf(M1, Array.from({ length: MAX_CART_LINES }, (_, i): [number, number] => [i + 1, 1]));
    const { cart, warnings } = mergeCarts(user, cartOf(M1, [[MAX_CART_LINES + 1, 1]]), variants(variant(MAX_CART_LINES + 1)));
    expect(cart.lines).toHaveLength(MAX_CART_LINES);
    expect(warnings.map((w) => w.code)).toEqual(['merge_item_dropped']);
  });
});
