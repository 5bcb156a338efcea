import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import {
  API_KEYS_ALLOWED,
  AuthenticatedRequest,
  ForbiddenError,
  IS_PUBLIC,
  Principal,
  Role,
  ROLES_KEY,
  Scope,
  SCOPE_KEY,
  UnauthorizedError,
} from '@app/common';
import { ApiKeyService } from './api-key.service';
import { TokenRejectedError } from './token-verifier.service';

/** `Authorization: Bearer ock_…` or `X-API-Key: ock_…`. */
function apiKeyOf(request: AuthenticatedRequest): string | undefined {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header) return header.trim();
  const auth = request.headers.authorization;
  if (typeof auth === 'string' && /^Bearer\s+ock_/i.test(auth)) return auth.replace(/^Bearer\s+/i, '').trim();
  return undefined;
}

/**
 * The one global guard: every route is private unless @Public(). It establishes the Principal
 * (merchant API key, or a JWT through passport-jwt), then enforces @Auth roles and API-key scopes.
 * On public routes a credential is optional and a bad one is ignored (storefronts send stale tokens).
 */
@Injectable()
export class AuthenticationGuard extends AuthGuard('jwt') {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeyService,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets) ?? false;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();

    let principal: Principal | undefined;
    try {
      principal = await this.authenticate(context, request);
    } catch (err) {
      if (!isPublic) throw err;
    }
    if (principal) request.principal = principal;
    if (isPublic) return true;
    if (!principal) throw new UnauthorizedError('Authentication required');

    const roles = this.reflector.getAllAndOverride<Role[]>(ROLES_KEY, targets) ?? [];
    if (roles.length && !roles.includes(principal.role)) throw new ForbiddenError('Your role cannot use this route');
    if (principal.role === 'merchant' && !principal.merchantId) throw new ForbiddenError('This merchant account has no store');

    if (principal.kind === 'api_key') {
      const apiKeysAllowed = this.reflector.getAllAndOverride<boolean>(API_KEYS_ALLOWED, targets) ?? false;
      if (!apiKeysAllowed) throw new ForbiddenError('API keys cannot use this route');
    }
    const required = this.reflector.getAllAndOverride<Scope>(SCOPE_KEY, targets) ?? (['GET', 'HEAD'].includes(request.method) ? 'read' : 'write');
    if (!principal.scopes.includes(required)) throw new ForbiddenError(`This credential lacks the ${required} scope`, { required_scope: required });
    return true;
  }

  private async authenticate(context: ExecutionContext, request: AuthenticatedRequest): Promise<Principal | undefined> {
    const apiKey = apiKeyOf(request);
    if (apiKey) return this.apiKeys.authenticate(apiKey);
    if (!request.headers.authorization) return undefined;
    await super.canActivate(context); // passport-jwt: verifies and calls JwtStrategy.validate
    return (request as AuthenticatedRequest & { user?: Principal }).user;
  }

  override handleRequest<T>(err: unknown, user: T, info: unknown): T {
    if (err instanceof TokenRejectedError) throw new UnauthorizedError(err.reason);
    if (err || !user) {
      const name = (info as Error | undefined)?.name;
      const reason = name === 'TokenExpiredError' ? 'Token expired' : name === 'NotBeforeError' ? 'Token not active yet' : 'Invalid token';
      throw new UnauthorizedError(reason);
    }
    return user;
  }
}
