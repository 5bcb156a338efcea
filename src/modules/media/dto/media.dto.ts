import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { MEDIA_KNOWN_TYPES, PaginationQueryDto } from '@app/common';
import { ImageDto } from '../../catalog/product-views';
import { Media, MEDIA_KINDS, MEDIA_STATUSES, MediaKind, MediaStatus, SIZE_NAMES, SizeName } from '../entities/media.entity';

export class MediaSizeDto {
  @ApiProperty() url: string;
  @ApiProperty() width: number;
  @ApiProperty() height: number;
  @ApiProperty({ description: 'Bytes' }) size: number;
}

class MediaSizesDto {
  @ApiPropertyOptional({ type: MediaSizeDto, description: 'Fits 200×200' }) small?: MediaSizeDto;
  @ApiPropertyOptional({ type: MediaSizeDto, description: 'Fits 600×600' }) medium?: MediaSizeDto;
  @ApiPropertyOptional({ type: MediaSizeDto, description: 'Fits 1200×1200' }) large?: MediaSizeDto;
}

export class MediaDto {
  @ApiProperty() id: string;
  @ApiProperty({ description: 'Same as id' }) media_id: string;
  @ApiProperty() merchant_id: string;
  @ApiProperty({ enum: MEDIA_KINDS }) kind: MediaKind;
  @ApiProperty({ enum: MEDIA_STATUSES, description: 'pending: not uploaded/fetched yet; processing: usable, sizes being made; ready; failed (see error)' })
  status: MediaStatus;
  @ApiProperty({ nullable: true, description: 'The original; null until uploaded or fetched' }) url: string | null;
  @ApiProperty() file_name: string;
  @ApiProperty({ nullable: true }) content_type: string | null;
  @ApiProperty({ nullable: true, description: 'Bytes' }) size: number | null;
  @ApiProperty({ nullable: true }) width: number | null;
  @ApiProperty({ nullable: true }) height: number | null;
  @ApiProperty({ type: MediaSizesDto, description: 'Resized WebP versions (images, once ready); never larger than the original' })
  sizes: Partial<Record<SizeName, MediaSizeDto>>;
  @ApiProperty({ enum: ['upload', 'presign', 'url'] }) source: string;
  @ApiProperty({ nullable: true }) source_url: string | null;
  @ApiProperty({ nullable: true }) error: string | null;
  @ApiProperty({ nullable: true, description: 'Deleted at this time unless attached to a product first' }) expires_at: string | null;
  @ApiProperty() created_at: string;
  @ApiProperty() updated_at: string;

  static from(m: Media): MediaDto {
    const sizes: MediaDto['sizes'] = {};
    for (const name of SIZE_NAMES) {
      const s = m.sizes?.[name];
      if (s) sizes[name] = { url: s.url, width: s.width, height: s.height, size: s.size_bytes };
    }
    return {
      id: m.id,
      media_id: m.id,
      merchant_id: m.merchantId,
      kind: m.kind,
      status: m.status,
      url: m.url,
      file_name: m.fileName,
      content_type: m.contentType,
      size: m.sizeBytes,
      width: m.width,
      height: m.height,
      sizes,
      source: m.source,
      source_url: m.sourceUrl,
      error: m.error,
      expires_at: m.expiresAt?.toISOString() ?? null,
      created_at: m.createdAt.toISOString(),
      updated_at: m.updatedAt.toISOString(),
    };
  }
}

export class MediaPageDto {
  @ApiProperty({ type: [MediaDto] }) items: MediaDto[];
  @ApiProperty() total: number;
  @ApiProperty() page: number;
  @ApiProperty() per_page: number;
  @ApiProperty() has_next: boolean;
}

export class MediaListQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ enum: MEDIA_KINDS }) @IsOptional() @IsIn(MEDIA_KINDS)
  kind?: MediaKind;

  @ApiPropertyOptional({ enum: MEDIA_STATUSES }) @IsOptional() @IsIn(MEDIA_STATUSES)
  status?: MediaStatus;

  @ApiPropertyOptional({ description: 'Admins: the store' }) @IsOptional() @IsString()
  merchant_id?: string;
}

/** POST /api/upload/image */
export class UploadedImageDto {
  @ApiProperty() url: string;
  @ApiProperty() media_id: string;
  @ApiProperty() width: number;
  @ApiProperty() height: number;
  @ApiProperty() content_type: string;
  @ApiProperty({ description: 'Bytes' }) size: number;
  @ApiProperty() file_name: string;
  @ApiProperty({ enum: MEDIA_STATUSES, description: 'processing until the resized versions exist (GET /api/media/{id})' }) status: MediaStatus;

  static from(m: Media): UploadedImageDto {
    return { url: m.url!, media_id: m.id, width: m.width!, height: m.height!, content_type: m.contentType!, size: m.sizeBytes!, file_name: m.fileName, status: m.status };
  }
}

/** POST /api/upload/file */
export class UploadedFileDto {
  @ApiProperty() file_url: string;
  @ApiProperty() file_name: string;
  @ApiProperty({ description: 'Bytes' }) file_size: number;
  @ApiProperty() content_type: string;
  @ApiProperty() uploaded_at: string;
  @ApiProperty({ description: 'Files are kept 24 hours' }) expires_at: string;
  @ApiProperty() media_id: string;

  static from(m: Media): UploadedFileDto {
    return {
      file_url: m.url!,
      file_name: m.fileName,
      file_size: m.sizeBytes!,
      content_type: m.contentType!,
      uploaded_at: m.createdAt.toISOString(),
      expires_at: m.expiresAt!.toISOString(),
      media_id: m.id,
    };
  }
}

export class PresignRequestDto {
  @ApiProperty({ enum: MEDIA_KNOWN_TYPES }) @IsString() @IsIn(MEDIA_KNOWN_TYPES)
  content_type: string;

  @ApiProperty({ description: 'Exact size in bytes; the upload must match it' }) @Type(() => Number) @IsInt() @Min(1)
  size: number;

  @ApiProperty({ example: 'summer-dress.jpg' }) @IsString() @Length(1, 255)
  file_name: string;

  @ApiPropertyOptional({ enum: MEDIA_KINDS, description: 'Default: image for image types, file otherwise' }) @IsOptional() @IsIn(MEDIA_KINDS)
  kind?: MediaKind;
}

export class PresignResponseDto {
  @ApiProperty({ description: 'PUT the file here, with exactly the headers below' }) upload_url: string;
  @ApiProperty({ enum: ['PUT'] }) method: 'PUT';
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, example: { 'Content-Type': 'image/jpeg', 'Content-Length': '48213' } })
  headers: Record<string, string>;
  @ApiProperty() media_id: string;
  @ApiProperty({ description: 'When the upload URL stops working' }) expires_at: string;
}

export class AttachImagesDto {
  @ApiPropertyOptional({ type: [String], description: 'Your own media (from the upload routes), appended in this order' })
  @IsOptional() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(50) @IsUUID('all', { each: true })
  media_ids?: string[];

  @ApiPropertyOptional({ type: [String], description: 'Public http(s) image URLs, downloaded by the worker (private and loopback addresses are refused)' })
  @IsOptional() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(20) @IsString({ each: true }) @MaxLength(2048, { each: true })
  image_urls?: string[];

  @ApiPropertyOptional({ description: 'Alt text of the new images' }) @IsOptional() @IsString() @MaxLength(300)
  alt?: string;
}

export class RemoveImagesDto {
  @ApiProperty({ type: [String] }) @IsArray() @ArrayMinSize(1) @ArrayMaxSize(100) @IsUUID('all', { each: true })
  media_ids: string[];
}

export class ImageMoveDto {
  @ApiProperty() @IsUUID()
  media_id: string;

  @ApiProperty({ minimum: 1, description: '1-based' }) @IsInt() @Min(1)
  new_position: number;
}

export class ReorderImagesDto {
  @ApiProperty({ type: [ImageMoveDto], description: 'Applied in order' })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(100) @ValidateNested({ each: true }) @Type(() => ImageMoveDto)
  moves: ImageMoveDto[];

  @ApiPropertyOptional({ description: "Reorder this variant's images instead of the product's" }) @IsOptional() @IsUUID()
  variant_id?: string;
}

export class PendingImageDto {
  @ApiProperty() media_id: string;
  @ApiProperty() source_url: string;
  @ApiProperty({ enum: MEDIA_STATUSES }) status: MediaStatus;
}

export class ProductImagesDto {
  @ApiProperty() product_id: string;
  @ApiProperty({ nullable: true, description: 'Set for a variant\'s images' }) variant_id: string | null;
  @ApiProperty({ type: [ImageDto], description: 'The product\'s (or variant\'s) images, in order' }) images: ImageDto[];
  @ApiProperty({ type: [PendingImageDto], description: 'image_urls being downloaded; they join `images` when fetched' }) pending: PendingImageDto[];
}
