import { ExecutionContext, SetMetadata } from '@nestjs/common';

export const STRICT_RATE_LIMIT = 'commerce:strict-rate-limit';

/** Applies the stricter per-IP limit (AUTH_RATE_LIMIT_PER_MINUTE) on top of the default one: for login-like routes. */
export const StrictRateLimit = (): ClassDecorator & MethodDecorator => SetMetadata(STRICT_RATE_LIMIT, true);

export function isStrictRateLimited(context: ExecutionContext): boolean {
  return Boolean(
    Reflect.getMetadata(STRICT_RATE_LIMIT, context.getHandler()) ?? Reflect.getMetadata(STRICT_RATE_LIMIT, context.getClass()),
  );
}
