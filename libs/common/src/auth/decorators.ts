import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { API_KEY_AUTH, BEARER_AUTH } from '../http/openapi';
import type { Principal, RequestContext, Role, Scope } from './principal';

export const IS_PUBLIC = 'commerce:is-public';
export const ROLES_KEY = 'commerce:roles';
export const SCOPE_KEY = 'commerce:scope';
export const API_KEYS_ALLOWED = 'commerce:api-keys-allowed';

/** Routes are private unless marked public. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

function authDecorators(roles: Role[], apiKeys: boolean) {
  return applyDecorators(
    SetMetadata(ROLES_KEY, roles),
    SetMetadata(API_KEYS_ALLOWED, apiKeys),
    ApiBearerAuth(BEARER_AUTH),
    ...(apiKeys ? [ApiSecurity(API_KEY_AUTH)] : []),
  );
}

/**
 * The roles that may call a route (any authenticated caller when omitted) and the security
 * schemes shown in the OpenAPI document. Merchant routes accept merchant API keys too.
 */
export function Auth(...roles: Role[]) {
  return authDecorators(roles, roles.length === 0 || roles.includes('merchant'));
}

/** As @Auth, but for signed-in users only: API keys are refused (e.g. managing API keys). */
export function UserAuth(...roles: Role[]) {
  return authDecorators(roles, false);
}

/**
 * The API-key scope a route needs. Defaults: `read` for GET/HEAD, `write` for everything else, so a
 * read-only key cannot change anything unless a route says otherwise.
 */
export const RequireScope = (scope: Scope) => SetMetadata(SCOPE_KEY, scope);

export interface AuthenticatedRequest extends FastifyRequest {
  principal?: Principal;
}

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal | undefined => {
  return ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal;
});

export function requestContextOf(request: AuthenticatedRequest): RequestContext {
  return {
    principal: request.principal ?? null,
    requestId: String(request.id),
    ip: request.ip,
    userAgent: typeof request.headers['user-agent'] === 'string' ? request.headers['user-agent'].slice(0, 300) : undefined,
  };
}

/** The request's RequestContext, for passing explicitly into service calls (Vendure's ctx-first style). */
export const Ctx = createParamDecorator((_: unknown, ctx: ExecutionContext): RequestContext => {
  return requestContextOf(ctx.switchToHttp().getRequest<AuthenticatedRequest>());
});
