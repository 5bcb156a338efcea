import { platformFeeOf, transferAmounts } from './transfers.service';

describe('transfer amounts', () => {
  it('takes the fee on what the customer kept, half a minor unit up', () => {
    expect(platformFeeOf(3850, 'USD', 1000)).toBe(385);
    expect(platformFeeOf(3850, 'USD', 1250)).toBe(481); // 481.25
    expect(platformFeeOf(5, 'USD', 1000)).toBe(1); // 0.5 rounds up
    expect(platformFeeOf(3000, 'JPY', 333)).toBe(100); // 99.9
  });

  it('splits gross into refunded, fee and net that add up, down to a cancelled transfer', () => {
    expect(transferAmounts(3850, 0, 'USD', 1000)).toEqual({ refundedAmount: 0, platformFee: 385, netAmount: 3465 });
    expect(transferAmounts(3850, 1000, 'USD', 1000)).toEqual({ refundedAmount: 1000, platformFee: 285, netAmount: 2565 });
    expect(transferAmounts(3850, 3850, 'USD', 1000)).toEqual({ refundedAmount: 3850, platformFee: 0, netAmount: 0 });
    expect(transferAmounts(3850, 9999, 'USD', 1000)).toEqual({ refundedAmount: 3850, platformFee: 0, netAmount: 0 });
    for (const refunded of [0, 1, 17, 1234, 3849]) {
      const a = transferAmounts(3850, refunded, 'USD', 1234);
      expect(a.refundedAmount + a.platformFee + a.netAmount).toBe(3850);
    }
  });
});
