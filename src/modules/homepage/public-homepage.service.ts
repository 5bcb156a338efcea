import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CachedAnswer, StorefrontAnswerCache } from '../catalog/storefront-answer-cache';
import { StorefrontStore, StorefrontStores } from '../catalog/storefront-stores';
import { Conditional, ifNoneMatchHits, NotFoundError, weakEntityTag } from '@app/common';
import { CatalogVersionService } from '../catalog/catalog-version.service';
import { PublicProductDto } from '../catalog/dto/public-catalog.dto';
import { requestedLocale, translationFallbacks } from '../catalog/locale-negotiation';
import { PublicCatalogReader, StorefrontProduct } from '../catalog/public-catalog.reader';
import { presentStorefrontProducts, PUBLIC_PRODUCT_VIEW, StorefrontHeaders } from '../catalog/public-catalog.service';
import { PublicCollectionCardDto, PublicHomepageDto, PublicSectionDto } from './dto/homepage.dto';
import { HomepageVersionService } from './homepage-version.service';
import { pageSettingsView, pickTranslation } from './homepage.service';
import {
  BannerImage,
  BannerSettings,
  CollectionProductsSettings,
  CollectionsSettings,
  FeaturedSettings,
  SectionSettings,
  SectionTranslation,
  SectionType,
} from './section-settings';
import { DEFAULT_TEMPLATE, TemplateKey, TEMPLATES } from './templates';

/** Part of every ETag: bump it when the page's shape changes. */
const RESPONSE_FORMAT = 'public-homepage/1';
interface PageRow {
  id: string;
  default_locale: string;
  default_currency: string;
  config_id: string | null;
  version: number | null;
  template_key: string | null;
  page_settings: Record<string, unknown> | null;
}

interface SectionRow {
  id: string | null;
  position: number;
  type: SectionType;
  settings: SectionSettings;
  translations: Record<string, SectionTranslation>;
}

interface CollectionRow {
  id: string;
  slug: string;
  name: string;
  description: string | null;
  image_url: string | null;
  cover_url: string | null;
  translations: { language_code: string; name: string; description: string | null }[];
}

/**
 * The published homepage of an ACTIVE store, with what its sections name resolved: images to URLs,
 * collections to cards, products through the public catalog's own reader and views (active products
 * only, prices as decimal strings in the asked currency, the asked language). What no longer exists
 * is left out, and a section left with nothing to show is left out too. Answers carry an ETag over
 * the store's catalog version and homepage version and are kept in the storefront answer cache.
 */
@Injectable()
export class PublicHomepageService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly reader: PublicCatalogReader,
    private readonly catalogVersions: CatalogVersionService,
    private readonly homepageVersions: HomepageVersionService,
    private readonly answers: StorefrontAnswerCache,
    private readonly stores: StorefrontStores,
  ) {}

  async page(idOrSlug: string, query: { locale?: string; currency?: string }, headers: StorefrontHeaders): Promise<Conditional<PublicHomepageDto>> {
    const store = await this.stores.active(String(idOrSlug));
    const locale = requestedLocale(query.locale, headers.acceptLanguage);
    // Versions first: a change committed while the page is built only makes this tag outdated.
    const [catalogVersion, homepageVersion] = await Promise.all([this.catalogVersions.current(store.id), this.homepageVersions.current(store.id)]);
    const etag =
      catalogVersion === null || homepageVersion === null
        ? null
        : weakEntityTag({ format: RESPONSE_FORMAT, store, catalogVersion, homepageVersion, locale, currency: query.currency });
    if (etag && ifNoneMatchHits(headers.ifNoneMatch, etag)) return { notModified: true, etag };
    const cached = this.answers.get(etag);
    if (cached) return { notModified: false, ...cached };

    const body = await this.build(store.id, locale, query.currency);
    if (etag === null) return { notModified: false, etag, body };
    const answer: CachedAnswer = { etag, json: JSON.stringify(body) };
    this.answers.set(etag, answer);
    return { notModified: false, ...answer };
  }

  private async build(storeId: string, locale: string | undefined, currency: string | undefined): Promise<PublicHomepageDto> {
    // The store's status is checked again here, not taken from the lookup cache.
    const [row] = await this.query<PageRow>(
      `SELECT m.id, m.default_locale, m.default_currency, c.id AS config_id, c.version, c.template_key, c.page_settings
         FROM merchants m LEFT JOIN homepage_configs c ON c.merchant_id = m.id
        WHERE m.id = $1 AND m.status = 'ACTIVE'`,
      [storeId],
    );
    if (!row) throw new NotFoundError('Store', storeId);
    const store: StorefrontStore = { id: row.id, defaultLocale: row.default_locale, defaultCurrency: row.default_currency };
    const sections: SectionRow[] = row.config_id
      ? await this.query<SectionRow>(`SELECT id, position, type, settings, translations FROM homepage_sections WHERE config_id = $1 AND merchant_id = $2 ORDER BY position, created_at`, [
          row.config_id,
          store.id,
        ])
      : TEMPLATES[DEFAULT_TEMPLATE].sections.map((s, i) => ({ id: null, position: i + 1, type: s.type, settings: s.settings, translations: s.translations }));
    const pageSettings = row.page_settings ?? {};

    const fallbacks = translationFallbacks(locale, store.defaultLocale);
    const languages = fallbacks.map((c) => c.toLowerCase());
    const { mediaIds, slugs, handles } = references(sections, pageSettings);

    // Everything the sections name, in parallel: media, collections, each product grid, featured products.
    const grids = sections.filter((s) => s.type === 'collection_products');
    const [media, collections, gridProducts, featuredProducts] = await Promise.all([
      mediaIds.length
        ? this.query<{ id: string; url: string }>(`SELECT id, url FROM media WHERE merchant_id = $1 AND id = ANY($2::uuid[]) AND status IN ('processing', 'ready') AND url IS NOT NULL`, [store.id, mediaIds])
        : [],
      slugs.length
        ? this.query<CollectionRow>(
            `SELECT c.id, c.slug, c.name, c.description, c.image_url, cm.url AS cover_url,
                    (SELECT coalesce(json_agg(json_build_object('language_code', t.language_code, 'name', t.name, 'description', t.description)), '[]')
                       FROM collection_translations t WHERE t.collection_id = c.id AND lower(t.language_code) = ANY($3)) AS translations
               FROM collections c LEFT JOIN media cm ON cm.id = c.cover_media_id AND cm.merchant_id = c.merchant_id
              WHERE c.merchant_id = $1 AND c.slug = ANY($2)`,
            [store.id, slugs, languages],
          )
        : [],
      Promise.all(
        grids.map((s) => {
          const { collection_slug, limit } = s.settings as CollectionProductsSettings;
          const filter = { publicOnly: true, collections: collection_slug ? [collection_slug] : undefined, sortBy: 'created_at' as const, sortOrder: 'desc' as const };
          return this.reader.page(store.id, filter, { limit, offset: 0, page: 1, per_page: limit }, languages, { count: false }).then((found) => found.items);
        }),
      ),
      Promise.all(handles.map((handle) => this.reader.one({ handle, storeId: store.id }, languages))),
    ]);

    const mediaUrl = new Map(media.map((m) => [m.id, m.url]));
    const collectionBySlug = new Map(collections.map((c) => [c.slug, card(c, fallbacks)]));
    const present = (found: StorefrontProduct[]): PublicProductDto[] => presentStorefrontProducts(found, PUBLIC_PRODUCT_VIEW, store.defaultLocale, fallbacks, currency);
    const productsOfGrid = new Map(grids.map((s, i) => [s, present(gridProducts[i])]));
    const productByHandle = new Map(handles.map((h, i) => [h, featuredProducts[i] ? present([featuredProducts[i]!])[0] : null]));

    const out: PublicSectionDto[] = [];
    for (const section of sections) {
      const resolved = resolveSection(section, { mediaUrl, collectionBySlug, productsOfGrid, productByHandle });
      if (!resolved) continue;
      const translation = pickTranslation(section.translations, [...fallbacks, store.defaultLocale]);
      out.push({
        id: section.id as string,
        type: section.type,
        position: out.length + 1,
        title: translation?.value.title ?? null,
        description: translation?.value.description ?? null,
        locale: translation?.code ?? null,
        ...resolved,
      });
    }

    const settings = pageSettingsView(pageSettings);
    const background = typeof settings.background_media_id === 'string' ? mediaUrl.get(settings.background_media_id) : undefined;
    return {
      merchant_id: store.id,
      id: row.config_id,
      version: row.version ?? 0,
      template_key: (row.template_key as TemplateKey | null) ?? DEFAULT_TEMPLATE,
      locale: locale ?? store.defaultLocale,
      currency: currency ?? store.defaultCurrency,
      page_settings: { ...settings, background_image: background ?? settings.background_image },
      sections: out,
    };
  }

  private query<T>(sql: string, parameters: unknown[]): Promise<T[]> {
    return this.dataSource.query(sql, parameters);
  }
}

/** Media ids, collection slugs and product handles the page needs, each once. */
function references(sections: SectionRow[], pageSettings: Record<string, unknown>): { mediaIds: string[]; slugs: string[]; handles: string[] } {
  const mediaIds = new Set<string>();
  const slugs = new Set<string>();
  const handles = new Set<string>();
  if (typeof pageSettings.background_media_id === 'string') mediaIds.add(pageSettings.background_media_id);
  for (const s of sections) {
    if (s.type === 'banner') {
      for (const image of (s.settings as BannerSettings).images) {
        if (image.media_id) mediaIds.add(image.media_id);
        if (image.mobile_media_id) mediaIds.add(image.mobile_media_id);
      }
    } else if (s.type === 'collections') {
      (s.settings as CollectionsSettings).collection_slugs.forEach((slug) => slugs.add(slug));
    } else if (s.type === 'collection_products') {
      const slug = (s.settings as CollectionProductsSettings).collection_slug;
      if (slug) slugs.add(slug);
    } else if (s.type === 'featured') {
      const { target_type, target_handle } = s.settings as FeaturedSettings;
      if (target_handle && target_type === 'collection') slugs.add(target_handle);
      if (target_handle && target_type === 'product') handles.add(target_handle);
    }
  }
  return { mediaIds: [...mediaIds], slugs: [...slugs], handles: [...handles] };
}

/** A collection's card in the first fallback language it is translated into (its own text otherwise). */
function card(c: CollectionRow, fallbacks: string[]): PublicCollectionCardDto {
  const t = fallbacks.map((code) => c.translations.find((x) => x.language_code.toLowerCase() === code.toLowerCase())).find(Boolean);
  return { id: c.id, slug: c.slug, name: t?.name ?? c.name, description: t?.description ?? c.description, image_url: c.cover_url ?? c.image_url };
}

interface Resolved {
  mediaUrl: Map<string, string>;
  collectionBySlug: Map<string, PublicCollectionCardDto>;
  productsOfGrid: Map<SectionRow, PublicProductDto[]>;
  productByHandle: Map<string, PublicProductDto | null>;
}

/** A section's public settings and data, or null when nothing of it resolves (it is then left out). */
function resolveSection(section: SectionRow, r: Resolved): Pick<PublicSectionDto, 'settings' | 'collections' | 'collection' | 'products' | 'product'> | null {
  switch (section.type) {
    case 'banner': {
      const settings = section.settings as BannerSettings;
      const images = settings.images.flatMap((image): BannerImage[] => {
        const url = image.media_id ? r.mediaUrl.get(image.media_id) : image.url;
        if (!url) return [];
        const mobileUrl = image.mobile_media_id ? (r.mediaUrl.get(image.mobile_media_id) ?? null) : image.mobile_url;
        return [{ ...image, url, mobile_url: mobileUrl }];
      });
      return images.length ? { settings: { ...settings, images } } : null;
    }
    case 'collections': {
      const settings = section.settings as CollectionsSettings;
      const collections = settings.collection_slugs.map((slug) => r.collectionBySlug.get(slug)).filter((c): c is PublicCollectionCardDto => Boolean(c));
      return collections.length ? { settings: { ...settings, collection_slugs: collections.map((c) => c.slug) }, collections } : null;
    }
    case 'collection_products': {
      const settings = section.settings as CollectionProductsSettings;
      const collection = settings.collection_slug ? r.collectionBySlug.get(settings.collection_slug) : null;
      const products = r.productsOfGrid.get(section) ?? [];
      if (collection === undefined || !products.length) return null;
      return { settings: { ...settings }, collection, products };
    }
    case 'featured': {
      const settings = section.settings as FeaturedSettings;
      if (settings.target_type === 'url') return settings.url ? { settings: { ...settings } } : null;
      if (!settings.target_handle) return null;
      if (settings.target_type === 'collection') {
        const collection = r.collectionBySlug.get(settings.target_handle);
        return collection ? { settings: { ...settings }, collection } : null;
      }
      const product = r.productByHandle.get(settings.target_handle);
      return product ? { settings: { ...settings }, product } : null;
    }
    default:
      return null;
  }
}
