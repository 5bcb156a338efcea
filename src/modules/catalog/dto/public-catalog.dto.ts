import { ApiProperty, ApiPropertyOptional, IntersectionType, OmitType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsNotEmpty, IsOptional, IsString, Length, Matches, ValidateBy } from 'class-validator';
import { isCurrencyCode } from '@app/common';
import { LOCALE_TAG } from '../locale-negotiation';
import { ProductDto } from '../product-views';
import { ProductListQueryDto } from './product.dto';

const upper = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toUpperCase() : value);

/** An ISO 4217 code we know the exponent of (`eur` is accepted and upper-cased first). */
const IsKnownCurrency = () =>
  ValidateBy({
    name: 'isKnownCurrency',
    validator: { validate: (value: unknown) => isCurrencyCode(value), defaultMessage: () => 'currency must be an ISO 4217 code such as EUR' },
  });

/** Language and currency selection, shared by the public list and the single product. */
export class StorefrontSelectionDto {
  @ApiPropertyOptional({ example: 'fr-FR', description: 'Wins over Accept-Language; falls back fr-FR → fr → the store default' })
  @IsOptional() @Matches(LOCALE_TAG, { message: 'locale must be a language tag such as fr or pt-BR' })
  locale?: string;

  @ApiPropertyOptional({ example: 'EUR', description: 'Prices from the explicit prices in this currency; a product without one keeps its own (see its currency)' })
  @IsOptional() @Transform(upper) @IsKnownCurrency()
  currency?: string;
}

/** The merchant list's filters, minus what is not public (status, merchant_id, masters_only). */
export class PublicProductListQueryDto extends IntersectionType(
  OmitType(ProductListQueryDto, ['status', 'merchant_id', 'masters_only'] as const),
  StorefrontSelectionDto,
) {
  @ApiProperty({ description: 'Store id or slug (required: a storefront always lists one store)' })
  @IsNotEmpty({ message: 'merchant is required (the store id or slug)' }) @IsString() @Length(1, 100)
  merchant: string;
}

export class PublicProductQueryDto extends StorefrontSelectionDto {
  @ApiPropertyOptional({ description: 'Store id or slug; required with a handle (handles are unique per store), optional with an id' })
  @IsOptional() @IsString() @Length(1, 100)
  merchant?: string;
}

/** A product as storefronts see it: no cost price, active variants only, in the chosen language and currency. */
export class PublicProductDto extends OmitType(ProductDto, ['cost_price'] as const) {
  @ApiProperty({ example: 'fr', description: 'Language of name, title, description and meta fields: a translation, or the store default' })
  locale: string;

  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true, description: 'Labels of attribute names and values in that language, when translated' })
  variant_attributes_translations: Record<string, unknown> | null;
}

export class PublicProductPageDto {
  @ApiProperty({ type: [PublicProductDto] }) items: PublicProductDto[];
  @ApiProperty() total: number;
  @ApiProperty() page: number;
  @ApiProperty() per_page: number;
  @ApiProperty() has_next: boolean;
  @ApiProperty({ example: 'fr-FR', description: 'The language asked for (or the store default); each item says which it is in' })
  locale: string;
  @ApiProperty({ example: 'EUR', description: 'The currency asked for (or the store default); each item says which it is priced in' })
  currency: string;
}
