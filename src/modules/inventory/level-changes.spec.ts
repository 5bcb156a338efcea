import { applyChange, byVariantThenLocation, isLowStock, LevelChange, LockedLevel } from './level-changes';

const level = (over: Partial<LockedLevel> = {}): LockedLevel => ({
  id: 'l1',
  productId: 'p1',
  variantId: 'v1',
  locationId: 'loc',
  sku: null,
  onHand: 10,
  reserved: 3,
  allowBackorder: false,
  lowStockAlerted: false,
  lowStockThreshold: null,
  trackInventory: true,
  ...over,
});
const change = (op: LevelChange['op'], over: Partial<LevelChange> = {}): LevelChange => ({ levelId: 'l1', op, type: 'adjustment', reason: null, ...over });

describe('applyChange (the level rules, without a database)', () => {
  it('adjusts on_hand and reports the deltas and the resulting levels', () => {
    const l = level();
    expect(applyChange(l, change({ kind: 'adjust', delta: -4 }))).toMatchObject({ quantity: -4, onHandDelta: -4, reservedDelta: 0, onHandAfter: 6, reservedAfter: 3 });
    expect([l.onHand, l.reserved]).toEqual([6, 3]);
  });

  it('refuses to take on_hand below what is reserved (409 below_reserved), or below 0', () => {
    expect(() => applyChange(level(), change({ kind: 'adjust', delta: -8 }))).toThrow(expect.objectContaining({ detail: expect.objectContaining({ reason: 'below_reserved' }) }));
    expect(() => applyChange(level({ reserved: 0 }), change({ kind: 'adjust', delta: -11 }))).toThrow(expect.objectContaining({ detail: expect.objectContaining({ reason: 'on_hand_below_zero' }) }));
    expect(() => applyChange(level(), change({ kind: 'set', quantity: 2 }))).toThrow(/below the 3 units reserved/);
  });

  it('reserves only what is available, unless the level allows backorders', () => {
    const l = level();
    expect(applyChange(l, change({ kind: 'reserve', quantity: 7 }))).toMatchObject({ reservedDelta: 7, onHandDelta: 0, reservedAfter: 10 });
    expect(() => applyChange(l, change({ kind: 'reserve', quantity: 1 }))).toThrow(expect.objectContaining({ detail: expect.objectContaining({ reason: 'insufficient_stock', available: 0 }) }));
    const backorder = level({ allowBackorder: true });
    expect(applyChange(backorder, change({ kind: 'reserve', quantity: 20 }))).toMatchObject({ reservedAfter: 23, onHandAfter: 10 });
    // A backordered sale ships what there is: on_hand stops at 0.
    expect(applyChange(backorder, change({ kind: 'sale', quantity: 23 }))).toMatchObject({ onHandDelta: -10, reservedDelta: -23, onHandAfter: 0, reservedAfter: 0 });
  });

  it('sells (on_hand and reserved down) and releases (reserved down)', () => {
    const l = level();
    expect(applyChange(l, change({ kind: 'sale', quantity: 2 }))).toMatchObject({ onHandDelta: -2, reservedDelta: -2, onHandAfter: 8, reservedAfter: 1 });
    expect(applyChange(l, change({ kind: 'release', quantity: 1 }))).toMatchObject({ onHandDelta: 0, reservedDelta: -1, reservedAfter: 0 });
    expect(() => applyChange(l, change({ kind: 'release', quantity: 1 }))).toThrow(/Inconsistent reservation/);
  });

  it('changes nothing (no movement) for a set to the same value or a zero delta', () => {
    expect(applyChange(level(), change({ kind: 'set', quantity: 10 }))).toBeNull();
    expect(applyChange(level(), change({ kind: 'adjust', delta: 0 }))).toBeNull();
    expect(applyChange(level(), change({ kind: 'adjust', delta: 0 }, { allowBackorder: true }))).not.toBeNull();
  });

  it('refuses levels past a billion units with a 422', () => {
    expect(() => applyChange(level(), change({ kind: 'adjust', delta: 999_999_995 }))).toThrow(expect.objectContaining({ code: 'ERR_VALIDATION' }));
  });

  it('calls a level low at or below its threshold, only when tracked', () => {
    expect(isLowStock({ onHand: 8, reserved: 3, lowStockThreshold: 5, trackInventory: true })).toBe(true);
    expect(isLowStock({ onHand: 9, reserved: 3, lowStockThreshold: 5, trackInventory: true })).toBe(false);
    expect(isLowStock({ onHand: 0, reserved: 0, lowStockThreshold: null, trackInventory: true })).toBe(false);
    expect(isLowStock({ onHand: 0, reserved: 0, lowStockThreshold: 5, trackInventory: false })).toBe(false);
  });

  it('orders by variant, then location', () => {
    const rows = [
      { variantId: 'b', locationId: '1' },
      { variantId: 'a', locationId: '2' },
      { variantId: 'a', locationId: '1' },
    ];
    expect(rows.sort(byVariantThenLocation)).toEqual([
      { variantId: 'a', locationId: '1' },
      { variantId: 'a', locationId: '2' },
      { variantId: 'b', locationId: '1' },
    ]);
  });
});
