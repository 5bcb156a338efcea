import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, Raw } from 'typeorm';
import { ConflictError, MerchantScopedRepository, NotFoundError, RequestContext, ValidationError } from '@app/common';
import { AuditService } from '../audit/audit.service';
import { CatalogVersionService } from './catalog-version.service';
import { CollectionsService } from './collections.service';
import {
  AttributeLabels,
  CollectionTranslationBodyDto,
  CollectionTranslationDto,
  LANGUAGE_CODE,
  LanguageDto,
  ProductTranslationBodyDto,
  ProductTranslationDto,
} from './dto/translation.dto';
import { CollectionTranslation, Language, ProductTranslation } from './entities/translation.entities';
import { ProductsService } from './products.service';

/** How a write treats an existing translation of the same language: POST refuses it, PUT replaces it. */
type WriteMode = 'create' | 'upsert';

const LABEL_MAX = 200;
const MAX_ATTRIBUTES = 50;

const productTranslationView = (t: ProductTranslation): ProductTranslationDto => ({
  language_code: t.languageCode,
  name: t.name,
  description: t.description,
  meta_title: t.metaTitle,
  meta_description: t.metaDescription,
  variant_attributes_translations: t.variantAttributesTranslations as Record<string, AttributeLabels> | null,
  created_at: t.createdAt.toISOString(),
  updated_at: t.updatedAt.toISOString(),
});

const collectionTranslationView = (t: CollectionTranslation): CollectionTranslationDto => ({
  language_code: t.languageCode,
  name: t.name,
  description: t.description,
  meta_title: t.metaTitle,
  meta_description: t.metaDescription,
  created_at: t.createdAt.toISOString(),
  updated_at: t.updatedAt.toISOString(),
});

const translatedFields = (t: ProductTranslation | CollectionTranslation): Record<string, unknown> => {
  const { id: _id, createdAt: _c, updatedAt: _u, ...fields } = t;
  return fields;
};

/**
 * `{ Color: { label: 'Couleur', values: { red: 'Rouge' } } }` checked and normalized: attribute names
 * lower-cased and trimmed like variant attributes are, so the labels line up with them.
 */
export function normalizeAttributeLabels(input: Record<string, unknown> | null | undefined): Record<string, AttributeLabels> | null {
  if (input === null || input === undefined) return null;
  const field = 'variant_attributes_translations';
  const invalid = (path: string, problem: string) => new ValidationError(`${path}: ${problem}`, { [path]: [problem] });
  const entries = Object.entries(input);
  if (entries.length > MAX_ATTRIBUTES) throw invalid(field, `at most ${MAX_ATTRIBUTES} attributes`);
  const out: Record<string, AttributeLabels> = {};
  for (const [rawName, value] of entries) {
    const name = rawName.trim().toLowerCase();
    const path = `${field}.${rawName}`;
    if (!name || name.length > 50) throw invalid(path, 'attribute name must be 1 to 50 characters');
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(path, 'must be an object {label?, values?}');
    const { label, values, ...extra } = value as Record<string, unknown>;
    if (Object.keys(extra).length) throw invalid(path, `unknown keys ${Object.keys(extra).join(', ')} (only label and values)`);
    const labels: AttributeLabels = {};
    if (label !== undefined) {
      if (typeof label !== 'string' || !label.trim() || label.length > LABEL_MAX) throw invalid(`${path}.label`, `must be a string of 1 to ${LABEL_MAX} characters`);
      labels.label = label.trim();
    }
    if (values !== undefined) {
      if (typeof values !== 'object' || values === null || Array.isArray(values)) throw invalid(`${path}.values`, 'must be an object of value → translated value');
      labels.values = {};
      for (const [original, translated] of Object.entries(values)) {
        if (typeof translated !== 'string' || !translated.trim() || translated.length > LABEL_MAX || original.length > LABEL_MAX) {
          throw invalid(`${path}.values.${original}`, `must be a string of 1 to ${LABEL_MAX} characters`);
        }
        labels.values[original.trim()] = translated.trim();
      }
    }
    out[name] = labels;
  }
  return out;
}

/** Translations of products and collections, and the languages they may be written in. */
@Injectable()
export class TranslationsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly products: ProductsService,
    private readonly collections: CollectionsService,
    private readonly versions: CatalogVersionService,
  ) {}

  private bumpCatalogVersion(merchantId: string): void {
    void this.versions.bump(merchantId).catch(() => undefined);
  }

  async listLanguages(activeOnly: boolean): Promise<LanguageDto[]> {
    const rows = await this.dataSource.getRepository(Language).find({ where: activeOnly ? { isActive: true } : {}, order: { code: 'ASC' } });
    return rows.map((l) => ({ code: l.code, name: l.name, native_name: l.nativeName, is_active: l.isActive }));
  }

  /**
   * The `languages` row's spelling of a code (`zh-cn` → `zh-CN`), or 422: the format first, then the
   * table. Writing needs an active language; reading and deleting also accept one retired since.
   */
  async resolveLanguage(code: unknown, options: { forWrite: boolean; field?: string }, manager: EntityManager = this.dataSource.manager): Promise<string> {
    const field = options.field ?? 'language_code';
    if (typeof code !== 'string' || !LANGUAGE_CODE.test(code)) {
      throw new ValidationError(`${field}: ${String(code).slice(0, 32)} is not a language code such as fr, en-US or zh-CN`, { [field]: ['is not a language code'] });
    }
    const language = await manager.getRepository(Language).findOneBy({ code: Raw((column) => `lower(${column}) = lower(:code)`, { code }) });
    if (!language) throw new ValidationError(`${field}: ${code} is not a supported language (see GET /api/languages)`, { [field]: ['is not a supported language'] });
    if (options.forWrite && !language.isActive) throw new ValidationError(`${field}: ${language.code} is no longer offered for translations`, { [field]: ['is not an active language'] });
    return language.code;
  }

  /** POST names the language in the body; PUT in the path (a body language_code, if sent, must agree). */
  private async languageForWrite(manager: EntityManager, mode: WriteMode, pathLang: string | undefined, bodyLang: string | undefined): Promise<string> {
    if (mode === 'create') {
      if (!bodyLang) throw new ValidationError('language_code: is required', { language_code: ['is required'] });
      return this.resolveLanguage(bodyLang, { forWrite: true }, manager);
    }
    const code = await this.resolveLanguage(pathLang, { forWrite: true, field: 'lang' }, manager);
    if (bodyLang !== undefined && bodyLang.toLowerCase() !== code.toLowerCase()) {
      throw new ValidationError(`language_code: ${bodyLang} does not match the language in the path (${code})`, { language_code: ['does not match the path'] });
    }
    return code;
  }

  // ---- products ----

  private productTranslations(manager: EntityManager = this.dataSource.manager): MerchantScopedRepository<ProductTranslation> {
    return MerchantScopedRepository.for(manager, ProductTranslation);
  }

  async listForProduct(merchantId: string, productId: string): Promise<ProductTranslationDto[]> {
    const product = await this.products.getLive(merchantId, productId);
    const rows = await this.productTranslations().find(merchantId, { where: { productId: product.id }, order: { languageCode: 'ASC' } });
    return rows.map(productTranslationView);
  }

  async getForProduct(merchantId: string, productId: string, lang: string): Promise<ProductTranslationDto> {
    const product = await this.products.getLive(merchantId, productId);
    const languageCode = await this.resolveLanguage(lang, { forWrite: false, field: 'lang' });
    const row = await this.productTranslations().findOneBy(merchantId, { productId: product.id, languageCode });
    if (!row) throw new NotFoundError('Translation', languageCode);
    return productTranslationView(row);
  }

  async writeForProduct(ctx: RequestContext, merchantId: string, productId: string, mode: WriteMode, body: ProductTranslationBodyDto, pathLang?: string): Promise<ProductTranslationDto> {
    const saved = await this.dataSource.transaction(async (manager) => {
      const product = await this.products.getLive(merchantId, productId, manager);
      const languageCode = await this.languageForWrite(manager, mode, pathLang, body.language_code);
      const repo = this.productTranslations(manager);
      const existing = await repo.findOneBy(merchantId, { productId: product.id, languageCode });
      if (existing && mode === 'create') throw new ConflictError(`The product already has a ${languageCode} translation; use PUT to change it`, { language_code: languageCode });
      const before = existing ? translatedFields(existing) : null;
      const saved = await repo.save(merchantId, {
        ...(existing ?? {}),
        productId: product.id,
        languageCode,
        name: body.name,
        description: body.description ?? null,
        metaTitle: body.meta_title ?? null,
        metaDescription: body.meta_description ?? null,
        variantAttributesTranslations: normalizeAttributeLabels(body.variant_attributes_translations),
      });
      await this.audit.record(manager, ctx, {
        action: existing ? 'product_translation.update' : 'product_translation.create',
        entityType: 'product_translation',
        entityId: `${product.id}:${languageCode}`,
        merchantId,
        before,
        after: translatedFields(saved),
      });
      return saved;
    });
    this.bumpCatalogVersion(merchantId);
    return productTranslationView(saved);
  }

  async deleteForProduct(ctx: RequestContext, merchantId: string, productId: string, lang: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const product = await this.products.getLive(merchantId, productId, manager);
      const languageCode = await this.resolveLanguage(lang, { forWrite: false, field: 'lang' }, manager);
      const repo = this.productTranslations(manager);
      const existing = await repo.findOneBy(merchantId, { productId: product.id, languageCode });
      if (!existing) throw new NotFoundError('Translation', languageCode);
      await repo.deleteById(merchantId, existing.id);
      await this.audit.record(manager, ctx, {
        action: 'product_translation.delete',
        entityType: 'product_translation',
        entityId: `${product.id}:${languageCode}`,
        merchantId,
        before: translatedFields(existing),
        after: null,
      });
    });
    this.bumpCatalogVersion(merchantId);
  }

  // ---- collections (addressed by id or slug, like the collection routes) ----

  private collectionTranslations(manager: EntityManager = this.dataSource.manager): MerchantScopedRepository<CollectionTranslation> {
    return MerchantScopedRepository.for(manager, CollectionTranslation);
  }

  async listForCollection(merchantId: string, idOrSlug: string): Promise<CollectionTranslationDto[]> {
    const collection = await this.collections.getByIdOrSlug(merchantId, idOrSlug);
    const rows = await this.collectionTranslations().find(merchantId, { where: { collectionId: collection.id }, order: { languageCode: 'ASC' } });
    return rows.map(collectionTranslationView);
  }

  async getForCollection(merchantId: string, idOrSlug: string, lang: string): Promise<CollectionTranslationDto> {
    const collection = await this.collections.getByIdOrSlug(merchantId, idOrSlug);
    const languageCode = await this.resolveLanguage(lang, { forWrite: false, field: 'lang' });
    const row = await this.collectionTranslations().findOneBy(merchantId, { collectionId: collection.id, languageCode });
    if (!row) throw new NotFoundError('Translation', languageCode);
    return collectionTranslationView(row);
  }

  async writeForCollection(ctx: RequestContext, merchantId: string, idOrSlug: string, mode: WriteMode, body: CollectionTranslationBodyDto, pathLang?: string): Promise<CollectionTranslationDto> {
    const saved = await this.dataSource.transaction(async (manager) => {
      // Locked so a concurrent collection delete cannot leave this translation behind.
      const collection = await this.collections.getByIdOrSlug(merchantId, idOrSlug, manager, true);
      const languageCode = await this.languageForWrite(manager, mode, pathLang, body.language_code);
      const repo = this.collectionTranslations(manager);
      const existing = await repo.findOneBy(merchantId, { collectionId: collection.id, languageCode });
      if (existing && mode === 'create') throw new ConflictError(`The collection already has a ${languageCode} translation; use PUT to change it`, { language_code: languageCode });
      const before = existing ? translatedFields(existing) : null;
      const saved = await repo.save(merchantId, {
        ...(existing ?? {}),
        collectionId: collection.id,
        languageCode,
        name: body.name,
        description: body.description ?? null,
        metaTitle: body.meta_title ?? null,
        metaDescription: body.meta_description ?? null,
      });
      await this.audit.record(manager, ctx, {
        action: existing ? 'collection_translation.update' : 'collection_translation.create',
        entityType: 'collection_translation',
        entityId: `${collection.id}:${languageCode}`,
        merchantId,
        before,
        after: translatedFields(saved),
      });
      return saved;
    });
    this.bumpCatalogVersion(merchantId);
    return collectionTranslationView(saved);
  }

  async deleteForCollection(ctx: RequestContext, merchantId: string, idOrSlug: string, lang: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const collection = await this.collections.getByIdOrSlug(merchantId, idOrSlug, manager);
      const languageCode = await this.resolveLanguage(lang, { forWrite: false, field: 'lang' }, manager);
      const repo = this.collectionTranslations(manager);
      const existing = await repo.findOneBy(merchantId, { collectionId: collection.id, languageCode });
      if (!existing) throw new NotFoundError('Translation', languageCode);
      await repo.deleteById(merchantId, existing.id);
      await this.audit.record(manager, ctx, {
        action: 'collection_translation.delete',
        entityType: 'collection_translation',
        entityId: `${collection.id}:${languageCode}`,
        merchantId,
        before: translatedFields(existing),
        after: null,
      });
    });
    this.bumpCatalogVersion(merchantId);
  }
}
