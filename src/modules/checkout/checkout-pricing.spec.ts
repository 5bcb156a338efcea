import { taxOf } from './checkout-pricing';

describe('taxOf', () => {
  it('adds exclusive tax, rounding half up', () => {
    expect(taxOf(10_000, 2000, false)).toBe(2000);
    expect(taxOf(999, 750, false)).toBe(75); // 74.925
    expect(taxOf(1, 5000, false)).toBe(1); // 0.5 rounds up
  });

  it('extracts inclusive tax so that net + tax = gross', () => {
    expect(taxOf(12_000, 2000, true)).toBe(2000);
    for (const gross of [1, 99, 1234, 99_999, 123_456_789]) {
      const tax = taxOf(gross, 1900, true);
      expect(tax).toBeGreaterThanOrEqual(0);
      expect(Math.abs(gross - tax - gross / 1.19)).toBeLessThanOrEqual(0.5);
    }
  });

  it('is zero without a rate or an amount', () => {
    expect(taxOf(5000, 0, false)).toBe(0);
    expect(taxOf(0, 2000, true)).toBe(0);
  });
});
