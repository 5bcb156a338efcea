import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Conditional, ifNoneMatchHits, isUuid, NotFoundError, resolvePage, toPage, ValidationError, weakEntityTag } from '@app/common';
import { normalizeTags } from './catalog-input';
import { CatalogVersionService } from './catalog-version.service';
import { PublicProductDto, PublicProductListQueryDto, PublicProductPageDto, PublicProductQueryDto } from './dto/public-catalog.dto';
import { ProductTranslation } from './entities/translation.entities';
import { requestedLocale, translationFallbacks } from './locale-negotiation';
import { assembleProductViews, ProductDto, VariantDto, ViewOptions } from './product-views';
import { ProductFilter, ProductsService } from './products.service';
import { PublicCatalogReader, StorefrontProduct } from './public-catalog.reader';
import { CachedAnswer, StorefrontAnswerCache } from './storefront-answer-cache';
import { StorefrontStore, StorefrontStores } from './storefront-stores';

/** What a storefront request carries besides its query. */
export interface StorefrontHeaders {
  acceptLanguage?: string;
  ifNoneMatch?: string;
}


const PUBLIC_VIEW: ViewOptions = { includeCost: false, activeVariantsOnly: true };

/** Part of every ETag: bump it when the public response shape changes, so old cached copies stop matching. */
const RESPONSE_FORMAT = 'public-catalog/1';

/**
 * The anonymous storefront catalog: active products of ACTIVE stores, never cost prices or other
 * stores' data, in the language and currency asked for, with ETags from the store's catalog version.
 */
@Injectable()
export class PublicCatalogService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly products: ProductsService,
    private readonly versions: CatalogVersionService,
    private readonly reader: PublicCatalogReader,
    private readonly answers: StorefrontAnswerCache,
    private readonly stores: StorefrontStores,
  ) {}

  async list(query: PublicProductListQueryDto, headers: StorefrontHeaders): Promise<Conditional<PublicProductPageDto>> {
    const store = await this.stores.active(query.merchant);
    const locale = requestedLocale(query.locale, headers.acceptLanguage);
    const page = resolvePage(query);
    const includeVariants = query.include_variants === 'true';
    const filter: ProductFilter = {
      publicOnly: true,
      tags: normalizeTags(query.tags)?.sort(),
      collections: sortedSlugs(query.collections ?? query.collection),
      categoryId: query.category_id,
      search: query.search,
      sortBy: query.sort_by ?? 'created_at',
      sortOrder: query.sort_order ?? 'desc',
    };

    // The version is read before any product: a change committed meanwhile then only makes this
    // ETag outdated (one extra 200 later), never labels an old body with a new version.
    const version = await this.versions.current(store.id);
    const etag =
      version === null ? null : entityTag({ version, store, filter, limit: page.limit, offset: page.offset, includeVariants, locale, currency: query.currency });
    if (etag && ifNoneMatchHits(headers.ifNoneMatch, etag)) return { notModified: true, etag };
    const cached = this.answers.get(etag);
    if (cached) return { notModified: false, ...cached };

    const fallbacks = translationFallbacks(locale, store.defaultLocale);
    const found = await this.reader.page(store.id, filter, page, lowerCased(fallbacks));
    const items = this.present(found.items, { ...PUBLIC_VIEW, includeVariants }, store, fallbacks, query.currency);
    const body = { ...toPage(items, found.total, page), locale: locale ?? store.defaultLocale, currency: query.currency ?? store.defaultCurrency };
    return this.answered(etag, etag, body);
  }

  /** By id (store optional) or by handle (store required: handles are unique per store only). */
  async get(idOrHandle: string, query: PublicProductQueryDto, headers: StorefrontHeaders): Promise<Conditional<PublicProductDto>> {
    const byId = isUuid(idOrHandle);
    if (!byId && !query.merchant) {
      throw new ValidationError('merchant: is required to find a product by handle (handles are unique per store)', { merchant: ['is required with a handle'] });
    }
    const namedStore = query.merchant ? await this.stores.active(query.merchant) : null;
    const locale = requestedLocale(query.locale, headers.acceptLanguage);
    const where = byId ? { id: idOrHandle.toLowerCase(), storeId: namedStore?.id } : { handle: handleOf(idOrHandle), storeId: namedStore!.id };
    const readHead = async () => {
      const found = await this.products.listQuery(namedStore?.id, { publicOnly: true }).andWhere(byId ? 'p.id = :id' : 'p.handle = :handle', where).select(['p.id', 'p.merchantId', 'p.updatedAt']).getOne();
      if (!found) throw new NotFoundError('Product', idOrHandle);
      return found;
    };

    // Without a store in the query, the store (and so the version) is known only from the product:
    // its row is read first. The version is read before the full product, so that a change
    // committed in between can only make the ETag (and the cache key) outdated, never label an old
    // body with a new version.
    let head = namedStore ? null : await readHead();
    const store = namedStore ?? (await this.stores.active(head!.merchantId));
    const version = await this.versions.current(store.id);
    const cacheKey = version === null ? null : entityTag({ version, store, lookup: byId ? where.id : where.handle, locale, currency: query.currency });
    const cached = this.answers.get(cacheKey);
    if (cached) return ifNoneMatchHits(headers.ifNoneMatch, cached.etag) ? { notModified: true, etag: cached.etag } : { notModified: false, ...cached };

    // A revalidation is answered from the product row and Redis alone: updated_at is in the tag.
    if (version !== null && headers.ifNoneMatch) {
      head ??= await readHead();
      const etag = entityTag({ version, store, id: head.id, updatedAt: head.updatedAt.toISOString(), locale, currency: query.currency });
      if (ifNoneMatchHits(headers.ifNoneMatch, etag)) return { notModified: true, etag };
    }
    const fallbacks = translationFallbacks(locale, store.defaultLocale);
    const found = await this.reader.one({ ...where, storeId: store.id }, lowerCased(fallbacks));
    if (!found) throw new NotFoundError('Product', idOrHandle);
    const etag = version === null ? null : entityTag({ version, store, id: found.product.id, updatedAt: found.product.updatedAt.toISOString(), locale, currency: query.currency });
    const [body] = this.present([found], { ...PUBLIC_VIEW, includeVariants: true }, store, fallbacks, query.currency);
    return this.answered(cacheKey, etag, body);
  }

  /** A fresh answer; kept serialized under `cacheKey` when it has an ETag to be served with. */
  private answered<T>(cacheKey: string | null, etag: string | null, body: T): Conditional<T> {
    if (cacheKey === null || etag === null) return { notModified: false, etag, body };
    const answer: CachedAnswer = { etag, json: JSON.stringify(body) };
    this.answers.set(cacheKey, answer);
    return { notModified: false, ...answer };
  }

  /** The views of what the reader loaded, in the first fallback language each product has and in the asked currency. */
  private present(found: StorefrontProduct[], options: ViewOptions, store: StorefrontStore, fallbacks: string[], currency: string | undefined): PublicProductDto[] {
    return presentStorefrontProducts(found, options, store.defaultLocale, fallbacks, currency);
  }
}

/**
 * Public views of what PublicCatalogReader loaded, in the first fallback language each product has
 * and in the asked currency: the one presentation of storefront products (also the homepage's).
 */
export function presentStorefrontProducts(found: StorefrontProduct[], options: ViewOptions, storeDefaultLocale: string, fallbacks: string[], currency: string | undefined): PublicProductDto[] {
  return found.map((f) => {
    const [view] = assembleProductViews([f.product], f.children, options);
    const translation = fallbacks.map((code) => f.translations.find((t) => t.languageCode.toLowerCase() === code.toLowerCase())).find(Boolean);
    return inCurrency(localized(view, translation, storeDefaultLocale), currency);
  });
}

/** What storefront product views show: never cost prices, active variants only. */
export const PUBLIC_PRODUCT_VIEW: ViewOptions = PUBLIC_VIEW;

const lowerCased = (codes: string[]): string[] => codes.map((c) => c.toLowerCase());

/** Handles are stored lower-case. */
const handleOf = (value: string): string => value.trim().toLowerCase();

/** Collection slugs as listQuery matches them (lower-case), sorted so that order does not change the ETag. */
function sortedSlugs(slugs: string[] | undefined): string[] | undefined {
  return slugs && [...new Set(slugs.map((s) => s.trim().toLowerCase()))].sort();
}

/** A weak ETag over everything the answer depends on (the catalog version covers the data itself). */
const entityTag = (inputs: Record<string, unknown>): string => weakEntityTag({ format: RESPONSE_FORMAT, ...inputs });

/**
 * Name, description and meta fields from the translation when there is one; a field the translation
 * leaves empty keeps the original text rather than going blank on the storefront.
 */
function localized(view: ProductDto, translation: ProductTranslation | undefined, storeDefaultLocale: string): PublicProductDto {
  const { cost_price: _neverPublic, ...publicFields } = view;
  if (!translation) return { ...publicFields, locale: storeDefaultLocale, variant_attributes_translations: null };
  return {
    ...publicFields,
    name: translation.name,
    title: translation.name,
    description: translation.description ?? view.description,
    meta_title: translation.metaTitle ?? view.meta_title,
    meta_description: translation.metaDescription ?? view.meta_description,
    locale: translation.languageCode,
    variant_attributes_translations: translation.variantAttributesTranslations,
  };
}

/**
 * Prices in the asked currency from the explicit price rows only (no exchange-rate arithmetic).
 * A product or variant without one keeps its own currency, which its `currency` field states.
 * A variant without its own price in that currency uses the product's when it costs the same as
 * the product (the usual case: variants that inherit the product price).
 */
function inCurrency(item: PublicProductDto, currency: string | undefined): PublicProductDto {
  if (!currency || currency === item.currency) return item;
  const productPrice = item.prices.find((p) => p.currency === currency);
  const variantInCurrency = (v: VariantDto): VariantDto => {
    const own = v.prices.find((p) => p.currency === currency);
    const inherited = v.currency === item.currency && v.price === item.price ? productPrice : undefined;
    const chosen = own ?? inherited;
    return chosen ? { ...v, price: chosen.price, currency } : v;
  };
  const variants = item.variants?.map(variantInCurrency);
  if (!productPrice) return { ...item, ...(variants ? { variants } : {}) };
  return { ...item, price: productPrice.price, original_price: productPrice.original_price, currency, ...(variants ? { variants } : {}) };
}
