import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsBooleanString,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { PaginationQueryDto } from '@app/common';
import { PRODUCT_STATUSES, ProductStatus } from '../entities/product.entity';

const HANDLE = /^[a-z0-9](?:[a-z0-9-]{0,148}[a-z0-9])?$/;
const isMoneyInput = (v: unknown) => typeof v === 'number' || typeof v === 'string';
const lower = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value);
const upper = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toUpperCase() : value);
const MONEY_DOC = { oneOf: [{ type: 'string', example: '29.99' }, { type: 'number', example: 29.99 }] };

export class PriceInCurrencyDto {
  @ApiProperty({ example: 'EUR' }) @Transform(upper) @Matches(/^[A-Z]{3}$/)
  currency: string;

  @ApiProperty(MONEY_DOC) @ValidateIf((o) => !isMoneyInput(o.price)) @IsString({ message: 'price must be a number or a decimal string' })
  price: number | string;

  @ApiPropertyOptional(MONEY_DOC) @IsOptional() @ValidateIf((o) => !isMoneyInput(o.original_price)) @IsString()
  original_price?: number | string | null;
}

export class VariantInputDto {
  @ApiPropertyOptional({ example: 'TEE-RED-M' }) @IsOptional() @IsString() @Length(1, 100)
  sku?: string | null;

  @ApiPropertyOptional({ ...MONEY_DOC, description: 'Defaults to the product price' }) @IsOptional() @ValidateIf((o) => !isMoneyInput(o.price)) @IsString()
  price?: number | string | null;

  @ApiPropertyOptional({ minimum: 0 }) @IsOptional() @IsInt() @Min(0) @Max(1_000_000_000)
  stock?: number;

  @ApiPropertyOptional({ enum: PRODUCT_STATUSES }) @IsOptional() @IsIn(PRODUCT_STATUSES)
  status?: ProductStatus;

  @ApiPropertyOptional({ example: { size: 'M', color: 'red' }, type: 'object', additionalProperties: { type: 'string' } })
  @IsOptional() @IsObject()
  attributes?: Record<string, string>;

  @ApiPropertyOptional({ type: [PriceInCurrencyDto] }) @IsOptional() @IsArray() @ArrayMaxSize(20) @ValidateNested({ each: true }) @Type(() => PriceInCurrencyDto)
  prices?: PriceInCurrencyDto[];

  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(0) @Max(10_000)
  position?: number;
}

/** Every field of the contract's product; `title` is accepted for `name`, `stock` for `stock_quantity`. */
export class ProductInputDto {
  @ApiPropertyOptional({ example: 'Merino T-shirt', description: 'Required on create (or `title`)' })
  @IsOptional() @IsString() @Length(1, 300)
  name?: string;

  @ApiPropertyOptional({ description: 'Synonym of name' }) @IsOptional() @IsString() @Length(1, 300)
  title?: string;

  @ApiPropertyOptional({ example: 'merino-t-shirt', description: 'URL handle, generated from the name when absent' })
  @IsOptional() @Transform(lower) @IsString() @Matches(HANDLE, { message: 'handle must be lower-case letters, digits and inner dashes (max 150)' })
  handle?: string;

  @ApiPropertyOptional({ maxLength: 100_000 }) @IsOptional() @IsString() @MaxLength(100_000)
  description?: string | null;

  @ApiPropertyOptional({ ...MONEY_DOC, description: 'Required on create' }) @IsOptional() @ValidateIf((o) => !isMoneyInput(o.price)) @IsString({ message: 'price must be a number or a decimal string' })
  price?: number | string;

  @ApiPropertyOptional({ ...MONEY_DOC, description: 'Compare-at price; must exceed price' }) @IsOptional() @ValidateIf((o) => o.original_price !== null && !isMoneyInput(o.original_price)) @IsString()
  original_price?: number | string | null;

  @ApiPropertyOptional({ ...MONEY_DOC, description: 'Never shown publicly' }) @IsOptional() @ValidateIf((o) => o.cost_price !== null && !isMoneyInput(o.cost_price)) @IsString()
  cost_price?: number | string | null;

  @ApiPropertyOptional({ example: 'USD', description: 'Defaults to the store currency; must be one it supports' }) @IsOptional() @Transform(upper) @Matches(/^[A-Z]{3}$/)
  currency?: string;

  @ApiPropertyOptional({ type: [PriceInCurrencyDto], description: 'Explicit prices in other supported currencies' })
  @IsOptional() @IsArray() @ArrayMaxSize(20) @ValidateNested({ each: true }) @Type(() => PriceInCurrencyDto)
  prices?: PriceInCurrencyDto[];

  @ApiPropertyOptional({ minimum: 0, description: 'Stock of the default variant' }) @IsOptional() @IsInt() @Min(0) @Max(1_000_000_000)
  stock_quantity?: number;

  @ApiPropertyOptional({ description: 'Synonym of stock_quantity (update)' }) @IsOptional() @IsInt() @Min(0) @Max(1_000_000_000)
  stock?: number;

  @ApiPropertyOptional({ description: 'SKU of the default variant' }) @IsOptional() @ValidateIf((o) => o.sku !== null) @IsString() @Length(1, 100)
  sku?: string | null;

  @ApiPropertyOptional({ enum: PRODUCT_STATUSES }) @IsOptional() @IsIn(PRODUCT_STATUSES, { message: `status must be one of ${PRODUCT_STATUSES.join(', ')}` })
  status?: ProductStatus;

  @ApiPropertyOptional() @IsOptional() @ValidateIf((o) => o.category_id !== null) @IsUUID()
  category_id?: string | null;

  @ApiPropertyOptional({ description: 'kg, up to 3 decimals' }) @IsOptional() @ValidateIf((o) => o.weight !== null) @IsNumber({ maxDecimalPlaces: 3 }) @Min(0) @Max(100_000)
  weight?: number | null;

  @ApiPropertyOptional({ description: 'cm, 1 decimal' }) @IsOptional() @ValidateIf((o) => o.length !== null) @IsNumber({ maxDecimalPlaces: 1 }) @Min(0) @Max(100_000)
  length?: number | null;

  @ApiPropertyOptional({ description: 'cm, 1 decimal' }) @IsOptional() @ValidateIf((o) => o.width !== null) @IsNumber({ maxDecimalPlaces: 1 }) @Min(0) @Max(100_000)
  width?: number | null;

  @ApiPropertyOptional({ description: 'cm, 1 decimal' }) @IsOptional() @ValidateIf((o) => o.height !== null) @IsNumber({ maxDecimalPlaces: 1 }) @Min(0) @Max(100_000)
  height?: number | null;

  @ApiPropertyOptional({ example: '6109.10' }) @IsOptional() @ValidateIf((o) => o.hs_code !== null) @IsString() @Matches(/^[0-9.]{4,20}$/)
  hs_code?: string | null;

  @ApiPropertyOptional({ example: 'PT' }) @IsOptional() @ValidateIf((o) => o.country_of_origin !== null) @Transform(upper) @Matches(/^[A-Z]{2}$/)
  country_of_origin?: string | null;

  @ApiPropertyOptional() @IsOptional() @ValidateIf((o) => o.customs_description !== null) @IsString() @MaxLength(300)
  customs_description?: string | null;

  @ApiPropertyOptional() @IsOptional() @IsBoolean()
  requires_shipping?: boolean;

  @ApiPropertyOptional() @IsOptional() @IsBoolean()
  track_inventory?: boolean;

  @ApiPropertyOptional() @IsOptional() @ValidateIf((o) => o.low_stock_threshold !== null) @IsInt() @Min(0) @Max(1_000_000)
  low_stock_threshold?: number | null;

  @ApiPropertyOptional({ type: [String], example: ['summer', 'wool'] }) @IsOptional() @IsArray() @ArrayMaxSize(50) @IsString({ each: true }) @Length(1, 50, { each: true })
  tags?: string[];

  @ApiPropertyOptional({ type: [String], description: 'Collection slugs (must exist)' }) @IsOptional() @IsArray() @ArrayMaxSize(50) @IsString({ each: true })
  collections?: string[];

  @ApiPropertyOptional() @IsOptional() @ValidateIf((o) => o.meta_title !== null) @IsString() @MaxLength(300)
  meta_title?: string | null;

  @ApiPropertyOptional() @IsOptional() @ValidateIf((o) => o.meta_description !== null) @IsString() @MaxLength(1000)
  meta_description?: string | null;

  @ApiPropertyOptional({ type: [VariantInputDto], description: 'Create only: explicit variants instead of the default one' })
  @IsOptional() @IsArray() @ArrayMaxSize(250) @ValidateNested({ each: true }) @Type(() => VariantInputDto)
  variants?: VariantInputDto[];
}

const SORTS = ['name', 'price', 'stock_quantity', 'created_at', 'updated_at', 'status'] as const;
const commaList = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter(Boolean) : Array.isArray(value) ? value : undefined;

export class ProductListQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ enum: PRODUCT_STATUSES }) @IsOptional() @IsIn(PRODUCT_STATUSES)
  status?: ProductStatus;

  @ApiPropertyOptional({ description: 'Comma list; products having all of them' }) @IsOptional() @Transform(commaList) @IsString({ each: true })
  tags?: string[];

  @ApiPropertyOptional({ description: 'Comma list of collection slugs (any)' }) @IsOptional() @Transform(commaList) @IsString({ each: true })
  collections?: string[];

  @ApiPropertyOptional({ description: 'Synonym of collections' }) @IsOptional() @Transform(commaList) @IsString({ each: true })
  collection?: string[];

  @ApiPropertyOptional() @IsOptional() @IsUUID()
  category_id?: string;

  @ApiPropertyOptional({ description: 'Full-text over name, description, tags and sku; partial words too' }) @IsOptional() @IsString() @Length(1, 200)
  search?: string;

  @ApiPropertyOptional({ description: 'Admins only' }) @IsOptional() @IsUUID()
  merchant_id?: string;

  @ApiPropertyOptional({ enum: SORTS, default: 'created_at' }) @IsOptional() @IsIn(SORTS)
  sort_by?: (typeof SORTS)[number];

  @ApiPropertyOptional({ enum: ['asc', 'desc'], default: 'desc' }) @IsOptional() @Transform(lower) @IsIn(['asc', 'desc'])
  sort_order?: 'asc' | 'desc';

  @ApiPropertyOptional({ description: 'Include variants in each item' }) @IsOptional() @IsBooleanString()
  include_variants?: string;

  @ApiPropertyOptional({ description: 'Accepted for compatibility: every product here is a master product' }) @IsOptional() @IsBooleanString()
  masters_only?: string;
}
