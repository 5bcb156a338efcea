import { Inject, Injectable } from '@nestjs/common';
import * as jwt from 'jsonwebtoken';
import type { JwksClient } from 'jwks-rsa';
import { createPublicKey, KeyObject } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '@app/common';
import { jwtSecretKey } from './jwt-secret-key';

/** The claims of an access token, ours or the external provider's. */
export interface AccessTokenClaims extends jwt.JwtPayload {
  sub: string;
  role?: string;
  merchant_id?: string | null;
  scopes?: string[];
  scope?: string;
  delegated?: boolean;
  jti?: string;
}

export class TokenRejectedError extends Error {
  constructor(readonly reason: 'Token expired' | 'Invalid token' | 'Token blacklisted' | 'Token not active yet') {
    super(reason);
  }
}

const CLOCK_TOLERANCE_SECONDS = 5;

/**
 * Decides which key verifies a token: our own HS256 secret for tokens we issued, the external
 * provider's RS256 key (by `kid`, from its JWKS) for tokens it issued. The algorithm is fixed per
 * issuer, so neither `alg: none` nor an HS256 token signed with a public key gets through.
 */
@Injectable()
export class TokenVerifier {
  private readonly jwks?: JwksClient;
  private readonly ownKey: KeyObject;
  /** The external provider's keys as KeyObjects, by their PEM (jwks-rsa caches the PEMs by kid). */
  private readonly externalKeys = new Map<string, KeyObject>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.ownKey = jwtSecretKey(config);
    const external = config.jwt.external;
    if (external) {
      // Required here, not imported: jwks-rsa and jose (~65 modules, 20–40 ms) load only when an
      // external provider is configured, not at every API start (issue 9: cold start).
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { JwksClient } = require('jwks-rsa') as typeof import('jwks-rsa');
      this.jwks = new JwksClient({ jwksUri: external.jwksUrl, cache: true, cacheMaxAge: 10 * 60_000, rateLimit: true, jwksRequestsPerMinute: 10, timeout: 5_000 });
    }
  }

  /** The verification key for a raw token, or a TokenRejectedError. */
  async keyFor(rawToken: string): Promise<{ key: KeyObject; algorithm: jwt.Algorithm; issuer: string; audience: string; external: boolean }> {
    const decoded = jwt.decode(rawToken, { complete: true });
    if (!decoded || typeof decoded.payload !== 'object') throw new TokenRejectedError('Invalid token');
    const { alg, kid } = decoded.header;
    const issuer = decoded.payload.iss;
    if (issuer === this.config.jwt.issuer) {
      if (alg !== 'HS256') throw new TokenRejectedError('Invalid token');
      return { key: this.ownKey, algorithm: 'HS256', issuer, audience: this.config.jwt.audience, external: false };
    }
    const external = this.config.jwt.external;
    if (external && this.jwks && issuer === external.issuer) {
      if (alg !== 'RS256' || !kid) throw new TokenRejectedError('Invalid token');
      try {
        const pem = (await this.jwks.getSigningKey(kid)).getPublicKey();
        let key = this.externalKeys.get(pem);
        if (!key) {
          // Bounded by the provider's key rotation; cleared in case it rotates very often.
          if (this.externalKeys.size >= 100) this.externalKeys.clear();
          key = createPublicKey(pem);
          this.externalKeys.set(pem, key);
        }
        return { key, algorithm: 'RS256', issuer, audience: external.audience, external: true };
      } catch {
        throw new TokenRejectedError('Invalid token');
      }
    }
    throw new TokenRejectedError('Invalid token');
  }

  /** Verifies signature, issuer, audience, expiry and not-before. */
  async verify(rawToken: string): Promise<{ claims: AccessTokenClaims; external: boolean }> {
    const { key, algorithm, issuer, audience, external } = await this.keyFor(rawToken);
    try {
      const claims = jwt.verify(rawToken, key, { algorithms: [algorithm], issuer, audience, clockTolerance: CLOCK_TOLERANCE_SECONDS }) as AccessTokenClaims;
      if (!claims.sub) throw new TokenRejectedError('Invalid token');
      return { claims, external };
    } catch (err) {
      if (err instanceof TokenRejectedError) throw err;
      if (err instanceof jwt.TokenExpiredError) throw new TokenRejectedError('Token expired');
      if (err instanceof jwt.NotBeforeError) throw new TokenRejectedError('Token not active yet');
      throw new TokenRejectedError('Invalid token');
    }
  }
}
