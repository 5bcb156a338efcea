import { createParamDecorator, ExecutionContext, HttpStatus } from '@nestjs/common';
import { AuthenticatedRequest, isUuid, Principal } from '@app/common';
import { CartErrorCode, CartException } from './cart-errors';

/**
 * Whose cart a request acts on: the signed-in user's (PostgreSQL, kept across sessions) and/or the
 * guest cart of the `X-Session-ID` header (Redis, with a TTL). With both, the guest cart is merged
 * into the user's first.
 */
export interface CartOwner {
  userId?: string | null;
  sessionId?: string | null;
}

export const SESSION_ID_HEADER = 'x-session-id';

/** Long enough not to be guessed by accident, short enough for a Redis key; URL-safe. */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;

/**
 * The user a cart may belong to: a signed-in user of this service. API keys act for a store, not a
 * shopper, and tokens of an external identity provider name no local user (their `sub` is not ours),
 * so both shop as guests through their X-Session-ID.
 */
export function cartUserIdOf(principal: Principal | null | undefined): string | null {
  if (!principal || principal.kind !== 'user' || principal.external || !principal.userId) return null;
  return isUuid(principal.userId) ? principal.userId.toLowerCase() : null;
}

/** The X-Session-ID header, validated (400 when malformed); null when absent. */
export function sessionIdOf(headers: AuthenticatedRequest['headers']): string | null {
  const raw = headers[SESSION_ID_HEADER];
  if (raw === undefined || raw === '') return null;
  if (typeof raw !== 'string' || !SESSION_ID_PATTERN.test(raw)) {
    throw new CartException(CartErrorCode.SessionInvalid, 'X-Session-ID must be 16 to 128 characters of A-Z, a-z, 0-9, "_" and "-"', HttpStatus.BAD_REQUEST, {
      header: 'X-Session-ID',
    });
  }
  return raw;
}

/**
 * The CartOwner of a request. Cart routes are @Public(): the authentication guard still sets the
 * principal when a valid Bearer token is sent (and ignores an invalid one), so a signed-in user is
 * recognised and an anonymous caller shops with its session id. Checkout calls this too.
 */
export function cartOwnerOf(request: AuthenticatedRequest): CartOwner {
  return { userId: cartUserIdOf(request.principal), sessionId: sessionIdOf(request.headers) };
}

/** `@CurrentCartOwner() owner: CartOwner` in a controller: cartOwnerOf(the request). */
export const CurrentCartOwner = createParamDecorator((_: unknown, ctx: ExecutionContext): CartOwner => {
  return cartOwnerOf(ctx.switchToHttp().getRequest<AuthenticatedRequest>());
});
