import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { ConflictError, NotFoundError, Principal, RequestContext, UnauthorizedError } from '@app/common';
import { AuditService } from '../audit/audit.service';
import { Merchant } from '../merchants/entities/merchant.entity';
import { MerchantsService } from '../merchants/merchants.service';
import { User } from './entities/user.entity';
import { LoginThrottle } from './login-throttle.service';
import { PasswordService } from './password.service';
import { GrantOptions, TokenPair, TokenService, TokenSubject } from './token.service';
import { TokenRejectedError, TokenVerifier } from './token-verifier.service';
import { principalFromClaims } from './jwt.strategy';
import { AccessTokenDenyList } from './access-token-deny-list.service';
import { VerifyTokenResultDto } from './dto/auth.dto';

const userSnapshot = (u: User) => ({ email: u.email, name: u.name, role: u.role, isActive: u.isActive, passwordHash: u.passwordHash });

@Injectable()
export class AuthService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly passwords: PasswordService,
    private readonly tokens: TokenService,
    private readonly verifier: TokenVerifier,
    private readonly denyList: AccessTokenDenyList,
    private readonly throttle: LoginThrottle,
    private readonly merchants: MerchantsService,
    private readonly audit: AuditService,
  ) {}

  private async insertUser(manager: EntityManager, ctx: RequestContext, input: { email: string; password: string; name: string; role: User['role'] }): Promise<User> {
    this.passwords.assertStrong(input.password, input.email);
    const repo = manager.getRepository(User);
    if (await repo.exists({ where: { email: input.email } })) throw new ConflictError('An account with this email already exists', { field: 'email' });
    const user = await repo.save(repo.create({ email: input.email, name: input.name, role: input.role, passwordHash: await this.passwords.hash(input.password) }));
    await this.audit.record(manager, ctx, { action: 'user.register', entityType: 'user', entityId: user.id, after: userSnapshot(user) });
    return user;
  }

  registerCustomer(ctx: RequestContext, input: { email: string; password: string; name: string }): Promise<User> {
    return this.dataSource.transaction((manager) => this.insertUser(manager, ctx, { ...input, role: 'customer' }));
  }

  /** A merchant user and its store (PENDING), in one transaction. */
  registerMerchant(ctx: RequestContext, input: { email: string; password: string; businessName: string; name?: string }): Promise<{ user: User; merchant: Merchant }> {
    return this.dataSource.transaction(async (manager) => {
      const user = await this.insertUser(manager, ctx, { email: input.email, password: input.password, name: input.name ?? input.businessName, role: 'merchant' });
      const merchant = await this.merchants.createForOwner(manager, ctx, { userId: user.id, email: user.email }, input.businessName);
      return { user, merchant };
    });
  }

  /** Creates an admin, or promotes an existing account (the CLI's admin:create; never reachable over HTTP). */
  async createOrPromoteAdmin(email: string, password: string): Promise<{ user: User; created: boolean }> {
    const ctx: RequestContext = { principal: null, requestId: 'cli', ip: 'cli' };
    const normalized = email.trim().toLowerCase();
    return this.dataSource.transaction(async (manager) => {
      const repo = manager.getRepository(User);
      const existing = await repo.findOne({ where: { email: normalized }, lock: { mode: 'pessimistic_write' } });
      if (!existing) return { user: await this.insertUser(manager, ctx, { email: normalized, password, name: 'Administrator', role: 'admin' }), created: true };
      this.passwords.assertStrong(password, normalized);
      const before = userSnapshot(existing);
      existing.role = 'admin';
      existing.isActive = true;
      existing.passwordHash = await this.passwords.hash(password);
      const saved = await repo.save(existing);
      await this.tokens.revokeAllForUser(saved.id, manager); // old sessions carry the old role
      await this.audit.record(manager, ctx, { action: 'user.promote_admin', entityType: 'user', entityId: saved.id, before, after: userSnapshot(saved) });
      return { user: saved, created: false };
    });
  }

  /** What a token is issued for: the user's current role and store, read fresh each time. */
  async subjectOf(userId: string, manager: EntityManager = this.dataSource.manager): Promise<TokenSubject | null> {
    const user = await manager.getRepository(User).findOneBy({ id: userId });
    if (!user || !user.isActive) return null;
    const merchant = user.role === 'merchant' ? await this.merchants.findByOwner(user.id, manager) : null;
    return { userId: user.id, role: user.role, merchantId: merchant?.id ?? null };
  }

  /** Email + password → user, with per-account lockout; the same error for every failure. */
  async checkCredentials(email: string, password: string): Promise<User> {
    const normalized = email.trim().toLowerCase();
    await this.throttle.assertNotLocked(normalized);
    const user = await this.dataSource.getRepository(User).findOneBy({ email: normalized });
    const ok = await this.passwords.verify(user?.passwordHash, password);
    if (!user || !ok || !user.isActive) {
      await this.throttle.recordFailure(normalized);
      throw new UnauthorizedError('Invalid email or password');
    }
    await this.throttle.reset(normalized);
    void this.dataSource.getRepository(User).update({ id: user.id }, { lastLoginAt: new Date() }).catch(() => undefined);
    return user;
  }

  async login(email: string, password: string, options: GrantOptions = {}): Promise<TokenPair> {
    const user = await this.checkCredentials(email, password);
    const subject = await this.subjectOf(user.id);
    if (!subject) throw new UnauthorizedError('Invalid email or password');
    return this.tokens.issuePair(subject, options);
  }

  /** Issues tokens for a user who approved a device authorization (delegated to that client). */
  async issueForUser(userId: string, options: GrantOptions, manager?: EntityManager): Promise<TokenPair> {
    const subject = await this.subjectOf(userId, manager);
    if (!subject) throw new UnauthorizedError('The approving account is no longer active');
    return this.tokens.issuePair(subject, options, manager);
  }

  refresh(refreshToken: string): Promise<TokenPair> {
    return this.tokens.rotate(refreshToken, (userId, manager) => this.subjectOf(userId, manager));
  }

  async logout(principal: Principal, refreshToken?: string): Promise<void> {
    if (refreshToken) await this.tokens.revokeFamilyOf(refreshToken, principal.userId ?? undefined);
    await this.tokens.denyAccessToken(principal.jti, principal.exp);
  }

  async me(principal: Principal): Promise<{ user: User; merchantId: string | null }> {
    const user = principal.userId ? await this.dataSource.getRepository(User).findOneBy({ id: principal.userId }) : null;
    if (!user) throw new NotFoundError('User');
    return { user, merchantId: principal.merchantId };
  }

  /** Seed 004's service-to-service check; never throws for a bad token, it answers `valid: false`. */
  async verify(token: string, requiredScope?: string | null): Promise<VerifyTokenResultDto> {
    try {
      const { claims, external } = await this.verifier.verify(token);
      if (claims.jti && (await this.denyList.isDenied(claims.jti))) throw new TokenRejectedError('Token blacklisted');
      const principal = principalFromClaims(claims, external);
      if (requiredScope && !(principal.scopes as string[]).includes(requiredScope)) {
        return { valid: false, user_id: principal.userId, role: principal.role, scopes: principal.scopes, delegated: Boolean(principal.delegated), error: 'Insufficient scope' };
      }
      return { valid: true, user_id: principal.userId, role: principal.role, scopes: principal.scopes, delegated: Boolean(principal.delegated), error: null };
    } catch (err) {
      return { valid: false, error: err instanceof TokenRejectedError ? err.reason : 'Invalid token' };
    }
  }
}
