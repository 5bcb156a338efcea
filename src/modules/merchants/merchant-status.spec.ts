import { MERCHANT_STATUSES } from './entities/merchant.entity';
import { MERCHANT_TRANSITIONS, MerchantTransition, nextMerchantStatus } from './merchant-status';

describe('merchant status machine', () => {
  it.each([
    ['PENDING', 'approve', 'ACTIVE'],
    ['PENDING', 'reject', 'REJECTED'],
    ['ACTIVE', 'suspend', 'SUSPENDED'],
    ['SUSPENDED', 'approve', 'ACTIVE'],
    ['REJECTED', 'approve', 'ACTIVE'],
  ] as const)('%s --%s--> %s', (from, transition, to) => {
    expect(nextMerchantStatus(from, transition)).toBe(to);
  });

  it('refuses every other transition with a conflict', () => {
    const allowed = new Set(Object.entries(MERCHANT_TRANSITIONS).flatMap(([t, r]) => r.from.map((f) => `${f}:${t}`)));
    for (const status of MERCHANT_STATUSES) {
      for (const transition of Object.keys(MERCHANT_TRANSITIONS) as MerchantTransition[]) {
        if (allowed.has(`${status}:${transition}`)) continue;
        expect(() => nextMerchantStatus(status, transition)).toThrow(/Cannot/);
      }
    }
  });
});
