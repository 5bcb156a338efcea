import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { APP_CONFIG, AppConfig, Principal, ROLES, Role, Scope, SCOPES } from '@app/common';
import { AccessTokenClaims, TokenRejectedError, TokenVerifier } from './token-verifier.service';
import { AccessTokenDenyList } from './access-token-deny-list.service';

/** Maps verified claims to the request's Principal; unknown roles and scopes are dropped, not trusted. */
export function principalFromClaims(claims: AccessTokenClaims, external: boolean): Principal {
  const role: Role = ROLES.includes(claims.role as Role) ? (claims.role as Role) : 'customer';
  const rawScopes = Array.isArray(claims.scopes) ? claims.scopes : typeof claims.scope === 'string' ? claims.scope.split(' ') : [];
  const scopes = rawScopes.filter((s): s is Scope => SCOPES.includes(s as Scope));
  return {
    kind: 'user',
    userId: claims.sub,
    role,
    merchantId: role === 'merchant' ? (claims.merchant_id ?? null) : null,
    scopes: scopes.length ? scopes : ['read', 'write'],
    external,
    delegated: Boolean(claims.delegated),
    jti: claims.jti,
    exp: claims.exp,
  };
}

/** Bearer JWTs through @nestjs/passport + passport-jwt; the key comes from TokenVerifier per issuer. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    verifier: TokenVerifier,
    private readonly denyList: AccessTokenDenyList,
  ) {
    const issuers = [config.jwt.issuer, ...(config.jwt.external ? [config.jwt.external.issuer] : [])];
    const audiences = [config.jwt.audience, ...(config.jwt.external ? [config.jwt.external.audience] : [])];
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      ignoreExpiration: false,
      algorithms: ['HS256', 'RS256'],
      issuer: issuers,
      audience: audiences,
      jsonWebTokenOptions: { clockTolerance: 5 },
      // passport-jwt hands the key to jsonwebtoken's verify, which takes a KeyObject; its types say string | Buffer.
      secretOrKeyProvider: (_req: unknown, rawToken: string, done: (err: unknown, key?: string | Buffer) => void) => {
        verifier.keyFor(rawToken).then(({ key }) => done(null, key as unknown as Buffer), (err) => done(err));
      },
    });
  }

  async validate(claims: AccessTokenClaims): Promise<Principal> {
    // keyFor pinned the key and algorithm to the issuer; the audience must belong to that issuer too.
    const external = claims.iss !== this.config.jwt.issuer;
    const audience = external ? this.config.jwt.external?.audience : this.config.jwt.audience;
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!audience || !audiences.includes(audience) || !claims.sub) throw new TokenRejectedError('Invalid token');
    if (claims.jti && (await this.denyList.isDenied(claims.jti))) throw new TokenRejectedError('Token blacklisted');
    return principalFromClaims(claims, external);
  }
}
