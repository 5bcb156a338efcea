import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { DataSource, IsNull } from 'typeorm';
import { MerchantScopedRepository, Principal, RequestContext, Scope, UnauthorizedError } from '@app/common';
import { AuditService } from '../audit/audit.service';
import { Merchant } from '../merchants/entities/merchant.entity';
import { ApiKey } from './entities/api-key.entity';
import { sha256 } from './token.service';

export const API_KEY_PATTERN = /^ock_(live|test)_[A-Za-z0-9]{40,64}$/;
const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
// last_used_at is a hint, not a ledger: write it at most once a minute per key.
const LAST_USED_RESOLUTION_MS = 60_000;

function randomBase62(length: number): string {
  // Rejection sampling keeps every character equally likely (256 is not a multiple of 62).
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length)) {
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
  }
  return out;
}

@Injectable()
export class ApiKeyService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  /** Creates a key and returns it with its secret, which is never shown again. */
  async create(ctx: RequestContext, merchantId: string, input: { name: string; scopes: Scope[]; mode: 'live' | 'test' }): Promise<{ key: ApiKey; secret: string }> {
    const secret = `ock_${input.mode}_${randomBase62(48)}`;
    return this.dataSource.transaction(async (manager) => {
      const key = await MerchantScopedRepository.for(manager, ApiKey).save(merchantId, {
        name: input.name,
        scopes: [...new Set(input.scopes)].sort() as Scope[],
        mode: input.mode,
        prefix: secret.slice(0, 13),
        keyHash: sha256(secret),
        createdByUserId: ctx.principal?.userId ?? null,
      });
      await this.audit.record(manager, ctx, {
        action: 'api_key.create',
        entityType: 'api_key',
        entityId: key.id,
        merchantId,
        after: { name: key.name, prefix: key.prefix, scopes: key.scopes, mode: key.mode, keyHash: key.keyHash },
      });
      return { key, secret };
    });
  }

  list(merchantId: string): Promise<ApiKey[]> {
    return MerchantScopedRepository.for(this.dataSource.manager, ApiKey).find(merchantId, { where: { revokedAt: IsNull() }, order: { createdAt: 'DESC' } });
  }

  async revoke(ctx: RequestContext, merchantId: string, id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const keys = MerchantScopedRepository.for(manager, ApiKey);
      const key = await keys.getById(merchantId, id, { lock: true });
      if (key.revokedAt) return;
      await keys.save(merchantId, { ...key, revokedAt: new Date() });
      await this.audit.record(manager, ctx, {
        action: 'api_key.revoke',
        entityType: 'api_key',
        entityId: key.id,
        merchantId,
        before: { revokedAt: null },
        after: { revokedAt: new Date() },
      });
    });
  }

  /** The principal of a valid, unrevoked key of an existing store; 401 otherwise. */
  async authenticate(secret: string): Promise<Principal> {
    if (!API_KEY_PATTERN.test(secret)) throw new UnauthorizedError('Invalid API key');
    const row = await this.dataSource
      .getRepository(ApiKey)
      .createQueryBuilder('k')
      .innerJoin(Merchant, 'm', 'm.id = k.merchant_id')
      .where('k.keyHash = :hash AND k.revokedAt IS NULL', { hash: sha256(secret) })
      .getOne();
    if (!row) throw new UnauthorizedError('Invalid API key');
    if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      void this.dataSource.getRepository(ApiKey).update({ id: row.id }, { lastUsedAt: new Date() }).catch(() => undefined);
    }
    return { kind: 'api_key', userId: row.createdByUserId, role: 'merchant', merchantId: row.merchantId, scopes: row.scopes, apiKeyId: row.id };
  }
}
