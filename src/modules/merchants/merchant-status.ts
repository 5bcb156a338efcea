import { ConflictError } from '@app/common';
import type { MerchantStatus } from './entities/merchant.entity';

/** The merchant lifecycle (seed 003 plus suspension). Anything not listed is refused. */
export const MERCHANT_TRANSITIONS: Record<string, { from: MerchantStatus[]; to: MerchantStatus }> = {
  approve: { from: ['PENDING', 'REJECTED', 'SUSPENDED'], to: 'ACTIVE' },
  reject: { from: ['PENDING'], to: 'REJECTED' },
  suspend: { from: ['ACTIVE'], to: 'SUSPENDED' },
};
export type MerchantTransition = keyof typeof MERCHANT_TRANSITIONS;

export function nextMerchantStatus(current: MerchantStatus, transition: MerchantTransition): MerchantStatus {
  const rule = MERCHANT_TRANSITIONS[transition];
  if (!rule.from.includes(current)) {
    throw new ConflictError(`Cannot ${transition} a merchant that is ${current}`, { status: current, allowed_from: rule.from });
  }
  return rule.to;
}
