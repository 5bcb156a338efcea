import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { plainToInstance, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  registerDecorator,
  ValidateNested,
  ValidationArguments,
  ValidationError as ClassValidatorError,
  validateSync,
} from 'class-validator';
import { flattenValidationErrors, ValidationError } from '@app/common';
import { COLLECTION_SLUG } from '../catalog/dto/collection.dto';
import { LANGUAGE_CODE } from '../catalog/dto/translation.dto';
import { normalizeLocale } from '../catalog/locale-negotiation';

/** Keeps pages bounded: a storefront renders every section on one request. */
export const MAX_SECTIONS = 50;
export const MAX_BANNER_IMAGES = 20;
export const MAX_COLLECTION_SLUGS = 20;
export const MAX_PRODUCTS_PER_SECTION = 48;
export const MAX_SECTION_LANGUAGES = 30;

export const SECTION_TYPES = ['banner', 'collections', 'collection_products', 'featured'] as const;
export type SectionType = (typeof SECTION_TYPES)[number];
export const isSectionType = (value: unknown): value is SectionType => typeof value === 'string' && (SECTION_TYPES as readonly string[]).includes(value);

export const ACTION_TYPES = ['none', 'collection', 'product', 'url', 'section'] as const;
export const IMAGE_FITS = ['cover', 'contain'] as const;
export const TARGET_TYPES = ['collection', 'product', 'url'] as const;
export const BACKGROUND_MODES = ['repeat-y', 'fixed'] as const;

/** Product handles as the catalog writes them (lower-case letters, digits, dashes). */
export const PRODUCT_HANDLE = /^[a-z0-9](?:[a-z0-9-]{0,254}[a-z0-9])?$/;
/** http(s) only: no javascript:, data: or other schemes reach a storefront's href or src. */
export const HTTP_URL = /^https?:\/\/[^\s/$.?#][^\s]*$/i;
const HTTP_URL_MESSAGE = (field: string) => `${field} must be an http(s) URL`;
const HEX_COLOR = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$/;

const HttpUrl = (field: string) => [Matches(HTTP_URL, { message: HTTP_URL_MESSAGE(field) }), MaxLength(2048)];
const apply = (...decorators: PropertyDecorator[]): PropertyDecorator => (target, key) => decorators.forEach((d) => d(target, key));

export class BannerImageDto {
  @ApiPropertyOptional({ example: 'https://cdn.example.com/hero.jpg', description: 'An http(s) image URL, or give media_id' })
  @IsOptional() @IsString() @apply(...HttpUrl('url'))
  url?: string | null;

  @ApiPropertyOptional({ description: 'An image of this store (POST /api/upload/image), instead of url' })
  @IsOptional() @IsUUID()
  media_id?: string | null;

  @ApiPropertyOptional({ description: 'The image for small screens (http(s) URL), or give mobile_media_id' })
  @IsOptional() @IsString() @apply(...HttpUrl('mobile_url'))
  mobile_url?: string | null;

  @ApiPropertyOptional() @IsOptional() @IsUUID()
  mobile_media_id?: string | null;

  @ApiPropertyOptional({ maxLength: 300 }) @IsOptional() @IsString() @MaxLength(300)
  alt?: string | null;

  @ApiPropertyOptional({ enum: ACTION_TYPES, default: 'none' }) @IsOptional() @IsIn(ACTION_TYPES)
  action_type?: (typeof ACTION_TYPES)[number];

  @ApiPropertyOptional({ description: 'collection: a slug; product: a handle; url: an http(s) URL; section: a section id' })
  @IsOptional() @IsString() @MaxLength(2048)
  action_value?: string | null;
}

export class BannerSettingsDto {
  @ApiProperty({ type: [BannerImageDto], maxItems: MAX_BANNER_IMAGES })
  @IsArray() @ArrayMaxSize(MAX_BANNER_IMAGES) @ValidateNested({ each: true }) @Type(() => BannerImageDto)
  images: BannerImageDto[];

  @ApiPropertyOptional({ enum: IMAGE_FITS, default: 'cover' }) @IsOptional() @IsIn(IMAGE_FITS)
  image_fit?: (typeof IMAGE_FITS)[number];
}

export class CollectionsSettingsDto {
  @ApiProperty({ type: [String], maxItems: MAX_COLLECTION_SLUGS, description: 'Collections of this store, in display order' })
  @IsArray() @ArrayMaxSize(MAX_COLLECTION_SLUGS) @IsString({ each: true }) @Matches(COLLECTION_SLUG, { each: true, message: 'each collection slug must be lower-case letters, digits and dashes' })
  collection_slugs: string[];
}

export class CollectionProductsSettingsDto {
  @ApiPropertyOptional({ nullable: true, description: 'A collection of this store; null: the store\'s newest products' })
  @IsOptional() @IsString() @Matches(COLLECTION_SLUG, { message: 'collection_slug must be lower-case letters, digits and dashes' })
  collection_slug?: string | null;

  @ApiPropertyOptional({ default: 8, minimum: 1, maximum: MAX_PRODUCTS_PER_SECTION }) @IsOptional() @IsInt() @Min(1) @Max(MAX_PRODUCTS_PER_SECTION)
  limit?: number;
}

export class FeaturedSettingsDto {
  @ApiProperty({ enum: TARGET_TYPES }) @IsIn(TARGET_TYPES)
  target_type: (typeof TARGET_TYPES)[number];

  @ApiPropertyOptional({ nullable: true, description: 'collection: its slug; product: its handle (null: not chosen yet, nothing is shown)' })
  @IsOptional() @IsString() @Length(1, 255)
  target_handle?: string | null;

  @ApiPropertyOptional({ nullable: true, maxLength: 100 }) @IsOptional() @IsString() @MaxLength(100)
  cta_text?: string | null;

  @ApiPropertyOptional({ nullable: true, description: 'target_type url: where the call to action leads (http(s))' })
  @IsOptional() @IsString() @apply(...HttpUrl('url'))
  url?: string | null;
}

/** Stored (and answered) settings: every key present, defaults applied. */
export interface BannerImage {
  url: string | null;
  media_id: string | null;
  mobile_url: string | null;
  mobile_media_id: string | null;
  alt: string | null;
  action_type: (typeof ACTION_TYPES)[number];
  action_value: string | null;
}
export interface BannerSettings {
  images: BannerImage[];
  image_fit: (typeof IMAGE_FITS)[number];
}
export interface CollectionsSettings {
  collection_slugs: string[];
}
export interface CollectionProductsSettings {
  collection_slug: string | null;
  limit: number;
}
export interface FeaturedSettings {
  target_type: (typeof TARGET_TYPES)[number];
  target_handle: string | null;
  cta_text: string | null;
  url: string | null;
}
export type SectionSettings = BannerSettings | CollectionsSettings | CollectionProductsSettings | FeaturedSettings;

const SETTINGS_CLASSES: Record<SectionType, new () => object> = {
  banner: BannerSettingsDto,
  collections: CollectionsSettingsDto,
  collection_products: CollectionProductsSettingsDto,
  featured: FeaturedSettingsDto,
};

/** Keys each type's settings may have; anything else is refused (a typo would otherwise be silently lost). */
const SETTINGS_KEYS: Record<SectionType, string[]> = {
  banner: ['images', 'image_fit'],
  collections: ['collection_slugs'],
  collection_products: ['collection_slug', 'limit'],
  featured: ['target_type', 'target_handle', 'cta_text', 'url'],
};
const IMAGE_KEYS = ['url', 'media_id', 'mobile_url', 'mobile_media_id', 'alt', 'action_type', 'action_value'];

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The problems of `raw` as settings of a section of `type`, by field path under `prefix`
 * (`settings.images.0.url`): class-validator for shapes and ranges, then the rules between fields.
 */
export function settingsProblems(type: SectionType, raw: unknown, prefix = 'settings'): Record<string, string[]> {
  if (!isPlainObject(raw)) return { [prefix]: ['must be an object'] };
  const problems: Record<string, string[]> = {};
  const add = (path: string, message: string) => (problems[path] ??= []).push(message);
  for (const key of Object.keys(raw)) if (!SETTINGS_KEYS[type].includes(key)) add(`${prefix}.${key}`, `is not a setting of a ${type} section (${SETTINGS_KEYS[type].join(', ')})`);
  const errors: ClassValidatorError[] = validateSync(plainToInstance(SETTINGS_CLASSES[type], raw), { forbidUnknownValues: true, validationError: { target: false, value: false } });
  for (const [path, messages] of Object.entries(flattenValidationErrors(errors, prefix))) messages.forEach((m) => add(path, m));
  if (Object.keys(problems).length) return problems;

  if (type === 'banner') {
    (raw.images as Record<string, unknown>[]).forEach((image, i) => {
      const at = `${prefix}.images.${i}`;
      if (!isPlainObject(image)) return add(at, 'must be an object');
      for (const key of Object.keys(image)) if (!IMAGE_KEYS.includes(key)) add(`${at}.${key}`, `is not a field of a banner image (${IMAGE_KEYS.join(', ')})`);
      if (!image.url === !image.media_id) add(at, 'give exactly one of url and media_id');
      if (image.mobile_url && image.mobile_media_id) add(at, 'give at most one of mobile_url and mobile_media_id');
      const action = (image.action_type as string | undefined) ?? 'none';
      const value = image.action_value as string | null | undefined;
      if (action !== 'none' && !value) add(`${at}.action_value`, `is required with action_type ${action}`);
      if (action === 'url' && value && !HTTP_URL.test(value)) add(`${at}.action_value`, HTTP_URL_MESSAGE('action_value'));
      if (action === 'collection' && value && !COLLECTION_SLUG.test(value)) add(`${at}.action_value`, 'must be a collection slug');
      if (action === 'product' && value && !PRODUCT_HANDLE.test(value)) add(`${at}.action_value`, 'must be a product handle');
      if (action === 'section' && value && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)) add(`${at}.action_value`, 'must be a section id');
    });
  }
  if (type === 'featured') {
    const target = raw.target_type as string;
    const handle = raw.target_handle as string | null | undefined;
    if (target === 'url' && !raw.url) add(`${prefix}.url`, 'is required with target_type url');
    if (target === 'collection' && handle && !COLLECTION_SLUG.test(handle)) add(`${prefix}.target_handle`, 'must be a collection slug');
    if (target === 'product' && handle && !PRODUCT_HANDLE.test(handle)) add(`${prefix}.target_handle`, 'must be a product handle');
  }
  return problems;
}

/** The canonical stored form of settings that passed settingsProblems: every key, defaults applied. */
export function normalizeSettings(type: SectionType, raw: Record<string, unknown>): SectionSettings {
  const str = (value: unknown): string | null => (typeof value === 'string' && value.trim() ? value.trim() : null);
  switch (type) {
    case 'banner':
      return {
        images: (raw.images as Record<string, unknown>[]).map((i) => {
          const actionType = ((i.action_type as string | undefined) ?? 'none') as BannerImage['action_type'];
          return {
            url: str(i.url),
            media_id: str(i.media_id)?.toLowerCase() ?? null,
            mobile_url: str(i.mobile_url),
            mobile_media_id: str(i.mobile_media_id)?.toLowerCase() ?? null,
            alt: str(i.alt),
            action_type: actionType,
            action_value: actionType === 'none' ? null : str(i.action_value),
          };
        }),
        image_fit: ((raw.image_fit as string | undefined) ?? 'cover') as BannerSettings['image_fit'],
      };
    case 'collections':
      return { collection_slugs: [...new Set(raw.collection_slugs as string[])] };
    case 'collection_products':
      return { collection_slug: str(raw.collection_slug), limit: (raw.limit as number | undefined) ?? 8 };
    case 'featured': {
      const targetType = raw.target_type as FeaturedSettings['target_type'];
      return { target_type: targetType, target_handle: targetType === 'url' ? null : str(raw.target_handle), cta_text: str(raw.cta_text), url: str(raw.url) };
    }
  }
}

/** Validated and normalized settings, or a 422 naming every problem by field. */
export function checkSettings(type: SectionType, raw: unknown, prefix = 'settings'): SectionSettings {
  const problems = settingsProblems(type, raw, prefix);
  const first = Object.entries(problems)[0];
  if (first) throw new ValidationError(`${first[0]}: ${first[1][0]}`, problems);
  return normalizeSettings(type, raw as Record<string, unknown>);
}

export interface SectionTranslation {
  title: string;
  description: string | null;
}

class SectionTranslationDto {
  @IsString() @Length(1, 300)
  title: string;

  @IsOptional() @IsString() @MaxLength(5000)
  description?: string | null;
}

/** Problems of a `{<lang>: {title, description?}}` map (language codes checked for shape here, against the languages table by the service). */
export function translationsProblems(raw: unknown, prefix = 'translations'): Record<string, string[]> {
  if (!isPlainObject(raw)) return { [prefix]: ['must be an object keyed by language code'] };
  const problems: Record<string, string[]> = {};
  const entries = Object.entries(raw);
  if (entries.length > MAX_SECTION_LANGUAGES) problems[prefix] = [`at most ${MAX_SECTION_LANGUAGES} languages`];
  for (const [lang, value] of entries) {
    if (!LANGUAGE_CODE.test(normalizeLocale(lang))) problems[`${prefix}.${lang}`] = ['is not a language code such as fr, en-US or zh-CN'];
    else Object.assign(problems, translationProblems(value, `${prefix}.${lang}`));
  }
  return problems;
}

export function translationProblems(raw: unknown, prefix: string): Record<string, string[]> {
  if (!isPlainObject(raw)) return { [prefix]: ['must be an object {title, description?}'] };
  const problems: Record<string, string[]> = {};
  for (const key of Object.keys(raw)) if (key !== 'title' && key !== 'description') problems[`${prefix}.${key}`] = ['is not a field of a translation (title, description)'];
  Object.assign(problems, flattenValidationErrors(validateSync(plainToInstance(SectionTranslationDto, raw), { validationError: { target: false, value: false } }), prefix));
  return problems;
}

export const normalizeTranslation = (raw: Record<string, unknown>): SectionTranslation => ({
  title: String(raw.title).trim(),
  description: typeof raw.description === 'string' && raw.description.trim() ? raw.description : null,
});

/**
 * DTO decorator: the settings of the section type named by the body's `type` field (the
 * discriminator), validated as settingsProblems does. An unknown type is left to the type field's own check.
 */
export function IsSettingsOfType(typeField = 'type') {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isSettingsOfType',
      target: target.constructor,
      propertyName,
      validator: {
        validate(value: unknown, args: ValidationArguments) {
          const type = (args.object as Record<string, unknown>)[typeField];
          return !isSectionType(type) || Object.keys(settingsProblems(type, value, propertyName)).length === 0;
        },
        defaultMessage(args: ValidationArguments) {
          const type = (args.object as Record<string, unknown>)[typeField] as SectionType;
          return Object.entries(settingsProblems(type, args.value, propertyName))
            .map(([path, messages]) => `${path}: ${messages.join(', ')}`)
            .join('; ');
        },
      },
    });
}

/** DTO decorator: a `{<lang>: {title, description?}}` map. */
export function IsSectionTranslations() {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isSectionTranslations',
      target: target.constructor,
      propertyName,
      validator: {
        validate: (value: unknown) => Object.keys(translationsProblems(value, propertyName)).length === 0,
        defaultMessage: (args: ValidationArguments) =>
          Object.entries(translationsProblems(args.value, propertyName))
            .map(([path, messages]) => `${path}: ${messages.join(', ')}`)
            .join('; '),
      },
    });
}

/** Page background and overlay. */
export class PageSettingsDto {
  @ApiPropertyOptional({ nullable: true, description: 'An image of this store; wins over background_image' }) @IsOptional() @IsUUID()
  background_media_id?: string | null;

  @ApiPropertyOptional({ nullable: true, description: 'An http(s) image URL' }) @IsOptional() @IsString() @apply(...HttpUrl('background_image'))
  background_image?: string | null;

  @ApiPropertyOptional({ enum: BACKGROUND_MODES, nullable: true }) @IsOptional() @IsIn(BACKGROUND_MODES)
  background_mode?: (typeof BACKGROUND_MODES)[number] | null;

  @ApiPropertyOptional({ nullable: true, example: '#000000', description: '#RGB, #RRGGBB or #RRGGBBAA' })
  @IsOptional() @IsString() @Matches(HEX_COLOR, { message: 'background_overlay_color must be a hex color such as #000000' })
  background_overlay_color?: string | null;

  @ApiPropertyOptional({ nullable: true, minimum: 0, maximum: 1, example: 0.3 }) @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(1)
  background_overlay_opacity?: number | null;
}

export const PAGE_SETTING_KEYS = ['background_media_id', 'background_image', 'background_mode', 'background_overlay_color', 'background_overlay_opacity'] as const;
export type PageSettings = { [K in (typeof PAGE_SETTING_KEYS)[number]]: PageSettingsDto[K] | null };

