import { bpsToPercentage, percentageToBps, platformFeeBpsOf } from './merchant-payouts';

describe('merchant payout percentages', () => {
  it('turns percentages with up to two decimals into basis points without float rounding', () => {
    expect([percentageToBps('10'), percentageToBps('10.00'), percentageToBps(12.5), percentageToBps('0.01'), percentageToBps('100'), percentageToBps(0)]).toEqual([1000, 1000, 1250, 1, 10000, 0]);
    // 0.29 * 100 is 28.999999999999996 in floating point; the string arithmetic is exact.
    expect(percentageToBps(0.29)).toBe(29);
  });

  it('refuses anything else', () => {
    for (const bad of ['100.01', '12.345', '-1', '', 'ten', 1e-7, '1,5']) expect(() => percentageToBps(bad)).toThrow(RangeError);
  });

  it('formats basis points with two decimals', () => {
    expect([bpsToPercentage(1000), bpsToPercentage(1250), bpsToPercentage(1), bpsToPercentage(0), bpsToPercentage(10000)]).toEqual(['10.00', '12.50', '0.01', '0.00', '100.00']);
  });

  it('uses the store\'s own fee, else the default', () => {
    expect(platformFeeBpsOf({ platformFeePercentage: '7.25' }, 10)).toBe(725);
    expect(platformFeeBpsOf({ platformFeePercentage: null }, 10)).toBe(1000);
    expect(platformFeeBpsOf(null, 2.5)).toBe(250);
  });
});
