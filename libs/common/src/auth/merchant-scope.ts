import { ForbiddenError, ValidationError } from '../errors/app-exception';
import { isUuid } from '../tenancy/merchant-scoped.repository';
import type { Principal } from './principal';

/**
 * Which merchant's data a call acts on. A merchant (user or API key) always acts on its own store,
 * whatever it sends; an admin acts on the `merchant_id` it names, or on all merchants where a
 * route allows it (`undefined`).
 */
export function merchantScopeOf(principal: Principal, requestedMerchantId?: string): string | undefined {
  if (principal.role === 'admin') {
    if (requestedMerchantId !== undefined && !isUuid(requestedMerchantId)) {
      throw new ValidationError('merchant_id: must be a UUID', { merchant_id: ['must be a UUID'] });
    }
    return requestedMerchantId;
  }
  if (principal.role === 'merchant' && principal.merchantId) return principal.merchantId;
  throw new ForbiddenError('This route acts on a merchant\'s data');
}

/** As merchantScopeOf, for routes that act on exactly one merchant: an admin must name it. */
export function requireMerchantScope(principal: Principal, requestedMerchantId?: string): string {
  const merchantId = merchantScopeOf(principal, requestedMerchantId);
  if (!merchantId) throw new ValidationError('merchant_id is required for admins on this route', { merchant_id: ['is required'] });
  return merchantId;
}
