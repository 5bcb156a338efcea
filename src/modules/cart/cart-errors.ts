import { HttpStatus } from '@nestjs/common';
import { AppException } from '@app/common';

/**
 * The cart's own error codes, beside the common ones (ERR_NOT_FOUND for unknown or unlisted
 * products and variants, ERR_VALIDATION for bad bodies, ERR_OUT_OF_STOCK for quantities over what
 * is available). Clients switch on these, so they never change meaning.
 */
export const CartErrorCode = {
  /** No X-Session-ID header and no signed-in user: there is no cart to act on. */
  SessionRequired: 'ERR_CART_SESSION_REQUIRED',
  /** The X-Session-ID header is not 16–128 characters of [A-Za-z0-9_-]. */
  SessionInvalid: 'ERR_CART_SESSION_INVALID',
  /** The cart holds another store's products; a cart belongs to one store. */
  MerchantMismatch: 'ERR_CART_MERCHANT_MISMATCH',
  /** The product has no price in the cart's currency. */
  CurrencyMismatch: 'ERR_CART_CURRENCY_MISMATCH',
  /** One line would exceed the most units of a variant a cart may hold. */
  LineLimit: 'ERR_CART_LINE_LIMIT',
  /** The cart already has the most lines it may hold. */
  Full: 'ERR_CART_FULL',
  /** Checkout of an empty cart. */
  Empty: 'ERR_CART_EMPTY',
  /** Checkout of a cart with lines that cannot be bought now (unlisted, no price). */
  Unavailable: 'ERR_CART_ITEMS_UNAVAILABLE',
} as const;

export class CartException extends AppException {
  constructor(code: (typeof CartErrorCode)[keyof typeof CartErrorCode], message: string, status: HttpStatus, detail: unknown = null) {
    super(code, message, status, detail);
  }
}
