import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppException, isUuid, MerchantScopedRepository, NotFoundError, RequestContext, ValidationError } from '@app/common';
import { AuditService } from '../audit/audit.service';
import { LANGUAGE_CODE } from '../catalog/dto/translation.dto';
import { normalizeLocale } from '../catalog/locale-negotiation';
import {
  BannerImagePatchDto,
  CreateSectionDto,
  HomepageConfigDto,
  HomepageSectionDto,
  HomepageTemplateListDto,
  PageSettingsBodyDto,
  SectionTargetBodyDto,
  SectionTranslationDto,
  UpdateSectionDto,
} from './dto/homepage.dto';
import { HomepageConfig, HomepageSection } from './entities/homepage.entities';
import { HomepageVersionService } from './homepage-version.service';
import {
  BannerSettings,
  checkSettings,
  MAX_SECTIONS,
  normalizeTranslation,
  PAGE_SETTING_KEYS,
  SectionSettings,
  SectionTranslation,
  SectionType,
  translationProblems,
  translationsProblems,
} from './section-settings';
import { DEFAULT_TEMPLATE, TemplateKey, TEMPLATES } from './templates';

/** Homepage error codes beyond the common ones (all 4xx). */
export const HomepageErrors = {
  VersionConflict: 'ERR_VERSION_CONFLICT',
  UnknownMedia: 'ERR_HOMEPAGE_UNKNOWN_MEDIA',
  UnknownCollection: 'ERR_HOMEPAGE_UNKNOWN_COLLECTION',
  UnknownProduct: 'ERR_HOMEPAGE_UNKNOWN_PRODUCT',
  UnknownSection: 'ERR_HOMEPAGE_UNKNOWN_SECTION',
  UnknownLanguage: 'ERR_HOMEPAGE_UNKNOWN_LANGUAGE',
  SectionLimit: 'ERR_HOMEPAGE_SECTION_LIMIT',
  WrongSectionType: 'ERR_HOMEPAGE_WRONG_SECTION_TYPE',
} as const;

const DEFAULT_SETTINGS: Record<SectionType, Record<string, unknown>> = {
  banner: { images: [] },
  collections: { collection_slugs: [] },
  collection_products: {},
  featured: { target_type: 'collection' },
};

/** One thing a section or the page names in the store, with where it is named (for the 422's fields). */
interface Reference {
  kind: 'media' | 'collection' | 'product' | 'section';
  value: string;
  path: string;
}

/** What a change works on: the locked config and its sections in order; the change edits them in place. */
interface Draft {
  manager: EntityManager;
  config: HomepageConfig;
  sections: HomepageSection[];
}

const unprocessable = (code: string, message: string, detail: unknown) => new AppException(code, message, HttpStatus.UNPROCESSABLE_ENTITY, detail);

/** The references of a section's settings that must exist in the store. */
function settingsReferences(type: SectionType, settings: SectionSettings, prefix = 'settings'): Reference[] {
  const refs: Reference[] = [];
  if (type === 'banner') {
    (settings as BannerSettings).images.forEach((image, i) => {
      const at = `${prefix}.images.${i}`;
      if (image.media_id) refs.push({ kind: 'media', value: image.media_id, path: `${at}.media_id` });
      if (image.mobile_media_id) refs.push({ kind: 'media', value: image.mobile_media_id, path: `${at}.mobile_media_id` });
      if (image.action_value && image.action_type === 'collection') refs.push({ kind: 'collection', value: image.action_value, path: `${at}.action_value` });
      if (image.action_value && image.action_type === 'product') refs.push({ kind: 'product', value: image.action_value, path: `${at}.action_value` });
      if (image.action_value && image.action_type === 'section') refs.push({ kind: 'section', value: image.action_value.toLowerCase(), path: `${at}.action_value` });
    });
  } else if (type === 'collections') {
    (settings as { collection_slugs: string[] }).collection_slugs.forEach((slug, i) => refs.push({ kind: 'collection', value: slug, path: `${prefix}.collection_slugs.${i}` }));
  } else if (type === 'collection_products') {
    const slug = (settings as { collection_slug: string | null }).collection_slug;
    if (slug) refs.push({ kind: 'collection', value: slug, path: `${prefix}.collection_slug` });
  } else {
    const { target_type, target_handle } = settings as { target_type: string; target_handle: string | null };
    if (target_handle && target_type === 'collection') refs.push({ kind: 'collection', value: target_handle, path: `${prefix}.target_handle` });
    if (target_handle && target_type === 'product') refs.push({ kind: 'product', value: target_handle, path: `${prefix}.target_handle` });
  }
  return refs;
}

/**
 * `If-Match` (`"7"`, `W/"7"`, `7`; `*` = any) or the body's `version`: the config version a change
 * is based on, or undefined when the client names none.
 */
export function expectedVersion(ifMatch: string | undefined, bodyVersion: number | undefined): number | undefined {
  if (bodyVersion !== undefined) return bodyVersion;
  const value = ifMatch?.trim();
  if (!value || value === '*') return undefined;
  const digits = value.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
  if (!/^\d{1,9}$/.test(digits)) throw new ValidationError('If-Match: must be the config version, e.g. "7"', { 'If-Match': ['must be the config version'] });
  return Number(digits);
}

/**
 * The merchant side of the homepage: the config (created on first use from the standard template),
 * its sections, their settings and translations, templates and reset. Every change runs in one
 * transaction holding the config row lock (so changes of one store serialize and positions stay
 * contiguous), checks the expected version, validates what the settings name against the store,
 * bumps the version, writes the audit entry, and after commit bumps the public page's cache key.
 */
@Injectable()
export class HomepageService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly versions: HomepageVersionService,
  ) {}

  private configs(manager: EntityManager = this.dataSource.manager): MerchantScopedRepository<HomepageConfig> {
    return MerchantScopedRepository.for(manager, HomepageConfig);
  }

  private sectionRows(manager: EntityManager = this.dataSource.manager): MerchantScopedRepository<HomepageSection> {
    return MerchantScopedRepository.for(manager, HomepageSection);
  }

  templates(): HomepageTemplateListDto {
    return {
      templates: Object.values(TEMPLATES).map((t) => ({
        key: t.key,
        name: t.name,
        description: t.description,
        sections: t.sections.map((s, i) => ({ type: s.type, position: i + 1, settings: s.settings as unknown as Record<string, unknown>, translations: s.translations })),
      })),
    };
  }

  // ---- reads ----

  async getConfig(ctx: RequestContext, merchantId: string): Promise<HomepageConfigDto> {
    let config = await this.configs().findOneBy(merchantId, {});
    if (!config) config = await this.dataSource.transaction((manager) => this.ensureConfig(manager, ctx, merchantId));
    const sections = await this.sectionsOf(this.dataSource.manager, merchantId, config.id);
    return this.configView(config, sections, await this.defaultLocale(merchantId));
  }

  async listSections(ctx: RequestContext, merchantId: string): Promise<{ sections: HomepageSectionDto[]; total: number }> {
    const { sections } = await this.getConfig(ctx, merchantId);
    return { sections, total: sections.length };
  }

  async getSection(merchantId: string, id: string, expandTranslations: boolean): Promise<HomepageSectionDto> {
    const section = await this.sectionRows().getById(merchantId, id);
    return this.sectionView(section, await this.defaultLocale(merchantId), expandTranslations);
  }

  async listTranslations(merchantId: string, id: string): Promise<{ items: SectionTranslationDto[]; total: number }> {
    const section = await this.sectionRows().getById(merchantId, id);
    const items = Object.entries(section.translations)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([code, t]) => ({ language_code: code, title: t.title, description: t.description }));
    return { items, total: items.length };
  }

  // ---- config-wide changes ----

  /** DELETE P/{config_id}: the sections of the config's template again, page settings cleared; id and version history stay. */
  async reset(ctx: RequestContext, merchantId: string, configId: string, expected?: number): Promise<HomepageConfigDto> {
    return this.mutate(ctx, merchantId, expected, async (draft) => {
      if (draft.config.id !== String(configId).toLowerCase()) throw new NotFoundError('HomepageConfig', String(configId).slice(0, 64));
      const before = this.auditView(draft);
      await this.replaceWithTemplate(draft, (TEMPLATES[draft.config.templateKey as TemplateKey] ?? TEMPLATES[DEFAULT_TEMPLATE]).key);
      draft.config.pageSettings = {};
      return { action: 'homepage.reset', before, result: undefined };
    }).then(() => this.getConfig(ctx, merchantId));
  }

  async switchTemplate(ctx: RequestContext, merchantId: string, key: TemplateKey, expected?: number): Promise<HomepageConfigDto> {
    await this.mutate(ctx, merchantId, expected, async (draft) => {
      const before = this.auditView(draft);
      await this.replaceWithTemplate(draft, key);
      return { action: 'homepage.switch_template', before, result: undefined };
    });
    return this.getConfig(ctx, merchantId);
  }

  /** PATCH semantics: the keys sent replace the stored ones, null clears one. */
  async updatePageSettings(ctx: RequestContext, merchantId: string, input: PageSettingsBodyDto, expected?: number): Promise<HomepageConfigDto> {
    await this.mutate(ctx, merchantId, expected, async (draft) => {
      const before = this.auditView(draft);
      const next: Record<string, unknown> = { ...draft.config.pageSettings };
      for (const key of PAGE_SETTING_KEYS) {
        const value = input[key];
        if (value === undefined) continue;
        if (value === null) delete next[key];
        else next[key] = key === 'background_media_id' ? String(value).toLowerCase() : value;
      }
      if (typeof next.background_media_id === 'string') await this.assertReferences(draft, [{ kind: 'media', value: next.background_media_id, path: 'background_media_id' }]);
      draft.config.pageSettings = next;
      return { action: 'homepage.page_settings', before, result: undefined };
    });
    return this.getConfig(ctx, merchantId);
  }

  // ---- sections ----

  async createSection(ctx: RequestContext, merchantId: string, input: CreateSectionDto, expected?: number): Promise<HomepageSectionDto> {
    const id = await this.mutate(ctx, merchantId, expected, async (draft) => {
      if (draft.sections.length >= MAX_SECTIONS) {
        throw unprocessable(HomepageErrors.SectionLimit, `A homepage has at most ${MAX_SECTIONS} sections`, { limit: MAX_SECTIONS });
      }
      const settings = checkSettings(input.type, input.settings ?? DEFAULT_SETTINGS[input.type]);
      await this.assertReferences(draft, settingsReferences(input.type, settings));
      const translations = await this.checkTranslations(draft.manager, input.translations ?? {});
      const section = await this.sectionRows(draft.manager).save(merchantId, {
        configId: draft.config.id,
        position: draft.sections.length + 1,
        type: input.type,
        settings: settings as unknown as Record<string, unknown>,
        translations,
      });
      const at = Math.min(input.position ?? draft.sections.length + 1, draft.sections.length + 1);
      draft.sections.splice(at - 1, 0, section);
      await this.renumber(draft);
      return { action: 'homepage.section.create', entityType: 'homepage_section', entityId: section.id, before: null, after: sectionAudit(section), result: section.id };
    });
    return this.getSection(merchantId, id, true);
  }

  /** PUT P/sections/{id}: replaces the translations and/or the settings sent (settings checked for the section's type). */
  async updateSection(ctx: RequestContext, merchantId: string, id: string, input: UpdateSectionDto, expected?: number): Promise<HomepageSectionDto> {
    return this.changeSection(ctx, merchantId, id, expected, 'homepage.section.update', async (draft, section) => {
      if (input.settings !== undefined) await this.setSettings(draft, section, input.settings);
      if (input.translations !== undefined) section.translations = await this.checkTranslations(draft.manager, input.translations);
    });
  }

  async deleteSection(ctx: RequestContext, merchantId: string, id: string, expected?: number): Promise<void> {
    await this.mutate(ctx, merchantId, expected, async (draft) => {
      const section = this.sectionIn(draft, id);
      await this.sectionRows(draft.manager).deleteById(merchantId, section.id);
      draft.sections = draft.sections.filter((s) => s.id !== section.id);
      await this.renumber(draft);
      return { action: 'homepage.section.delete', entityType: 'homepage_section', entityId: section.id, before: sectionAudit(section), after: null, result: undefined };
    });
  }

  /** Moves applied in order, each to a 1-based position (like product image moves). */
  async reorder(ctx: RequestContext, merchantId: string, moves: { section_id: string; new_position: number }[], expected?: number): Promise<{ sections: HomepageSectionDto[] }> {
    await this.mutate(ctx, merchantId, expected, async (draft) => {
      const before = draft.sections.map((s) => s.id);
      for (const [index, move] of moves.entries()) {
        const section = this.sectionIn(draft, move.section_id);
        if (move.new_position > draft.sections.length) {
          const field = `moves.${index}.new_position`;
          throw new ValidationError(`${field}: must be between 1 and ${draft.sections.length}`, { [field]: [`must be between 1 and ${draft.sections.length}`] });
        }
        draft.sections.splice(draft.sections.indexOf(section), 1);
        draft.sections.splice(move.new_position - 1, 0, section);
      }
      await this.renumber(draft);
      return { action: 'homepage.sections.reorder', before: { order: before }, after: { order: draft.sections.map((s) => s.id) }, result: undefined };
    });
    const { sections } = await this.getConfig(ctx, merchantId);
    return { sections };
  }

  /** Seed 000's reorder: these sections first, in this order; the others keep their order after them. */
  async reorderByIds(ctx: RequestContext, merchantId: string, ids: string[], expected?: number): Promise<{ sections: HomepageSectionDto[] }> {
    const wanted = ids.map((id) => id.trim().toLowerCase());
    const duplicate = wanted.find((id, i) => wanted.indexOf(id) !== i);
    if (duplicate) throw new ValidationError(`section_ids: ${duplicate} is listed twice`, { section_ids: [`${duplicate} is listed twice`] });
    await this.mutate(ctx, merchantId, expected, async (draft) => {
      const before = draft.sections.map((s) => s.id);
      const listed = wanted.map((id) => this.sectionIn(draft, id));
      draft.sections = [...listed, ...draft.sections.filter((s) => !listed.includes(s))];
      await this.renumber(draft);
      return { action: 'homepage.sections.reorder', before: { order: before }, after: { order: draft.sections.map((s) => s.id) }, result: undefined };
    });
    const { sections } = await this.getConfig(ctx, merchantId);
    return { sections };
  }

  // ---- section settings ----

  async replaceImages(ctx: RequestContext, merchantId: string, id: string, images: object[], expected?: number): Promise<HomepageSectionDto> {
    return this.changeSection(ctx, merchantId, id, expected, 'homepage.section.images', async (draft, section) => {
      this.assertType(section, 'banner');
      await this.setSettings(draft, section, { ...section.settings, images: images.map((i) => ({ ...i })) });
    });
  }

  /** PATCH …/settings/images/{index}: 1-based; the fields sent replace the image's. */
  async patchImage(ctx: RequestContext, merchantId: string, id: string, index: string, patch: BannerImagePatchDto, expected?: number): Promise<HomepageSectionDto> {
    return this.changeSection(ctx, merchantId, id, expected, 'homepage.section.image', async (draft, section) => {
      this.assertType(section, 'banner');
      const images = [...((section.settings as unknown as BannerSettings).images ?? [])];
      const at = /^\d{1,3}$/.test(String(index)) ? Number(index) : NaN;
      if (!(at >= 1 && at <= images.length)) throw new NotFoundError('Banner image', `${String(index).slice(0, 16)} (the banner has ${images.length}, numbered from 1)`);
      const { version: _version, ...fields } = patch;
      const changed: Record<string, unknown> = { ...images[at - 1] };
      for (const [key, value] of Object.entries(fields)) if (value !== undefined) changed[key] = value;
      // Switching url ⇄ media_id: the one sent wins, the other is cleared.
      if (fields.url) changed.media_id = null;
      if (fields.media_id) changed.url = null;
      if (fields.mobile_url) changed.mobile_media_id = null;
      if (fields.mobile_media_id) changed.mobile_url = null;
      images[at - 1] = changed as never;
      await this.setSettings(draft, section, { ...section.settings, images });
    });
  }

  async replaceCollections(ctx: RequestContext, merchantId: string, id: string, slugs: string[], expected?: number): Promise<HomepageSectionDto> {
    return this.changeSection(ctx, merchantId, id, expected, 'homepage.section.collections', async (draft, section) => {
      this.assertType(section, 'collections');
      await this.setSettings(draft, section, { collection_slugs: slugs });
    });
  }

  /** PUT …/settings/target: a featured section's target; for `url` the URL comes as url or target_handle. */
  async replaceTarget(ctx: RequestContext, merchantId: string, id: string, input: SectionTargetBodyDto, expected?: number): Promise<HomepageSectionDto> {
    return this.changeSection(ctx, merchantId, id, expected, 'homepage.section.target', async (draft, section) => {
      this.assertType(section, 'featured');
      const next: Record<string, unknown> = { ...section.settings, target_type: input.target_type };
      if (input.target_type === 'url') {
        next.url = input.url ?? input.target_handle ?? section.settings.url;
        next.target_handle = null;
      } else {
        next.target_handle = input.target_handle ?? null;
        if (input.url !== undefined) next.url = input.url;
      }
      if (input.cta_text !== undefined) next.cta_text = input.cta_text;
      await this.setSettings(draft, section, next);
    });
  }

  /** PATCH …/settings {updates}: these keys replace the stored ones; the result is checked for the section's type. */
  async patchSettings(ctx: RequestContext, merchantId: string, id: string, updates: Record<string, unknown>, expected?: number): Promise<HomepageSectionDto> {
    return this.changeSection(ctx, merchantId, id, expected, 'homepage.section.settings', async (draft, section) => {
      await this.setSettings(draft, section, { ...section.settings, ...updates }, 'updates');
    });
  }

  // ---- translations ----

  async putTranslation(ctx: RequestContext, merchantId: string, id: string, lang: string, input: { title: string; description?: string | null }, expected?: number): Promise<SectionTranslationDto> {
    let code = '';
    const view = await this.changeSection(ctx, merchantId, id, expected, 'homepage.section.translation.put', async (draft, section) => {
      code = await this.resolveLanguage(draft.manager, lang, 'lang');
      const problems = translationProblems({ title: input.title, description: input.description ?? null }, 'body');
      if (Object.keys(problems).length) throw new ValidationError('body: not a valid translation', problems);
      section.translations = { ...section.translations, [code]: normalizeTranslation({ title: input.title, description: input.description }) };
    });
    const t = view.translations![code];
    return { language_code: code, title: t.title, description: t.description };
  }

  async deleteTranslation(ctx: RequestContext, merchantId: string, id: string, lang: string, expected?: number): Promise<void> {
    await this.changeSection(ctx, merchantId, id, expected, 'homepage.section.translation.delete', async (_draft, section) => {
      const code = Object.keys(section.translations).find((c) => c.toLowerCase() === String(lang).toLowerCase());
      if (!code) throw new NotFoundError('Translation', String(lang).slice(0, 32));
      const { [code]: _removed, ...rest } = section.translations;
      section.translations = rest;
    });
  }

  // ---- the machinery ----

  /**
   * Runs a change: config created if missing, locked, version checked; the change edits the draft;
   * then the config's version (and template, page settings) are saved with the audit entry, all in
   * one transaction, and the public page's key is bumped after commit.
   */
  private async mutate<T>(
    ctx: RequestContext,
    merchantId: string,
    expected: number | undefined,
    change: (draft: Draft) => Promise<{ action: string; entityType?: string; entityId?: string; before: Record<string, unknown> | null; after?: Record<string, unknown> | null; result: T }>,
  ): Promise<T> {
    const result = await this.dataSource.transaction(async (manager) => {
      await this.ensureConfig(manager, ctx, merchantId);
      const [config] = await this.configs(manager).find(merchantId, { lock: { mode: 'pessimistic_write' } });
      if (expected !== undefined && expected !== config.version) {
        throw new AppException(HomepageErrors.VersionConflict, `The homepage changed meanwhile: it is at version ${config.version}, this change was based on ${expected}`, HttpStatus.CONFLICT, {
          current_version: config.version,
          expected_version: expected,
        });
      }
      const draft: Draft = { manager, config, sections: await this.sectionsOf(manager, merchantId, config.id) };
      const outcome = await change(draft);
      config.version += 1;
      await this.configs(manager).save(merchantId, config);
      const after = outcome.after === undefined ? this.auditView(draft) : outcome.after;
      await this.audit.record(manager, ctx, {
        action: outcome.action,
        entityType: outcome.entityType ?? 'homepage_config',
        entityId: outcome.entityId ?? config.id,
        merchantId,
        before: outcome.before === null ? null : { ...outcome.before, version: config.version - 1 },
        after: after === null ? null : { ...after, version: config.version },
      });
      return outcome.result;
    });
    // A failed bump only costs a stale cache for the answer cache's TTL, never the write.
    void this.versions.bump(merchantId).catch(() => undefined);
    return result;
  }

  /** A change of one section, saved and audited with its before and after. */
  private async changeSection(
    ctx: RequestContext,
    merchantId: string,
    id: string,
    expected: number | undefined,
    action: string,
    change: (draft: Draft, section: HomepageSection) => Promise<void>,
  ): Promise<HomepageSectionDto> {
    await this.mutate(ctx, merchantId, expected, async (draft) => {
      const section = this.sectionIn(draft, id);
      const before = sectionAudit(section);
      await change(draft, section);
      const saved = await this.sectionRows(draft.manager).save(merchantId, section);
      return { action, entityType: 'homepage_section', entityId: section.id, before, after: sectionAudit(saved), result: undefined };
    });
    return this.getSection(merchantId, id, true);
  }

  /** The store's config, created (with its template's sections) when it has none; idempotent under concurrency. */
  private async ensureConfig(manager: EntityManager, ctx: RequestContext, merchantId: string): Promise<HomepageConfig> {
    const inserted: { id: string }[] = await manager.query(
      `INSERT INTO homepage_configs (merchant_id, template_key) VALUES ($1, $2) ON CONFLICT (merchant_id) DO NOTHING RETURNING id`,
      [merchantId, DEFAULT_TEMPLATE],
    );
    const [config] = await this.configs(manager).find(merchantId);
    if (inserted.length) {
      const draft: Draft = { manager, config, sections: [] };
      await this.replaceWithTemplate(draft, DEFAULT_TEMPLATE);
      await this.audit.record(manager, ctx, { action: 'homepage.create', entityType: 'homepage_config', entityId: config.id, merchantId, before: null, after: this.auditView(draft) });
    }
    return config;
  }

  private async replaceWithTemplate(draft: Draft, key: TemplateKey): Promise<void> {
    const { manager, config } = draft;
    await manager.getRepository(HomepageSection).delete({ merchantId: config.merchantId, configId: config.id });
    draft.sections = [];
    for (const [i, s] of TEMPLATES[key].sections.entries()) {
      draft.sections.push(
        await this.sectionRows(manager).save(config.merchantId, {
          configId: config.id,
          position: i + 1,
          type: s.type,
          settings: structuredClone(s.settings) as unknown as Record<string, unknown>,
          translations: structuredClone(s.translations),
        }),
      );
    }
    config.templateKey = key;
  }

  /** Positions 1..n in the draft's order, in one statement. */
  private async renumber(draft: Draft): Promise<void> {
    draft.sections.forEach((s, i) => (s.position = i + 1));
    if (!draft.sections.length) return;
    await draft.manager.query(
      `UPDATE homepage_sections s SET position = v.position, updated_at = CASE WHEN s.position <> v.position THEN now() ELSE s.updated_at END
         FROM unnest($2::uuid[], $3::int[]) AS v(id, position)
        WHERE s.id = v.id AND s.merchant_id = $1`,
      [draft.config.merchantId, draft.sections.map((s) => s.id), draft.sections.map((s) => s.position)],
    );
  }

  private sectionsOf(manager: EntityManager, merchantId: string, configId: string): Promise<HomepageSection[]> {
    return this.sectionRows(manager).find(merchantId, { where: { configId }, order: { position: 'ASC', createdAt: 'ASC' } });
  }

  /** A section of the draft, or 404 (another store's id included). */
  private sectionIn(draft: Draft, id: string): HomepageSection {
    const wanted = String(id).trim().toLowerCase();
    const section = isUuid(wanted) ? draft.sections.find((s) => s.id === wanted) : undefined;
    if (!section) throw new NotFoundError('HomepageSection', String(id).slice(0, 64));
    return section;
  }

  private assertType(section: HomepageSection, type: SectionType): void {
    if (section.type !== type) {
      throw unprocessable(HomepageErrors.WrongSectionType, `Section ${section.id} is a ${section.type} section; this route changes ${type} sections`, { section_type: section.type, expected: type });
    }
  }

  private async setSettings(draft: Draft, section: HomepageSection, raw: unknown, prefix = 'settings'): Promise<void> {
    const settings = checkSettings(section.type as SectionType, raw, prefix);
    await this.assertReferences(draft, settingsReferences(section.type as SectionType, settings, prefix));
    section.settings = settings as unknown as Record<string, unknown>;
  }

  /**
   * Everything named must exist in this store now: images (processing or ready), collections by
   * slug, live products by handle, sections of this page. Media used lose their expiry, so the
   * sweep of never-attached uploads leaves them alone.
   */
  private async assertReferences(draft: Draft, refs: Reference[]): Promise<void> {
    if (!refs.length) return;
    const { manager, config } = draft;
    const merchantId = config.merchantId;
    const of = (kind: Reference['kind']) => [...new Set(refs.filter((r) => r.kind === kind).map((r) => r.value))];
    const refuse = (kind: Reference['kind'], found: Set<string>, code: string, what: string) => {
      const missing = refs.filter((r) => r.kind === kind && !found.has(r.value));
      if (!missing.length) return;
      const names = [...new Set(missing.map((r) => r.value))];
      const fields = Object.fromEntries(missing.map((r) => [r.path, [`${r.value} is not ${what}`]]));
      throw unprocessable(code, `${missing[0].path}: ${names.join(', ')} ${names.length > 1 ? 'are' : 'is'} not ${what}`, { fields, missing: names });
    };
    const media = of('media').filter(isUuid);
    if (of('media').length) {
      const rows: { id: string }[] = media.length
        ? await manager.query(`SELECT id FROM media WHERE merchant_id = $1 AND id = ANY($2::uuid[]) AND kind = 'image' AND status IN ('processing', 'ready')`, [merchantId, media])
        : [];
      refuse('media', new Set(rows.map((r) => r.id)), HomepageErrors.UnknownMedia, 'an image of this store');
      await manager.query(`UPDATE media SET expires_at = NULL WHERE merchant_id = $1 AND id = ANY($2::uuid[]) AND expires_at IS NOT NULL`, [merchantId, media]);
    }
    const slugs = of('collection');
    if (slugs.length) {
      const rows: { slug: string }[] = await manager.query(`SELECT slug FROM collections WHERE merchant_id = $1 AND slug = ANY($2)`, [merchantId, slugs]);
      refuse('collection', new Set(rows.map((r) => r.slug)), HomepageErrors.UnknownCollection, 'a collection of this store');
    }
    const handles = of('product');
    if (handles.length) {
      const rows: { handle: string }[] = await manager.query(`SELECT handle FROM products WHERE merchant_id = $1 AND handle = ANY($2) AND deleted_at IS NULL`, [merchantId, handles]);
      refuse('product', new Set(rows.map((r) => r.handle)), HomepageErrors.UnknownProduct, 'a product of this store');
    }
    if (of('section').length) refuse('section', new Set(draft.sections.map((s) => s.id)), HomepageErrors.UnknownSection, 'a section of this homepage');
  }

  /** A translations map checked (shape, then languages known to the platform), keyed by each language's canonical code. */
  private async checkTranslations(manager: EntityManager, raw: unknown): Promise<Record<string, SectionTranslation>> {
    const problems = translationsProblems(raw);
    const first = Object.entries(problems)[0];
    if (first) throw new ValidationError(`${first[0]}: ${first[1][0]}`, problems);
    const out: Record<string, SectionTranslation> = {};
    for (const [lang, value] of Object.entries(raw as Record<string, Record<string, unknown>>)) {
      out[await this.resolveLanguage(manager, lang, `translations.${lang}`)] = normalizeTranslation(value);
    }
    return out;
  }

  /** The `languages` table's spelling of a code (`FR` → `fr`, `zh-cn` → `zh-CN`), or 422. */
  private async resolveLanguage(manager: EntityManager, code: string, field: string): Promise<string> {
    const value = String(code);
    if (!LANGUAGE_CODE.test(normalizeLocale(value))) throw new ValidationError(`${field}: ${value.slice(0, 32)} is not a language code such as fr, en-US or zh-CN`, { [field]: ['is not a language code'] });
    const [row]: { code: string }[] = await manager.query(`SELECT code FROM languages WHERE lower(code) = lower($1)`, [value]);
    if (!row) throw unprocessable(HomepageErrors.UnknownLanguage, `${field}: ${value.slice(0, 32)} is not a supported language (see GET /api/languages)`, { fields: { [field]: ['is not a supported language'] } });
    return row.code;
  }

  private async defaultLocale(merchantId: string): Promise<string> {
    const [row]: { default_locale: string }[] = await this.dataSource.query(`SELECT default_locale FROM merchants WHERE id = $1`, [merchantId]);
    return row?.default_locale ?? 'en';
  }

  private auditView(draft: Draft): Record<string, unknown> {
    return {
      template_key: draft.config.templateKey,
      page_settings: { ...draft.config.pageSettings },
      sections: draft.sections.map((s) => ({ id: s.id, type: s.type })),
    };
  }

  private configView(config: HomepageConfig, sections: HomepageSection[], defaultLocale: string): HomepageConfigDto {
    return {
      id: config.id,
      merchant_id: config.merchantId,
      version: config.version,
      template_key: config.templateKey,
      sections_count: sections.length,
      sections: sections.map((s) => this.sectionView(s, defaultLocale, true)),
      page_settings: pageSettingsView(config.pageSettings),
      updated_at: config.updatedAt.toISOString(),
    };
  }

  private sectionView(section: HomepageSection, defaultLocale: string, withTranslations: boolean): HomepageSectionDto {
    const translation = pickTranslation(section.translations, [defaultLocale]);
    return {
      id: section.id,
      type: section.type,
      position: section.position,
      title: translation?.value.title ?? null,
      description: translation?.value.description ?? null,
      settings: section.settings,
      ...(withTranslations ? { translations: section.translations } : {}),
      created_at: section.createdAt.toISOString(),
      updated_at: section.updatedAt.toISOString(),
    };
  }
}

const sectionAudit = (s: HomepageSection): Record<string, unknown> => ({ type: s.type, position: s.position, settings: s.settings, translations: s.translations });

/** Every page setting, null when unset. */
export function pageSettingsView(stored: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(PAGE_SETTING_KEYS.map((key) => [key, stored[key] ?? null]));
}

/**
 * The first translation in the languages asked (case-insensitive), else the one of the first
 * language in alphabetical order, so a section always has a title when it has any translation.
 */
export function pickTranslation(translations: Record<string, SectionTranslation>, languages: string[]): { code: string; value: SectionTranslation } | null {
  const codes = Object.keys(translations);
  for (const wanted of languages) {
    const code = codes.find((c) => c.toLowerCase() === wanted.toLowerCase());
    if (code) return { code, value: translations[code] };
  }
  const first = [...codes].sort()[0];
  return first ? { code: first, value: translations[first] } : null;
}
