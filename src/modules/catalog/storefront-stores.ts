import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { isUuid, NotFoundError } from '@app/common';
import { Merchant } from '../merchants/entities/merchant.entity';

/** The few store fields storefront reads need. */
export interface StorefrontStore {
  id: string;
  defaultLocale: string;
  defaultCurrency: string;
}

/**
 * How long a store looked up by id or slug is reused. This lets a storefront's revalidation be
 * answered 304 from Redis alone; the price is that a store's slug, status or defaults change is
 * seen within this delay on the 304 path (the same order as max-age=60). Full answers still filter
 * on the store being ACTIVE in SQL, so a suspended store never has its products served fresh.
 */
const STORE_CACHE_TTL_MS = 30_000;
const STORE_CACHE_MAX_ENTRIES = 10_000;

/** ACTIVE stores by id or slug, for the public catalog and the public homepage. */
@Injectable()
export class StorefrontStores {
  private readonly stores = new Map<string, { store: StorefrontStore; expiresAt: number }>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** An ACTIVE store by id or slug, or 404; reused for STORE_CACHE_TTL_MS. Misses are not cached. */
  async active(idOrSlug: string): Promise<StorefrontStore> {
    const key = idOrSlug.trim().toLowerCase();
    const cached = this.stores.get(key);
    if (cached && cached.expiresAt > Date.now()) return cached.store;

    const where = isUuid(key) ? { id: key, status: 'ACTIVE' as const } : { slug: key, status: 'ACTIVE' as const };
    const merchant = await this.dataSource.getRepository(Merchant).findOne({ where, select: { id: true, slug: true, defaultLocale: true, defaultCurrency: true } });
    if (!merchant) {
      this.stores.delete(key);
      throw new NotFoundError('Store', idOrSlug.slice(0, 100));
    }
    const store = { id: merchant.id, defaultLocale: merchant.defaultLocale, defaultCurrency: merchant.defaultCurrency };
    if (this.stores.size >= STORE_CACHE_MAX_ENTRIES) this.stores.clear();
    const expiresAt = Date.now() + STORE_CACHE_TTL_MS;
    this.stores.set(merchant.id, { store, expiresAt });
    this.stores.set(merchant.slug, { store, expiresAt });
    return store;
  }
}
