import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { Brackets, DataSource, EntityManager } from 'typeorm';
import { Conditional, ConflictError, ForbiddenError, ifNoneMatchHits, isUuid, MerchantScopedRepository, NotFoundError, Page, PageRequest, RequestContext, slugify, toPage, weakEntityTag } from '@app/common';
import { AuditService } from '../audit/audit.service';
import { CatalogVersionService } from '../catalog/catalog-version.service';
import { Merchant } from './entities/merchant.entity';
import { MerchantTranslation } from './entities/merchant-translation.entity';
import { MerchantProfileDto, MerchantTranslationBodyDto, PublicStoreDto, UpdateMerchantProfileDto } from './dto/merchant.dto';
import { MerchantTransition, nextMerchantStatus } from './merchant-status';

/** API field → entity property, for the profile fields a merchant may set. */
const PROFILE_FIELDS = {
  name: 'name',
  slug: 'slug',
  email: 'email',
  description: 'description',
  logo_url: 'logoUrl',
  logo_media_id: 'logoMediaId',
  default_currency: 'defaultCurrency',
  supported_currencies: 'supportedCurrencies',
  default_locale: 'defaultLocale',
  supported_locales: 'supportedLocales',
  primary_color: 'primaryColor',
  origin_country_alpha2: 'originCountryAlpha2',
  origin_city: 'originCity',
  origin_postal_code: 'originPostalCode',
  origin_line_1: 'originLine_1',
  origin_line_2: 'originLine_2',
  origin_state: 'originState',
  contact_name: 'contactName',
  contact_phone: 'contactPhone',
  contact_email: 'contactEmail',
  company_name: 'companyName',
} as const satisfies Record<keyof MerchantProfileDto, keyof Merchant>;


/** The entity fields that differ, for the audit diff. */
function snapshot(m: Merchant): Record<string, unknown> {
  const { createdAt: _c, updatedAt: _u, ...fields } = m;
  return fields;
}

@Injectable()
export class MerchantsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly catalogVersions: CatalogVersionService,
  ) {}

  /** Creates the store of a newly registered merchant user, PENDING until an admin approves it. */
  async createForOwner(manager: EntityManager, ctx: RequestContext | null, owner: { userId: string; email: string }, businessName: string): Promise<Merchant> {
    const repo = manager.getRepository(Merchant);
    const base = slugify(businessName, 'store');
    let slug = base;
    // A savepoint per attempt: a unique-violation would otherwise abort the caller's transaction.
    for (let attempt = 0; ; attempt++) {
      const taken = await repo.exists({ where: { slug } });
      if (!taken) break;
      if (attempt > 5) throw new ConflictError('Could not find a free store slug');
      slug = `${base}-${randomBytes(3).toString('hex')}`;
    }
    const merchant = await repo.save(repo.create({ ownerUserId: owner.userId, name: businessName, slug, email: owner.email, status: 'PENDING' }));
    await this.audit.record(manager, ctx, {
      action: 'merchant.create',
      entityType: 'merchant',
      entityId: merchant.id,
      merchantId: merchant.id,
      after: snapshot(merchant),
    });
    return merchant;
  }

  async getById(merchantId: string): Promise<Merchant> {
    const merchant = isUuid(merchantId) ? await this.dataSource.getRepository(Merchant).findOneBy({ id: merchantId }) : null;
    if (!merchant) throw new NotFoundError('Merchant', merchantId);
    return merchant;
  }

  findByOwner(userId: string, manager: EntityManager = this.dataSource.manager): Promise<Merchant | null> {
    return manager.getRepository(Merchant).findOneBy({ ownerUserId: userId });
  }

  /** Publishing (products, the public store) needs an ACTIVE store; catalog and others call this. */
  async assertCanPublish(merchantId: string): Promise<void> {
    const merchant = await this.getById(merchantId);
    if (merchant.status !== 'ACTIVE') {
      throw new ForbiddenError(`The store is ${merchant.status}; only ACTIVE stores can publish`, { status: merchant.status });
    }
  }

  async updateProfile(ctx: RequestContext, merchantId: string, changes: UpdateMerchantProfileDto | MerchantProfileDto): Promise<Merchant> {
    return this.dataSource.transaction(async (manager) => {
      const repo = manager.getRepository(Merchant);
      const merchant = await repo.findOne({ where: { id: merchantId }, lock: { mode: 'pessimistic_write' } });
      if (!merchant) throw new NotFoundError('Merchant', merchantId);
      const before = snapshot(merchant);
      for (const [field, property] of Object.entries(PROFILE_FIELDS)) {
        const value = (changes as Record<string, unknown>)[field];
        if (value !== undefined) (merchant as unknown as Record<string, unknown>)[property] = value;
      }
      if (!merchant.supportedCurrencies.includes(merchant.defaultCurrency)) merchant.supportedCurrencies = [merchant.defaultCurrency, ...merchant.supportedCurrencies];
      if (!merchant.supportedLocales.includes(merchant.defaultLocale)) merchant.supportedLocales = [merchant.defaultLocale, ...merchant.supportedLocales];
      if (merchant.slug !== before.slug && (await repo.exists({ where: { slug: merchant.slug } }))) {
        throw new ConflictError('This slug is taken by another store', { field: 'slug' });
      }
      const saved = await repo.save(merchant);
      await this.audit.record(manager, ctx, { action: 'merchant.update', entityType: 'merchant', entityId: merchantId, merchantId, before, after: snapshot(saved) });
      return saved;
    });
  }

  /** Admin: approve, reject or suspend, following the status machine. */
  async changeStatus(ctx: RequestContext, merchantId: string, transition: MerchantTransition, reason?: string): Promise<Merchant> {
    const changed = await this.dataSource.transaction(async (manager) => {
      const repo = manager.getRepository(Merchant);
      const merchant = isUuid(merchantId) ? await repo.findOne({ where: { id: merchantId }, lock: { mode: 'pessimistic_write' } }) : null;
      if (!merchant) throw new NotFoundError('Merchant', merchantId);
      const before = snapshot(merchant);
      merchant.status = nextMerchantStatus(merchant.status, transition);
      merchant.statusReason = reason ?? null;
      merchant.statusChangedAt = new Date();
      const saved = await repo.save(merchant);
      await this.audit.record(manager, ctx, { action: `merchant.${transition}`, entityType: 'merchant', entityId: merchantId, merchantId, before, after: snapshot(saved) });
      return saved;
    });
    // Storefront answers are cached under the catalog version: a store that stops (or starts)
    // being ACTIVE must not be served from them.
    await this.catalogVersions.bump(changed.id).catch(() => undefined);
    return changed;
  }

  async list(filter: { status?: string; search?: string }, page: PageRequest): Promise<Page<Merchant>> {
    const qb = this.dataSource.getRepository(Merchant).createQueryBuilder('m');
    if (filter.status) qb.andWhere('m.status = :status', { status: filter.status });
    if (filter.search) {
      const like = `%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      qb.andWhere(new Brackets((w) => w.where('m.name ILIKE :like', { like }).orWhere('m.slug ILIKE :like').orWhere('m.email ILIKE :like')));
    }
    const [items, total] = await qb.orderBy('m.createdAt', 'DESC').addOrderBy('m.id', 'DESC').skip(page.offset).take(page.limit).getManyAndCount();
    return toPage(items, total, page);
  }

  /** A store as storefronts see it: ACTIVE only (others are 404), by id or slug, in the asked locale. */
  /** The public store with a weak ETag of what it was built from; 304-able on If-None-Match. */
  async getPublicStore(idOrSlug: string, locale?: string, ifNoneMatch?: string): Promise<Conditional<PublicStoreDto>> {
    const repo = this.dataSource.getRepository(Merchant);
    const where = isUuid(idOrSlug) ? { id: idOrSlug, status: 'ACTIVE' as const } : { slug: String(idOrSlug).toLowerCase(), status: 'ACTIVE' as const };
    const merchant = await repo.findOneBy(where);
    if (!merchant) throw new NotFoundError('Store', idOrSlug);
    // A translation the merchant wrote is served even if supported_locales (not in the contract) omits it.
    const wanted = locale || merchant.defaultLocale;
    const translation =
      wanted !== merchant.defaultLocale
        ? await this.dataSource.getRepository(MerchantTranslation).findOneBy({ merchantId: merchant.id, languageCode: wanted })
        : null;
    const etag = weakEntityTag({ store: merchant.id, updated: merchant.updatedAt.toISOString(), translation: translation?.updatedAt.toISOString() ?? null, locale: wanted });
    if (ifNoneMatchHits(ifNoneMatch, etag)) return { notModified: true, etag };
    const body: PublicStoreDto = {
      id: merchant.id,
      name: translation?.name ?? merchant.name,
      slug: merchant.slug,
      description: translation ? translation.description : merchant.description,
      logo_url: merchant.logoUrl,
      default_currency: merchant.defaultCurrency,
      supported_currencies: merchant.supportedCurrencies,
      default_locale: merchant.defaultLocale,
      supported_locales: merchant.supportedLocales,
      primary_color: merchant.primaryColor,
      locale: translation ? wanted : merchant.defaultLocale,
    };
    return { notModified: false, etag, body };
  }

  private translations(manager: EntityManager = this.dataSource.manager): MerchantScopedRepository<MerchantTranslation> {
    return MerchantScopedRepository.for(manager, MerchantTranslation);
  }

  listTranslations(merchantId: string): Promise<MerchantTranslation[]> {
    return this.translations().find(merchantId, { order: { languageCode: 'ASC' } });
  }

  async getTranslation(merchantId: string, languageCode: string): Promise<MerchantTranslation> {
    const row = await this.translations().findOneBy(merchantId, { languageCode });
    if (!row) throw new NotFoundError('Translation', languageCode);
    return row;
  }

  /** Creates or replaces the translation for one language. */
  async upsertTranslation(ctx: RequestContext, merchantId: string, languageCode: string, body: MerchantTranslationBodyDto): Promise<MerchantTranslation> {
    return this.dataSource.transaction(async (manager) => {
      const repo = this.translations(manager);
      const existing = await repo.findOneBy(merchantId, { languageCode });
      const before = existing ? { name: existing.name, description: existing.description } : null;
      const saved = await repo.save(merchantId, { ...(existing ?? {}), languageCode, name: body.name, description: body.description ?? null });
      await this.audit.record(manager, ctx, {
        action: existing ? 'merchant_translation.update' : 'merchant_translation.create',
        entityType: 'merchant_translation',
        entityId: `${merchantId}:${languageCode}`,
        merchantId,
        before,
        after: { name: saved.name, description: saved.description },
      });
      return saved;
    });
  }

  async deleteTranslation(ctx: RequestContext, merchantId: string, languageCode: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const repo = this.translations(manager);
      const existing = await repo.findOneBy(merchantId, { languageCode });
      if (!existing) throw new NotFoundError('Translation', languageCode);
      await repo.deleteById(merchantId, existing.id);
      await this.audit.record(manager, ctx, {
        action: 'merchant_translation.delete',
        entityType: 'merchant_translation',
        entityId: `${merchantId}:${languageCode}`,
        merchantId,
        before: { name: existing.name, description: existing.description },
        after: null,
      });
    });
  }
}
