import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBooleanString, IsInt, IsOptional, IsString, IsUrl, IsUUID, Length, Matches, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import { PaginationQueryDto } from '@app/common';
import { ProductDto } from '../product-views';

/** Lower-case letters, digits and inner dashes, like product handles. */
export const COLLECTION_SLUG = /^[a-z0-9](?:[a-z0-9-]{0,148}[a-z0-9])?$/;
const SLUG_MESSAGE = 'slug must be lower-case letters, digits and inner dashes (max 150)';
const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** The optional fields shared by create and update; null clears a field. */
class CollectionFieldsDto {
  @ApiPropertyOptional({ maxLength: 100_000 }) @IsOptional() @IsString() @MaxLength(100_000)
  description?: string | null;

  @ApiPropertyOptional({ example: 'https://cdn.example.com/summer.jpg' })
  @IsOptional() @IsUrl({ protocols: ['http', 'https'], require_protocol: true }) @MaxLength(2048)
  image_url?: string | null;

  @ApiPropertyOptional({ description: 'A media id from /api/upload/image' }) @IsOptional() @IsUUID()
  cover_media_id?: string | null;

  @ApiPropertyOptional({ default: 0, description: 'Lists are ordered by display_order, then name' })
  // Not @IsOptional: that would let null through to a NOT NULL column.
  @ValidateIf((o) => o.display_order !== undefined) @IsInt() @Min(-1_000_000) @Max(1_000_000)
  display_order?: number;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(300)
  meta_title?: string | null;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(1000)
  meta_description?: string | null;
}

export class CreateCollectionDto extends CollectionFieldsDto {
  @ApiProperty({ example: 'summer-sale' }) @Transform(trim) @IsString() @Matches(COLLECTION_SLUG, { message: SLUG_MESSAGE })
  slug: string;

  @ApiProperty({ example: 'Summer sale' }) @Transform(trim) @IsString() @Length(1, 300)
  name: string;
}

/** Any subset of the create fields; slug and name can be changed but not cleared. */
export class UpdateCollectionDto extends CollectionFieldsDto {
  @ApiPropertyOptional({ example: 'summer-sale' })
  @ValidateIf((o) => o.slug !== undefined) @Transform(trim) @IsString() @Matches(COLLECTION_SLUG, { message: SLUG_MESSAGE })
  slug?: string;

  @ApiPropertyOptional({ example: 'Summer sale' }) @ValidateIf((o) => o.name !== undefined) @Transform(trim) @IsString() @Length(1, 300)
  name?: string;
}

export class AddCollectionProductsDto {
  @ApiProperty({ type: [String], description: 'Live products of this store; all are attached or none' })
  // Ids are checked in the service rather than with @IsUUID, so one answer names every bad id.
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(1000) @IsString({ each: true }) @MaxLength(100, { each: true })
  product_ids: string[];
}

/** `?merchant_id=`: the store an admin acts on (merchants always act on their own). Checked, so a malformed id is a 422, not a database error. */
export class MerchantScopeQueryDto {
  @ApiPropertyOptional({ description: 'Admins: the store to act on' }) @IsOptional() @IsUUID()
  merchant_id?: string;
}

export class CollectionListQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ description: 'Admins: the store to act on' }) @IsOptional() @IsUUID()
  merchant_id?: string;
}

export class CollectionProductsQueryDto extends CollectionListQueryDto {
  @ApiPropertyOptional({ description: 'Include variants in each product' }) @IsOptional() @IsBooleanString()
  include_variants?: string;
}

export class CollectionDto {
  @ApiProperty() id: string;
  @ApiProperty() merchant_id: string;
  @ApiProperty() slug: string;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true }) description: string | null;
  @ApiProperty({ nullable: true }) image_url: string | null;
  @ApiProperty({ nullable: true }) cover_media_id: string | null;
  @ApiProperty() display_order: number;
  @ApiProperty({ nullable: true }) meta_title: string | null;
  @ApiProperty({ nullable: true }) meta_description: string | null;
  @ApiProperty({ description: 'Live (not deleted) products in the collection' }) product_count: number;
  @ApiProperty() created_at: string;
  @ApiProperty() updated_at: string;
}

export class CollectionListDto {
  @ApiProperty({ type: [CollectionDto] }) collections: CollectionDto[];
  @ApiProperty() total: number;
  @ApiProperty() limit: number;
  @ApiProperty() offset: number;
}

export class CollectionProductsDto {
  @ApiProperty({ type: [ProductDto] }) products: ProductDto[];
  @ApiProperty() total: number;
}
