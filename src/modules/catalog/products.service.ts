import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, IsNull, SelectQueryBuilder } from 'typeorm';
import {
  ConflictError,
  ForbiddenError,
  isCurrencyCode,
  Jobs,
  MerchantScopedRepository,
  NotFoundError,
  OutboxService,
  Page,
  PageRequest,
  RequestContext,
  slugify,
  toPage,
  ValidationError,
} from '@app/common';
import { AuditService } from '../audit/audit.service';
import { InventoryService } from '../inventory/inventory.service';
import { Merchant } from '../merchants/entities/merchant.entity';
import { moneyField, normalizeTags, scaledInteger } from './catalog-input';
import { CatalogVersionService } from './catalog-version.service';
import { CollectionProduct } from './entities/collection-product.entity';
import { Collection } from './entities/collection.entity';
import { ProductPrice } from './entities/product-price.entity';
import { ProductVariant } from './entities/product-variant.entity';
import { Product } from './entities/product.entity';
import { PriceInCurrencyDto, ProductInputDto, VariantInputDto } from './dto/product.dto';
import { buildProductViews, ProductDto, ViewOptions } from './product-views';

export interface ProductFilter {
  status?: string;
  tags?: string[];
  collections?: string[];
  categoryId?: string;
  search?: string;
  sortBy?: 'name' | 'price' | 'stock_quantity' | 'created_at' | 'updated_at' | 'status';
  sortOrder?: 'asc' | 'desc';
  /** Public listing: active products of ACTIVE merchants only. */
  publicOnly?: boolean;
}

export const SORT_COLUMNS: Record<NonNullable<ProductFilter['sortBy']>, string> = {
  name: 'p.name',
  price: 'p.price',
  created_at: 'p.created_at',
  updated_at: 'p.updated_at',
  status: 'p.status',
  stock_quantity: '(SELECT coalesce(sum(l.on_hand), 0) FROM inventory_levels l JOIN product_variants v ON v.id = l.variant_id WHERE l.product_id = p.id AND v.deleted_at IS NULL)',
};

/**
 * The filter's conditions on products aliased `p`, with named parameters: the one definition of what
 * each filter means, used by listQuery and by the storefront's hand-written statement
 * (public-catalog.reader.ts). Live (not deleted) products only; the merchant scope is the caller's.
 */
export function productFilterConditions(filter: ProductFilter): { conditions: string[]; parameters: Record<string, unknown> } {
  const conditions = ['p.deleted_at IS NULL'];
  const parameters: Record<string, unknown> = {};
  if (filter.publicOnly) {
    conditions.push(`p.status = 'active'`, `EXISTS (SELECT 1 FROM merchants m WHERE m.id = p.merchant_id AND m.status = 'ACTIVE')`);
  } else if (filter.status) {
    conditions.push('p.status = :status');
    parameters.status = filter.status;
  }
  if (filter.tags?.length) {
    conditions.push('p.tags @> :tags');
    parameters.tags = normalizeTags(filter.tags);
  }
  if (filter.collections?.length) {
    conditions.push(
      `EXISTS (SELECT 1 FROM collection_products cp JOIN collections c ON c.id = cp.collection_id
                WHERE cp.product_id = p.id AND c.slug IN (:...collectionSlugs))`,
    );
    parameters.collectionSlugs = filter.collections.map((s) => s.toLowerCase());
  }
  if (filter.categoryId) {
    conditions.push('p.category_id = :categoryId');
    parameters.categoryId = filter.categoryId;
  }
  if (filter.search) {
    // Whole words through the full-text index, partial words of the name and SKUs through trigrams.
    // A union of the three, not an OR: each branch is then an index scan, where the OR made the
    // planner test every product of the store in turn (seconds for a rare word; bench/RESULTS.md).
    conditions.push(
      `p.id IN (SELECT s.id FROM products s WHERE product_search_document(s.name, s.description, s.tags) @@ plainto_tsquery('simple', :search)
                UNION SELECT s.id FROM products s WHERE s.name ILIKE :searchLike
                UNION SELECT sv.product_id FROM product_variants sv WHERE sv.sku ILIKE :searchLike AND sv.deleted_at IS NULL)`,
    );
    parameters.search = filter.search;
    parameters.searchLike = `%${filter.search.replace(/[\\%_]/g, '\\$&')}%`;
  }
  return { conditions, parameters };
}

const snapshot = (p: Product) => {
  const { createdAt: _c, updatedAt: _u, ...fields } = p;
  return fields as unknown as Record<string, unknown>;
};

/** Products and their variants: the use cases behind /api/products. */
@Injectable()
export class ProductsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly versions: CatalogVersionService,
    private readonly inventory: InventoryService,
  ) {}

  products(manager: EntityManager = this.dataSource.manager) {
    return MerchantScopedRepository.for(manager, Product);
  }

  variants(manager: EntityManager = this.dataSource.manager) {
    return MerchantScopedRepository.for(manager, ProductVariant);
  }

  /** A live (not deleted) product of this merchant, or 404. */
  async getLive(merchantId: string, id: string, manager?: EntityManager, lock = false): Promise<Product> {
    const product = await this.products(manager).getById(merchantId, id, { lock });
    if (product.deletedAt) throw new NotFoundError('Product', id);
    return product;
  }

  async view(merchantId: string, id: string, options: ViewOptions = { includeVariants: true, includeCost: true }): Promise<ProductDto> {
    const product = await this.getLive(merchantId, id);
    return (await buildProductViews(this.dataSource.manager, [product], options))[0];
  }

  private async merchant(manager: EntityManager, merchantId: string): Promise<Merchant> {
    const merchant = await manager.getRepository(Merchant).findOneBy({ id: merchantId });
    if (!merchant) throw new NotFoundError('Merchant', merchantId);
    return merchant;
  }

  /** Only ACTIVE stores publish: a product of a PENDING, REJECTED or SUSPENDED store cannot become active. The CSV import checks it too. */
  assertMayPublish(merchant: Merchant, product: Product): void {
    if (product.status === 'active' && merchant.status !== 'ACTIVE') {
      throw new ForbiddenError(`The store is ${merchant.status}; only ACTIVE stores can publish products`, { merchant_status: merchant.status });
    }
  }

  private currencyFor(merchant: Merchant, requested: string | undefined): string {
    const currency = requested ?? merchant.defaultCurrency;
    if (!isCurrencyCode(currency) || !merchant.supportedCurrencies.includes(currency)) {
      throw new ValidationError(`currency: ${currency} is not a currency this store supports (${merchant.supportedCurrencies.join(', ')})`, {
        currency: ['is not supported by the store'],
      });
    }
    return currency;
  }

  /** A free handle: the wanted one, or with -2, -3… appended. Callers hold the merchant's catalog lock. */
  private async freeHandle(manager: EntityManager, merchantId: string, wanted: string, exceptId?: string): Promise<string> {
    // The wanted handle as is (up to the column's 150); only a suffixed one is cut to 140 to make room for "-N".
    const whole = wanted.slice(0, 150).replace(/-+$/, '') || 'product';
    const base = whole.slice(0, 140).replace(/-+$/, '') || 'product';
    const rows: { handle: string }[] = await manager.query(
      `SELECT handle FROM products WHERE merchant_id = $1 AND deleted_at IS NULL AND (handle = $2 OR handle = $5 OR handle LIKE $3) AND ($4::uuid IS NULL OR id <> $4)`,
      [merchantId, base, `${base.replace(/[\\%_]/g, '\\$&')}-%`, exceptId ?? null, whole],
    );
    const taken = new Set(rows.map((r) => r.handle));
    if (!taken.has(whole)) return whole;
    for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
  }

  /** Serializes handle/sku allocation within one merchant's catalog (not across merchants); the CSV import takes it per chunk. */
  lockCatalog(manager: EntityManager, merchantId: string): Promise<unknown> {
    return manager.query(`SELECT pg_advisory_xact_lock(hashtext('catalog:' || $1))`, [merchantId]);
  }

  private async assertSkusFree(manager: EntityManager, merchantId: string, skus: (string | null | undefined)[], exceptVariantIds: string[] = []): Promise<void> {
    const wanted = skus.filter((s): s is string => Boolean(s));
    const duplicates = wanted.filter((s, i) => wanted.indexOf(s) !== i);
    if (duplicates.length) throw new ConflictError(`sku ${duplicates[0]} is used twice in this request`, { field: 'sku', sku: duplicates[0] });
    if (!wanted.length) return;
    const clash = await this.variants(manager).findOneBy(merchantId, { sku: In(wanted), deletedAt: IsNull() });
    if (clash && !exceptVariantIds.includes(clash.id)) throw new ConflictError(`sku ${clash.sku} is already used in this store`, { field: 'sku', sku: clash.sku });
  }

  private async collectionsBySlug(manager: EntityManager, merchantId: string, slugs: string[]): Promise<Collection[]> {
    const unique = [...new Set(slugs.map((s) => s.trim().toLowerCase()))];
    const found = await MerchantScopedRepository.for(manager, Collection).find(merchantId, { where: { slug: In(unique) } });
    const missing = unique.filter((s) => !found.some((c) => c.slug === s));
    if (missing.length) throw new ValidationError(`collections: unknown collection ${missing.join(', ')}`, { collections: [`unknown: ${missing.join(', ')}`] });
    return found;
  }

  /** Replaces the explicit prices in other currencies of the product (variantId null) or of one variant. */
  async replaceExtraPrices(manager: EntityManager, merchant: Merchant, product: Product, variantId: string | null, prices: PriceInCurrencyDto[]): Promise<void> {
    const repo = manager.getRepository(ProductPrice);
    await repo.delete({ productId: product.id, variantId: variantId === null ? IsNull() : variantId });
    const seen = new Set<string>();
    for (const [i, entry] of prices.entries()) {
      const field = `prices.${i}`;
      if (entry.currency === product.currency) throw new ValidationError(`${field}.currency: ${entry.currency} is the product's own currency; set price instead`, { [`${field}.currency`]: ['is the product currency'] });
      if (seen.has(entry.currency)) throw new ValidationError(`${field}.currency: ${entry.currency} is listed twice`, { [`${field}.currency`]: ['is duplicated'] });
      seen.add(entry.currency);
      this.currencyFor(merchant, entry.currency);
      const amount = moneyField(entry.price, entry.currency, `${field}.price`);
      const original = entry.original_price === undefined || entry.original_price === null ? null : moneyField(entry.original_price, entry.currency, `${field}.original_price`);
      if (original !== null && original <= amount) throw new ValidationError(`${field}.original_price: must exceed price`, { [`${field}.original_price`]: ['must exceed price'] });
      await repo.insert({ merchantId: merchant.id, productId: product.id, variantId, currency: entry.currency, amount, originalAmount: original });
    }
  }

  /** The field rules of create and update (money, original > price, measures, tags); the CSV import applies its rows through this too. */
  applyFields(product: Product, input: ProductInputDto, currency: string): void {
    const name = input.name ?? input.title;
    if (name !== undefined) product.name = name.trim();
    if (input.description !== undefined) product.description = input.description;
    if (input.price !== undefined) product.price = moneyField(input.price, currency, 'price');
    if (input.original_price !== undefined) product.originalPrice = input.original_price === null ? null : moneyField(input.original_price, currency, 'original_price');
    if (input.cost_price !== undefined) product.costPrice = input.cost_price === null ? null : moneyField(input.cost_price, currency, 'cost_price');
    if (product.originalPrice !== null && product.originalPrice !== undefined && product.originalPrice <= product.price) {
      throw new ValidationError('original_price: must exceed price', { original_price: ['must exceed price'] });
    }
    if (input.status !== undefined) product.status = input.status;
    if (input.category_id !== undefined) product.categoryId = input.category_id;
    if (input.weight !== undefined) product.weightGrams = scaledInteger(input.weight, 1000, 'weight') ?? null;
    if (input.length !== undefined) product.lengthMm = scaledInteger(input.length, 10, 'length') ?? null;
    if (input.width !== undefined) product.widthMm = scaledInteger(input.width, 10, 'width') ?? null;
    if (input.height !== undefined) product.heightMm = scaledInteger(input.height, 10, 'height') ?? null;
    if (input.hs_code !== undefined) product.hsCode = input.hs_code;
    if (input.country_of_origin !== undefined) product.countryOfOrigin = input.country_of_origin;
    if (input.customs_description !== undefined) product.customsDescription = input.customs_description;
    if (input.requires_shipping !== undefined) product.requiresShipping = input.requires_shipping;
    if (input.track_inventory !== undefined) product.trackInventory = input.track_inventory;
    if (input.low_stock_threshold !== undefined) product.lowStockThreshold = input.low_stock_threshold;
    if (input.tags !== undefined) product.tags = normalizeTags(input.tags)!;
    if (input.meta_title !== undefined) product.metaTitle = input.meta_title;
    if (input.meta_description !== undefined) product.metaDescription = input.meta_description;
  }

  private variantRow(merchantId: string, product: Product, input: VariantInputDto, position: number, isDefault: boolean): Partial<ProductVariant> {
    return {
      merchantId,
      productId: product.id,
      sku: input.sku ?? null,
      price: input.price === undefined || input.price === null ? null : moneyField(input.price, product.currency, 'variants.price'),
      stock: input.stock ?? 0,
      status: input.status ?? 'active',
      attributes: normalizeAttributes(input.attributes),
      isDefault,
      position: input.position ?? position,
    };
  }

  async create(ctx: RequestContext, merchantId: string, input: ProductInputDto): Promise<ProductDto> {
    const name = input.name ?? input.title;
    if (!name) throw new ValidationError('name: is required (or title)', { name: ['is required'] });
    if (input.price === undefined) throw new ValidationError('price: is required', { price: ['is required'] });
    const product = await this.dataSource.transaction(async (manager) => {
      await this.lockCatalog(manager, merchantId);
      const merchant = await this.merchant(manager, merchantId);
      const currency = this.currencyFor(merchant, input.currency);
      const product = manager.getRepository(Product).create({ merchantId, currency, status: 'draft', tags: [], originalPrice: null, costPrice: null });
      this.applyFields(product, { ...input, name }, currency);
      this.assertMayPublish(merchant, product);
      product.handle = await this.freeHandle(manager, merchantId, input.handle ?? slugify(name, 'product'));
      const saved = await this.products(manager).save(merchantId, product);

      const variantInputs = input.variants?.length ? input.variants : [{ sku: input.sku ?? null, stock: input.stock_quantity ?? input.stock ?? 0 }];
      await this.assertSkusFree(manager, merchantId, variantInputs.map((v) => v.sku));
      const explicit = Boolean(input.variants?.length);
      // As POST /variants does: no two variants of a product with the same attributes (in any key order).
      const attributeKeys = (input.variants ?? []).map((v) => JSON.stringify(Object.entries(normalizeAttributes(v.attributes)).sort(([a], [b]) => (a < b ? -1 : 1))));
      const repeated = attributeKeys.find((k, i) => attributeKeys.indexOf(k) !== i);
      if (repeated !== undefined) throw new ConflictError('Two variants in this request have the same attributes', { attributes: Object.fromEntries(JSON.parse(repeated)) });
      const initialStock: { productId: string; variantId: string; quantity: number }[] = [];
      for (const [i, v] of variantInputs.entries()) {
        const row = await this.variants(manager).save(merchantId, this.variantRow(merchantId, saved, v, i, !explicit && i === 0));
        if (v.prices?.length) await this.replaceExtraPrices(manager, merchant, saved, row.id, v.prices);
        initialStock.push({ productId: saved.id, variantId: row.id, quantity: v.stock ?? 0 });
      }
      // Stock lives in inventory_levels: every unit enters through the inventory ledger.
      await this.inventory.setVariantStock(manager, ctx, merchantId, initialStock, 'adjustment', 'initial stock (product created)');
      if (input.prices?.length) await this.replaceExtraPrices(manager, merchant, saved, null, input.prices);
      if (input.collections?.length) await this.setCollections(manager, merchantId, saved.id, input.collections);

      await this.audit.record(manager, ctx, { action: 'product.create', entityType: 'product', entityId: saved.id, merchantId, after: snapshot(saved) });
      await this.outbox.publish(manager, Jobs.ProductCreated, { merchant_id: merchantId, product_id: saved.id, handle: saved.handle });
      return saved;
    });
    void this.versions.bump(merchantId).catch(() => undefined);
    return (await buildProductViews(this.dataSource.manager, [product], { includeVariants: true, includeCost: true }))[0];
  }

  async update(ctx: RequestContext, merchantId: string, id: string, input: ProductInputDto): Promise<ProductDto> {
    if (input.variants !== undefined) throw new ValidationError('variants: change variants through /products/{id}/variants', { variants: ['not accepted on update'] });
    const product = await this.dataSource.transaction(async (manager) => {
      await this.lockCatalog(manager, merchantId);
      const product = await this.getLive(merchantId, id, manager, true);
      const before = snapshot({ ...product });
      const merchant = await this.merchant(manager, merchantId);
      if (input.currency !== undefined && input.currency !== product.currency) {
        throw new ValidationError('currency: a product keeps its currency; use prices for other currencies', { currency: ['cannot change'] });
      }
      this.applyFields(product, input, product.currency);
      if (input.status !== undefined) this.assertMayPublish(merchant, product);
      if (input.handle !== undefined && input.handle !== product.handle) {
        const free = await this.freeHandle(manager, merchantId, input.handle, product.id);
        if (free !== input.handle) throw new ConflictError(`handle ${input.handle} is taken in this store`, { field: 'handle', suggestion: free });
        product.handle = input.handle;
      }
      const saved = await this.products(manager).save(merchantId, product);

      const stock = input.stock_quantity ?? input.stock;
      if (stock !== undefined || input.sku !== undefined) {
        const defaultVariant = await this.variants(manager).findOneBy(merchantId, { productId: id, isDefault: true, deletedAt: IsNull() });
        if (!defaultVariant) throw new ValidationError('stock_quantity: this product has explicit variants; set stock per variant', { stock_quantity: ['set per variant'] });
        if (input.sku !== undefined) await this.assertSkusFree(manager, merchantId, [input.sku], [defaultVariant.id]);
        // Through the inventory ledger; refused (409) below what is reserved for orders.
        if (stock !== undefined) await this.inventory.setVariantStock(manager, ctx, merchantId, [{ productId: id, variantId: defaultVariant.id, quantity: stock }], 'adjustment', 'stock_quantity set (product update)');
        if (input.sku !== undefined) await this.variants(manager).save(merchantId, { ...defaultVariant, sku: input.sku });
      }
      if (input.prices !== undefined) await this.replaceExtraPrices(manager, merchant, saved, null, input.prices);
      if (input.collections !== undefined) await this.setCollections(manager, merchantId, saved.id, input.collections);

      await this.audit.record(manager, ctx, { action: 'product.update', entityType: 'product', entityId: id, merchantId, before, after: snapshot(saved) });
      await this.outbox.publish(manager, Jobs.ProductUpdated, { merchant_id: merchantId, product_id: id, handle: saved.handle });
      return saved;
    });
    void this.versions.bump(merchantId).catch(() => undefined);
    return (await buildProductViews(this.dataSource.manager, [product], { includeVariants: true, includeCost: true }))[0];
  }

  /** Soft delete: gone from lists and public routes, kept for order history. Deleting twice is a no-op. */
  async remove(ctx: RequestContext, merchantId: string, id: string): Promise<void> {
    const deleted = await this.dataSource.transaction(async (manager) => {
      const product = await this.products(manager).getById(merchantId, id, { lock: true });
      if (product.deletedAt) return false;
      const now = new Date();
      await this.products(manager).save(merchantId, { ...product, deletedAt: now });
      await manager.getRepository(ProductVariant).update({ productId: id, deletedAt: IsNull() }, { deletedAt: now });
      await manager.getRepository(CollectionProduct).delete({ productId: id });
      await this.audit.record(manager, ctx, { action: 'product.delete', entityType: 'product', entityId: id, merchantId, before: { deletedAt: null }, after: { deletedAt: now } });
      await this.outbox.publish(manager, Jobs.ProductDeleted, { merchant_id: merchantId, product_id: id, handle: product.handle });
      return true;
    });
    if (deleted) void this.versions.bump(merchantId).catch(() => undefined);
  }

  /** Replaces the product's collection memberships with the given slugs (all must exist in this store). */
  async setCollections(manager: EntityManager, merchantId: string, productId: string, slugs: string[]): Promise<void> {
    const collections = slugs.length ? await this.collectionsBySlug(manager, merchantId, slugs) : [];
    const repo = manager.getRepository(CollectionProduct);
    await repo.delete({ productId, merchantId });
    if (collections.length) await repo.insert(collections.map((c) => ({ merchantId, collectionId: c.id, productId, position: 0 })));
  }

  /** The filtered, sorted query; scoped to one merchant unless `merchantId` is undefined (admins, public). */
  listQuery(merchantId: string | undefined, filter: ProductFilter): SelectQueryBuilder<Product> {
    const { conditions, parameters } = productFilterConditions(filter);
    const qb = this.dataSource.getRepository(Product).createQueryBuilder('p').where(conditions[0], parameters);
    for (const condition of conditions.slice(1)) qb.andWhere(condition);
    if (merchantId) qb.andWhere('p.merchant_id = :merchantId', { merchantId });
    const order = (filter.sortOrder ?? 'desc').toUpperCase() as 'ASC' | 'DESC';
    qb.orderBy(SORT_COLUMNS[filter.sortBy ?? 'created_at'], order).addOrderBy('p.id', order);
    return qb;
  }

  async list(merchantId: string | undefined, filter: ProductFilter, page: PageRequest, options: ViewOptions): Promise<Page<ProductDto>> {
    const [products, total] = await this.listQuery(merchantId, filter).skip(page.offset).take(page.limit).getManyAndCount();
    return toPage(await buildProductViews(this.dataSource.manager, products, options), total, page);
  }
}

/** Attribute names lower-cased and trimmed, values trimmed strings: `{ Size: ' M ' }` → `{ size: 'M' }`. */
export function normalizeAttributes(attributes: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(attributes ?? {})) {
    if (typeof value !== 'string' && typeof value !== 'number') throw new ValidationError(`attributes.${key}: must be a string`, { [`attributes.${key}`]: ['must be a string'] });
    const name = key.trim().toLowerCase();
    if (!name || name.length > 50 || String(value).length > 200) throw new ValidationError(`attributes.${key}: too long or empty`, { [`attributes.${key}`]: ['is not valid'] });
    out[name] = String(value).trim();
  }
  return out;
}

/** Same attribute pairs, whatever the key order (Postgres returns jsonb keys in its own order). */
export function sameAttributes(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}
