import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBooleanString, IsObject, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';

/** BCP-47-ish: a 2–3 letter language, then optional subtags (`fr`, `en-US`, `zh-CN`). */
export const LANGUAGE_CODE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;
const LANGUAGE_MESSAGE = 'language_code must be a language code such as fr, en-US or zh-CN';

/** A collection's translated fields. On POST `language_code` is required; on PUT the path names the language. */
export class CollectionTranslationBodyDto {
  @ApiPropertyOptional({ example: 'fr', description: 'Required on POST; on PUT it may be omitted, and must match the path if sent' })
  @IsOptional() @IsString() @Matches(LANGUAGE_CODE, { message: LANGUAGE_MESSAGE })
  language_code?: string;

  @ApiProperty({ example: 'Soldes d\'été' }) @IsString() @Length(1, 300)
  name: string;

  @ApiPropertyOptional({ maxLength: 100_000 }) @IsOptional() @IsString() @MaxLength(100_000)
  description?: string | null;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(300)
  meta_title?: string | null;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(1000)
  meta_description?: string | null;
}

export class ProductTranslationBodyDto extends CollectionTranslationBodyDto {
  @ApiPropertyOptional({
    description: 'Labels of attribute names and values, keyed by attribute name',
    example: { color: { label: 'Couleur', values: { red: 'Rouge' } } },
    type: 'object',
    additionalProperties: true,
  })
  @IsOptional() @IsObject()
  variant_attributes_translations?: Record<string, unknown> | null;
}

export class CollectionTranslationDto {
  @ApiProperty({ example: 'fr' }) language_code: string;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true }) description: string | null;
  @ApiProperty({ nullable: true }) meta_title: string | null;
  @ApiProperty({ nullable: true }) meta_description: string | null;
  @ApiProperty() created_at: string;
  @ApiProperty() updated_at: string;
}

export class ProductTranslationDto extends CollectionTranslationDto {
  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true }) variant_attributes_translations: Record<string, AttributeLabels> | null;
}

/** How one variant attribute (e.g. `color`) and its values read in another language. */
export interface AttributeLabels {
  label?: string;
  values?: Record<string, string>;
}

export class ProductTranslationListDto {
  @ApiProperty({ type: [ProductTranslationDto] }) items: ProductTranslationDto[];
  @ApiProperty() total: number;
}

export class CollectionTranslationListDto {
  @ApiProperty({ type: [CollectionTranslationDto] }) items: CollectionTranslationDto[];
  @ApiProperty() total: number;
}

export class LanguagesQueryDto {
  @ApiPropertyOptional({ description: 'true: only the languages offered for new translations' }) @IsOptional() @IsBooleanString()
  active_only?: string;
}

export class LanguageDto {
  @ApiProperty({ example: 'zh-CN' }) code: string;
  @ApiProperty({ example: 'Chinese (Simplified)' }) name: string;
  @ApiProperty({ example: '简体中文' }) native_name: string;
  @ApiProperty() is_active: boolean;
}

export class LanguageListDto {
  @ApiProperty({ type: [LanguageDto] }) languages: LanguageDto[];
}
