import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsObject, IsOptional, IsString, IsUUID, Length, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { COLLECTION_SLUG } from '../../catalog/dto/collection.dto';
import { PublicProductDto } from '../../catalog/dto/public-catalog.dto';
import {
  BannerImageDto,
  IsSectionTranslations,
  IsSettingsOfType,
  MAX_COLLECTION_SLUGS,
  MAX_SECTIONS,
  PageSettingsDto,
  SECTION_TYPES,
  SectionTranslation,
  SectionType,
  TARGET_TYPES,
} from '../section-settings';
import { TEMPLATE_KEYS, TemplateKey } from '../templates';

const TRANSLATIONS_DOC = {
  type: 'object',
  additionalProperties: { type: 'object', properties: { title: { type: 'string' }, description: { type: 'string', nullable: true } } },
  example: { en: { title: 'New arrivals' }, fr: { title: 'Nouveautés', description: 'Les derniers produits' } },
} as const;
const SETTINGS_DOC = {
  type: 'object',
  additionalProperties: true,
  description:
    'By type. banner: {images: [{url | media_id, mobile_url | mobile_media_id, alt, action_type: none|collection|product|url|section, action_value}], image_fit: cover|contain}; ' +
    'collections: {collection_slugs}; collection_products: {collection_slug, limit}; featured: {target_type: collection|product|url, target_handle, cta_text, url}',
} as const;

/** `?merchant_id=`: the store an admin acts on (merchants always act on their own). */
export class HomepageScopeQueryDto {
  @ApiPropertyOptional({ description: 'Admins: the store to act on' }) @IsOptional() @IsUUID()
  merchant_id?: string;
}

export class SectionQueryDto extends HomepageScopeQueryDto {
  @ApiPropertyOptional({ enum: ['translations'], description: 'Include every translation of the section' }) @IsOptional() @IsIn(['translations'])
  expand?: 'translations';
}

/**
 * Optimistic concurrency: the config version the client last saw (`If-Match` does the same). A
 * change made meanwhile answers 409 ERR_VERSION_CONFLICT; without it the write simply applies.
 */
export class VersionedDto {
  @ApiPropertyOptional({ description: 'The config version this change is based on (409 ERR_VERSION_CONFLICT when it moved on)' })
  @IsOptional() @IsInt() @Min(1)
  version?: number;
}

export class CreateSectionDto extends VersionedDto {
  @ApiProperty({ enum: SECTION_TYPES }) @IsIn(SECTION_TYPES, { message: `type must be one of ${SECTION_TYPES.join(', ')}` })
  type: SectionType;

  @ApiPropertyOptional(TRANSLATIONS_DOC) @IsOptional() @IsSectionTranslations()
  translations?: Record<string, SectionTranslation>;

  @ApiPropertyOptional({ ...SETTINGS_DOC, description: `${SETTINGS_DOC.description}. Omitted: the type's empty settings` })
  @IsOptional() @IsSettingsOfType()
  settings?: Record<string, unknown>;

  @ApiPropertyOptional({ description: '1-based; omitted: last' }) @IsOptional() @IsInt() @Min(1) @Max(MAX_SECTIONS)
  position?: number;
}

export class UpdateSectionDto extends VersionedDto {
  @ApiPropertyOptional({ ...TRANSLATIONS_DOC, description: 'Replaces every translation' }) @IsOptional() @IsSectionTranslations()
  translations?: Record<string, SectionTranslation>;

  @ApiPropertyOptional({ ...SETTINGS_DOC, description: `Replaces the settings (validated for the section's type). ${SETTINGS_DOC.description}` })
  @IsOptional() @IsObject()
  settings?: Record<string, unknown>;
}

export class SectionMoveDto {
  @ApiProperty() @IsString() @MaxLength(64)
  section_id: string;

  @ApiProperty({ description: '1-based' }) @IsInt() @Min(1) @Max(MAX_SECTIONS)
  new_position: number;
}

export class ReorderSectionsDto extends VersionedDto {
  @ApiProperty({ type: [SectionMoveDto], description: 'Applied in order' })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(MAX_SECTIONS) @ValidateNested({ each: true }) @Type(() => SectionMoveDto)
  moves: SectionMoveDto[];
}

/** Seed 000's reorder: the sections in their new order (ones not listed keep their order after them). */
export class ReorderSectionIdsDto extends VersionedDto {
  @ApiProperty({ type: [String] }) @IsArray() @ArrayMinSize(1) @ArrayMaxSize(MAX_SECTIONS) @IsString({ each: true }) @MaxLength(64, { each: true })
  section_ids: string[];
}

export class SwitchTemplateDto extends VersionedDto {
  @ApiProperty({ enum: TEMPLATE_KEYS }) @IsIn(TEMPLATE_KEYS, { message: `template_key must be one of ${TEMPLATE_KEYS.join(', ')}` })
  template_key: TemplateKey;
}

/** PATCH semantics: the fields sent replace the stored ones (null clears), the others stay. */
export class PageSettingsBodyDto extends IntersectionType(PageSettingsDto, VersionedDto) {}

export class BannerImagesBodyDto extends VersionedDto {
  @ApiProperty({ type: [BannerImageDto] })
  @IsArray() @ArrayMaxSize(100) @ValidateNested({ each: true }) @Type(() => BannerImageDto)
  images: BannerImageDto[];
}

/** The fields sent replace the image's (null clears); the result is checked as a whole. */
export class BannerImagePatchDto extends IntersectionType(BannerImageDto, VersionedDto) {}

export class CollectionSlugsBodyDto extends VersionedDto {
  @ApiProperty({ type: [String] })
  @IsArray() @ArrayMaxSize(MAX_COLLECTION_SLUGS) @IsString({ each: true }) @Matches(COLLECTION_SLUG, { each: true, message: 'each collection slug must be lower-case letters, digits and dashes' })
  collection_slugs: string[];
}

export class SectionTargetBodyDto extends VersionedDto {
  @ApiProperty({ enum: TARGET_TYPES }) @IsIn(TARGET_TYPES)
  target_type: (typeof TARGET_TYPES)[number];

  @ApiPropertyOptional({ nullable: true, description: 'collection: a slug; product: a handle; url: the http(s) URL (or send url)' })
  @IsOptional() @IsString() @Length(1, 2048)
  target_handle?: string | null;

  @ApiPropertyOptional({ nullable: true }) @IsOptional() @IsString() @MaxLength(2048)
  url?: string | null;

  @ApiPropertyOptional({ nullable: true }) @IsOptional() @IsString() @MaxLength(100)
  cta_text?: string | null;
}

export class SettingsUpdatesDto extends VersionedDto {
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Settings keys to replace; the result is validated for the section\'s type' })
  @IsObject()
  updates: Record<string, unknown>;
}

export class SectionTranslationBodyDto extends VersionedDto {
  @ApiProperty({ example: 'Nouveautés' }) @IsString() @Length(1, 300)
  title: string;

  @ApiPropertyOptional({ nullable: true }) @IsOptional() @IsString() @MaxLength(5000)
  description?: string | null;
}

// ---- answers ----

export class SectionTranslationDto {
  @ApiProperty({ example: 'fr' }) language_code: string;
  @ApiProperty() title: string;
  @ApiProperty({ nullable: true }) description: string | null;
}

export class SectionTranslationListDto {
  @ApiProperty({ type: [SectionTranslationDto] }) items: SectionTranslationDto[];
  @ApiProperty() total: number;
}

export class HomepageSectionDto {
  @ApiProperty() id: string;
  @ApiProperty({ enum: SECTION_TYPES }) type: string;
  @ApiProperty({ description: '1-based' }) position: number;
  @ApiProperty({ nullable: true, description: 'In the store\'s default language (or the first translation)' }) title: string | null;
  @ApiProperty({ nullable: true }) description: string | null;
  @ApiProperty(SETTINGS_DOC) settings: Record<string, unknown>;
  @ApiPropertyOptional({ ...TRANSLATIONS_DOC, description: 'Omitted by GET …/sections/{id} unless ?expand=translations' })
  translations?: Record<string, SectionTranslation>;
  @ApiProperty() created_at: string;
  @ApiProperty() updated_at: string;
}

export class PageSettingsViewDto extends PageSettingsDto {}

export class HomepageConfigDto {
  @ApiProperty() id: string;
  @ApiProperty() merchant_id: string;
  @ApiProperty({ description: 'Grows by one on every change' }) version: number;
  @ApiProperty({ enum: TEMPLATE_KEYS }) template_key: string;
  @ApiProperty() sections_count: number;
  @ApiProperty({ type: [HomepageSectionDto] }) sections: HomepageSectionDto[];
  @ApiProperty({ type: PageSettingsViewDto }) page_settings: Record<string, unknown>;
  @ApiProperty() updated_at: string;
}

export class HomepageSectionListDto {
  @ApiProperty({ type: [HomepageSectionDto] }) sections: HomepageSectionDto[];
  @ApiProperty() total: number;
}

export class TemplateSectionDto {
  @ApiProperty({ enum: SECTION_TYPES }) type: string;
  @ApiProperty() position: number;
  @ApiProperty(SETTINGS_DOC) settings: Record<string, unknown>;
  @ApiProperty(TRANSLATIONS_DOC) translations: Record<string, SectionTranslation>;
}

export class HomepageTemplateDto {
  @ApiProperty({ enum: TEMPLATE_KEYS }) key: string;
  @ApiProperty() name: string;
  @ApiProperty() description: string;
  @ApiProperty({ type: [TemplateSectionDto] }) sections: TemplateSectionDto[];
}

export class HomepageTemplateListDto {
  @ApiProperty({ type: [HomepageTemplateDto] }) templates: HomepageTemplateDto[];
}

export class PublicCollectionCardDto {
  @ApiProperty() id: string;
  @ApiProperty() slug: string;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true }) description: string | null;
  @ApiProperty({ nullable: true }) image_url: string | null;
}

export class PublicSectionDto {
  @ApiProperty() id: string;
  @ApiProperty({ enum: SECTION_TYPES }) type: string;
  @ApiProperty() position: number;
  @ApiProperty({ nullable: true }) title: string | null;
  @ApiProperty({ nullable: true }) description: string | null;
  @ApiProperty({ nullable: true, description: 'Language of title and description' }) locale: string | null;
  @ApiProperty({ ...SETTINGS_DOC, description: 'The settings, media resolved to URLs (banner images whose media is gone are left out)' })
  settings: Record<string, unknown>;
  @ApiPropertyOptional({ type: [PublicCollectionCardDto], description: 'collections: the collections that exist, in order' }) collections?: PublicCollectionCardDto[];
  @ApiPropertyOptional({ type: PublicCollectionCardDto, nullable: true, description: 'collection_products and featured collection: the collection' })
  collection?: PublicCollectionCardDto | null;
  @ApiPropertyOptional({ type: [PublicProductDto], description: 'collection_products: its active products' }) products?: PublicProductDto[];
  @ApiPropertyOptional({ type: PublicProductDto, nullable: true, description: 'featured product' }) product?: PublicProductDto | null;
}

export class PublicHomepageDto {
  @ApiProperty() merchant_id: string;
  @ApiProperty({ nullable: true, description: 'Null while the store has never opened its homepage editor (the default template is shown)' }) id: string | null;
  @ApiProperty() version: number;
  @ApiProperty() template_key: string;
  @ApiProperty({ example: 'fr' }) locale: string;
  @ApiProperty({ example: 'EUR' }) currency: string;
  @ApiProperty({ type: PageSettingsViewDto }) page_settings: Record<string, unknown>;
  @ApiProperty({ type: [PublicSectionDto], description: 'Sections that resolve to something, in order' }) sections: PublicSectionDto[];
}
