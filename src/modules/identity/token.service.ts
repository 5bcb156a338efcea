import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import * as jwt from 'jsonwebtoken';
import { createHash, KeyObject, randomBytes, randomUUID } from 'node:crypto';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { APP_CONFIG, AppConfig, Role, Scope, UnauthorizedError } from '@app/common';
import { AccessTokenDenyList } from './access-token-deny-list.service';
import { jwtSecretKey } from './jwt-secret-key';
import { RefreshToken } from './entities/refresh-token.entity';

export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

export interface TokenSubject {
  userId: string;
  role: Role;
  merchantId: string | null;
}

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: 'bearer';
  expires_in: number;
  scope?: string;
}

export interface GrantOptions {
  scopes?: Scope[];
  clientId?: string | null;
  delegated?: boolean;
}

/** Issues access tokens (JWT, HS256) and opaque refresh tokens that rotate on every use. */
@Injectable()
export class TokenService {
  private readonly signingKey: KeyObject;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly denyList: AccessTokenDenyList,
  ) {
    this.signingKey = jwtSecretKey(config);
  }

  signAccessToken(subject: TokenSubject, options: GrantOptions = {}): string {
    const claims: Record<string, unknown> = {
      role: subject.role,
      scopes: options.scopes ?? ['read', 'write'],
      delegated: options.delegated ?? false,
    };
    if (subject.merchantId) claims.merchant_id = subject.merchantId;
    if (options.clientId) claims.client_id = options.clientId;
    return jwt.sign(claims, this.signingKey, {
      algorithm: 'HS256',
      subject: subject.userId,
      issuer: this.config.jwt.issuer,
      audience: this.config.jwt.audience,
      expiresIn: this.config.jwt.accessTtlSeconds,
      jwtid: randomUUID(),
    });
  }

  /** A new access token and a refresh token opening (or continuing) a rotation family. */
  async issuePair(subject: TokenSubject, options: GrantOptions = {}, manager: EntityManager = this.dataSource.manager, familyId: string = randomUUID()): Promise<TokenPair> {
    const refreshToken = `rt_${randomBytes(32).toString('base64url')}`;
    await manager.getRepository(RefreshToken).insert({
      userId: subject.userId,
      familyId,
      tokenHash: sha256(refreshToken),
      clientId: options.clientId ?? null,
      scopes: options.scopes ?? ['read', 'write'],
      delegated: options.delegated ?? false,
      expiresAt: new Date(Date.now() + this.config.jwt.refreshTtlSeconds * 1000),
    });
    const scopes = options.scopes ?? ['read', 'write'];
    return {
      access_token: this.signAccessToken(subject, options),
      refresh_token: refreshToken,
      token_type: 'bearer',
      expires_in: this.config.jwt.accessTtlSeconds,
      scope: scopes.join(' '),
    };
  }

  /**
   * Exchanges a refresh token for a new pair. A token works once: presenting a used one means it
   * was copied, so its whole family is revoked (the thief's and the owner's sessions both end).
   * `loadSubject` re-reads the user, so a deactivated user or changed role takes effect here.
   */
  async rotate(refreshToken: string, loadSubject: (userId: string, manager: EntityManager) => Promise<TokenSubject | null>): Promise<TokenPair> {
    const outcome = await this.dataSource.transaction(async (manager) => {
      const repo = manager.getRepository(RefreshToken);
      const row = await repo.findOne({ where: { tokenHash: sha256(refreshToken) }, lock: { mode: 'pessimistic_write' } });
      if (!row || row.revokedAt || row.expiresAt.getTime() <= Date.now()) return { error: 'Invalid refresh token' } as const;
      if (row.usedAt) {
        await repo.update({ familyId: row.familyId, revokedAt: IsNull() }, { revokedAt: new Date() });
        return { error: 'Refresh token reuse detected; all sessions of this login were revoked' } as const;
      }
      const subject = await loadSubject(row.userId, manager);
      if (!subject) return { error: 'Invalid refresh token' } as const;
      await repo.update({ id: row.id }, { usedAt: new Date() });
      const options: GrantOptions = { scopes: row.scopes as Scope[], clientId: row.clientId, delegated: row.delegated };
      return { pair: await this.issuePair(subject, options, manager, row.familyId) } as const;
    });
    // The family revocation above must commit, so the refusal is thrown only after the transaction.
    if ('error' in outcome) throw new UnauthorizedError(outcome.error!);
    return outcome.pair;
  }

  /** Revokes the refresh token's family (logout); unknown tokens are ignored, as RFC 7009 asks. */
  async revokeFamilyOf(refreshToken: string, userId?: string): Promise<boolean> {
    const row = await this.dataSource.getRepository(RefreshToken).findOneBy({ tokenHash: sha256(refreshToken) });
    if (!row || (userId && row.userId !== userId)) return false;
    await this.dataSource.getRepository(RefreshToken).update({ familyId: row.familyId, revokedAt: IsNull() }, { revokedAt: new Date() });
    return true;
  }

  async revokeAllForUser(userId: string, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.getRepository(RefreshToken).update({ userId, revokedAt: IsNull() }, { revokedAt: new Date() });
  }

  /** Ends an access token before its expiry. */
  async denyAccessToken(jti: string | undefined, exp: number | undefined): Promise<void> {
    if (jti && exp) await this.denyList.deny(jti, exp);
  }
}
