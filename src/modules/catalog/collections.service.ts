import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import { AppException, ConflictError, ErrorCode, isUuid, MerchantScopedRepository, NotFoundError, PageRequest, RequestContext, ValidationError } from '@app/common';
import { AuditService } from '../audit/audit.service';
import { CatalogVersionService } from './catalog-version.service';
import { AddCollectionProductsDto, COLLECTION_SLUG, CollectionDto, CollectionListDto, CollectionProductsDto, CreateCollectionDto, UpdateCollectionDto } from './dto/collection.dto';
import { CollectionProduct } from './entities/collection-product.entity';
import { Collection } from './entities/collection.entity';
import { Product } from './entities/product.entity';
import { CollectionTranslation } from './entities/translation.entities';
import { buildProductViews, ViewOptions } from './product-views';
import { ProductsService } from './products.service';

/** API field → entity property, for the fields a merchant sets on a collection. */
const COLLECTION_FIELDS = {
  slug: 'slug',
  name: 'name',
  description: 'description',
  image_url: 'imageUrl',
  cover_media_id: 'coverMediaId',
  display_order: 'displayOrder',
  meta_title: 'metaTitle',
  meta_description: 'metaDescription',
} as const satisfies Record<keyof UpdateCollectionDto, keyof Collection>;

const snapshot = (c: Collection): Record<string, unknown> => {
  const { createdAt: _c, updatedAt: _u, ...fields } = c;
  return fields;
};

function toView(c: Collection, productCount: number): CollectionDto {
  return {
    id: c.id,
    merchant_id: c.merchantId,
    slug: c.slug,
    name: c.name,
    description: c.description,
    image_url: c.imageUrl,
    cover_media_id: c.coverMediaId,
    display_order: c.displayOrder,
    meta_title: c.metaTitle,
    meta_description: c.metaDescription,
    product_count: productCount,
    created_at: c.createdAt.toISOString(),
    updated_at: c.updatedAt.toISOString(),
  };
}

/** A 422 that names every product id that is not a live product of the store, in the message and the detail. */
function unknownProductsError(ids: string[]): AppException {
  const shown = ids.length > 20 ? `${ids.slice(0, 20).join(', ')} and ${ids.length - 20} more` : ids.join(', ');
  return new AppException(ErrorCode.Validation, `product_ids: not live products of this store: ${shown}; nothing was attached`, HttpStatus.UNPROCESSABLE_ENTITY, {
    fields: { product_ids: [`unknown or deleted: ${shown}`] },
    product_ids: ids,
  });
}

/** Collections of a merchant and their product memberships: the use cases behind /api/collections. */
@Injectable()
export class CollectionsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly products: ProductsService,
    private readonly versions: CatalogVersionService,
  ) {}

  private collections(manager: EntityManager = this.dataSource.manager): MerchantScopedRepository<Collection> {
    return MerchantScopedRepository.for(manager, Collection);
  }

  private memberships(manager: EntityManager = this.dataSource.manager): MerchantScopedRepository<CollectionProduct> {
    return MerchantScopedRepository.for(manager, CollectionProduct);
  }

  /** Storefront caches key on the catalog version; a failed bump only costs a stale cache, never the write. */
  private bumpCatalogVersion(merchantId: string): void {
    void this.versions.bump(merchantId).catch(() => undefined);
  }

  /**
   * A collection by id or by slug (the contract addresses collections both ways), or 404, also for
   * another merchant's collection. Slugs never have the shape of a UUID, so the two cannot be confused.
   */
  async getByIdOrSlug(merchantId: string, idOrSlug: string, manager?: EntityManager, lock = false): Promise<Collection> {
    if (isUuid(idOrSlug)) return this.collections(manager).getById(merchantId, idOrSlug.toLowerCase(), { lock });
    const slug = String(idOrSlug).toLowerCase();
    const found = COLLECTION_SLUG.test(slug) ? await this.collections(manager).findOneBy(merchantId, { slug }) : null;
    if (!found) throw new NotFoundError('Collection', String(idOrSlug).slice(0, 64));
    return lock ? this.collections(manager).getById(merchantId, found.id, { lock }) : found;
  }

  /** Live products per collection, in one grouped query whatever the number of collections. */
  private async productCounts(merchantId: string, collectionIds: string[], manager: EntityManager = this.dataSource.manager): Promise<Map<string, number>> {
    if (!collectionIds.length) return new Map();
    const rows = await this.memberships(manager)
      .createQueryBuilder(merchantId, 'cp')
      .innerJoin(Product, 'p', 'p.id = cp.product_id AND p.deleted_at IS NULL')
      .select('cp.collection_id', 'collection_id')
      .addSelect('count(*)::int', 'count')
      .andWhere('cp.collection_id IN (:...collectionIds)', { collectionIds })
      .groupBy('cp.collection_id')
      .getRawMany<{ collection_id: string; count: number }>();
    return new Map(rows.map((r) => [r.collection_id, Number(r.count)]));
  }

  private async view(merchantId: string, collection: Collection, manager?: EntityManager): Promise<CollectionDto> {
    const counts = await this.productCounts(merchantId, [collection.id], manager);
    return toView(collection, counts.get(collection.id) ?? 0);
  }

  /** Ordered by display_order, then name (id last, so pages never overlap). */
  async list(merchantId: string, page: PageRequest): Promise<CollectionListDto> {
    const [rows, total] = await this.collections().findAndCount(merchantId, {
      order: { displayOrder: 'ASC', name: 'ASC', id: 'ASC' },
      skip: page.offset,
      take: page.limit,
    });
    const counts = await this.productCounts(merchantId, rows.map((c) => c.id));
    return { collections: rows.map((c) => toView(c, counts.get(c.id) ?? 0)), total, limit: page.limit, offset: page.offset };
  }

  async get(merchantId: string, idOrSlug: string): Promise<CollectionDto> {
    return this.view(merchantId, await this.getByIdOrSlug(merchantId, idOrSlug));
  }

  /** 409 when another collection of this store has the slug; the unique index catches a concurrent twin (also 409). */
  private async assertSlugFree(manager: EntityManager, merchantId: string, slug: string, exceptId?: string): Promise<void> {
    if (isUuid(slug)) throw new ValidationError('slug: must not have the shape of an id, since collections are addressed by id or slug', { slug: ['looks like an id'] });
    const clash = await this.collections(manager).findOneBy(merchantId, { slug });
    if (clash && clash.id !== exceptId) throw new ConflictError(`slug ${slug} is already used by another collection of this store`, { field: 'slug', slug });
  }

  private applyFields(collection: Partial<Collection>, input: UpdateCollectionDto): void {
    for (const [field, property] of Object.entries(COLLECTION_FIELDS)) {
      const value = input[field as keyof UpdateCollectionDto];
      if (value !== undefined) (collection as Record<string, unknown>)[property] = value;
    }
  }

  async create(ctx: RequestContext, merchantId: string, input: CreateCollectionDto): Promise<CollectionDto> {
    const saved = await this.dataSource.transaction(async (manager) => {
      await this.assertSlugFree(manager, merchantId, input.slug);
      const collection: Partial<Collection> = { description: null, imageUrl: null, coverMediaId: null, displayOrder: 0, metaTitle: null, metaDescription: null };
      this.applyFields(collection, input);
      const saved = await this.collections(manager).save(merchantId, collection);
      await this.audit.record(manager, ctx, { action: 'collection.create', entityType: 'collection', entityId: saved.id, merchantId, after: snapshot(saved) });
      return saved;
    });
    this.bumpCatalogVersion(merchantId);
    return toView(saved, 0);
  }

  async update(ctx: RequestContext, merchantId: string, idOrSlug: string, input: UpdateCollectionDto): Promise<CollectionDto> {
    const saved = await this.dataSource.transaction(async (manager) => {
      const collection = await this.getByIdOrSlug(merchantId, idOrSlug, manager, true);
      const before = snapshot({ ...collection });
      if (input.slug !== undefined && input.slug !== collection.slug) await this.assertSlugFree(manager, merchantId, input.slug, collection.id);
      this.applyFields(collection, input);
      const saved = await this.collections(manager).save(merchantId, collection);
      await this.audit.record(manager, ctx, { action: 'collection.update', entityType: 'collection', entityId: saved.id, merchantId, before, after: snapshot(saved) });
      return saved;
    });
    this.bumpCatalogVersion(merchantId);
    return this.view(merchantId, saved);
  }

  /** Hard delete: the collection, its memberships and its translations; the products stay. */
  async remove(ctx: RequestContext, merchantId: string, idOrSlug: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const collection = await this.getByIdOrSlug(merchantId, idOrSlug, manager, true);
      const memberships = await this.memberships(manager).count(merchantId, { collectionId: collection.id });
      // Bulk deletes by collection; merchantId is in the condition, as the scoped repository would add it.
      await manager.getRepository(CollectionProduct).delete({ merchantId, collectionId: collection.id });
      await manager.getRepository(CollectionTranslation).delete({ merchantId, collectionId: collection.id });
      await this.collections(manager).deleteById(merchantId, collection.id);
      await this.audit.record(manager, ctx, {
        action: 'collection.delete',
        entityType: 'collection',
        entityId: collection.id,
        merchantId,
        before: { ...snapshot(collection), memberships },
        after: null,
      });
    });
    this.bumpCatalogVersion(merchantId);
  }

  /** Live products of the collection in membership order, with the same views as /api/products (fixed query count). */
  async listProducts(merchantId: string, idOrSlug: string, page: PageRequest, options: ViewOptions): Promise<CollectionProductsDto> {
    const collection = await this.getByIdOrSlug(merchantId, idOrSlug);
    // offset/limit rather than skip/take: the join selects nothing, so plain SQL paging is right (and cheaper).
    const [products, total] = await this.products
      .products()
      .createQueryBuilder(merchantId, 'p')
      .innerJoin(CollectionProduct, 'cp', 'cp.product_id = p.id AND cp.collection_id = :collectionId', { collectionId: collection.id })
      .andWhere('p.deleted_at IS NULL')
      .orderBy('cp.position', 'ASC')
      .addOrderBy('cp.created_at', 'ASC')
      .addOrderBy('p.id', 'ASC')
      .offset(page.offset)
      .limit(page.limit)
      .getManyAndCount();
    return { products: await buildProductViews(this.dataSource.manager, products, options), total };
  }

  /**
   * Attaches live products of this store, all or none: one unknown, deleted or foreign id refuses the
   * whole request. Products already in the collection are left where they are (idempotent).
   */
  async addProducts(ctx: RequestContext, merchantId: string, idOrSlug: string, input: AddCollectionProductsDto): Promise<CollectionDto> {
    const wanted = [...new Set(input.product_ids.map((id) => id.trim().toLowerCase()))];
    const { collection, added } = await this.dataSource.transaction(async (manager) => {
      // The collection row lock serializes attaches to one collection, so positions do not collide.
      const collection = await this.getByIdOrSlug(merchantId, idOrSlug, manager, true);
      const candidates = wanted.filter(isUuid);
      // FOR SHARE: a concurrent product delete (which drops memberships) waits for us, or we see it as deleted.
      const live = candidates.length
        ? await this.products.products(manager).find(merchantId, { where: { id: In(candidates), deletedAt: IsNull() }, select: { id: true }, lock: { mode: 'pessimistic_read' } })
        : [];
      const liveIds = new Set(live.map((p) => p.id));
      const unknown = wanted.filter((id) => !liveIds.has(id));
      if (unknown.length) throw unknownProductsError(unknown);

      const present = await this.memberships(manager).find(merchantId, { where: { collectionId: collection.id, productId: In(wanted) }, select: { productId: true } });
      const presentIds = new Set(present.map((m) => m.productId));
      const added = wanted.filter((id) => !presentIds.has(id));
      if (added.length) {
        const last = await this.memberships(manager)
          .createQueryBuilder(merchantId, 'cp')
          .select('coalesce(max(cp.position), -1)::int', 'position')
          .andWhere('cp.collection_id = :collectionId', { collectionId: collection.id })
          .getRawOne<{ position: number }>();
        const start = Number(last?.position ?? -1) + 1;
        // One multi-row insert (the scoped repository saves one row at a time). Every row carries this
        // merchant's id, and both sides were just loaded through the scoped repositories. ON CONFLICT DO
        // NOTHING covers a product update setting the same membership concurrently.
        await manager
          .createQueryBuilder()
          .insert()
          .into(CollectionProduct)
          .values(added.map((productId, i) => ({ merchantId, collectionId: collection.id, productId, position: start + i })))
          .orIgnore()
          .execute();
        await this.audit.record(manager, ctx, {
          action: 'collection.add_products',
          entityType: 'collection',
          entityId: collection.id,
          merchantId,
          before: null,
          after: { product_ids: added },
        });
      }
      return { collection, added };
    });
    if (added.length) this.bumpCatalogVersion(merchantId);
    return this.view(merchantId, collection);
  }

  /**
   * Takes a product out of the collection. The product must be this store's (404 otherwise); when it is
   * not in the collection there is nothing to do, as with deleting twice.
   */
  async removeProduct(ctx: RequestContext, merchantId: string, idOrSlug: string, productId: string): Promise<void> {
    const removed = await this.dataSource.transaction(async (manager) => {
      const collection = await this.getByIdOrSlug(merchantId, idOrSlug, manager, true);
      const product = await this.products.products(manager).getById(merchantId, productId);
      const membership = await this.memberships(manager).findOneBy(merchantId, { collectionId: collection.id, productId: product.id });
      if (!membership) return false;
      await this.memberships(manager).deleteById(merchantId, membership.id);
      await this.audit.record(manager, ctx, {
        action: 'collection.remove_product',
        entityType: 'collection',
        entityId: collection.id,
        merchantId,
        before: { product_id: product.id },
        after: null,
      });
      return true;
    });
    if (removed) this.bumpCatalogVersion(merchantId);
  }
}
