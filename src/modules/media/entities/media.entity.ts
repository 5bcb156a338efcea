import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '@app/common';

export const MEDIA_KINDS = ['image', 'file'] as const;
export type MediaKind = (typeof MEDIA_KINDS)[number];

/**
 * `pending`: announced (presigned upload, image URL to fetch, upload in flight), not usable yet;
 * `processing`: stored and usable, resized versions being made (images); `ready`; `failed`.
 */
export const MEDIA_STATUSES = ['pending', 'processing', 'ready', 'failed'] as const;
export type MediaStatus = (typeof MEDIA_STATUSES)[number];

export const MEDIA_SOURCES = ['upload', 'presign', 'url'] as const;
export type MediaSource = (typeof MEDIA_SOURCES)[number];

export const SIZE_NAMES = ['small', 'medium', 'large'] as const;
export type SizeName = (typeof SIZE_NAMES)[number];

/** A resized WebP version of an image; two names share one object when the original is small. */
export interface MediaSize {
  key: string;
  url: string;
  width: number;
  height: number;
  size_bytes: number;
}

/**
 * An uploaded image or file of one merchant. The row exists before its object does (`pending`) and
 * is deleted before its objects are (the delete runs in the worker after commit), so a row never
 * names a missing object; what a crash leaves behind is at most an object without a row, which the
 * expiry sweep finds through the pending row.
 */
@Entity('media')
@Index('idx_media_merchant_created', ['merchantId', 'createdAt'])
@Index('idx_media_expires_at', ['expiresAt'], { where: 'expires_at IS NOT NULL' })
export class Media extends BaseEntity {
  @Column({ type: 'uuid' })
  merchantId: string;

  @Column({ type: 'enum', enum: MEDIA_KINDS, enumName: 'media_kind' })
  kind: MediaKind;

  @Column({ type: 'enum', enum: MEDIA_STATUSES, enumName: 'media_status', default: 'pending' })
  status: MediaStatus;

  @Column({ type: 'enum', enum: MEDIA_SOURCES, enumName: 'media_source' })
  source: MediaSource;

  /** The driver that stored the objects (`local` or `s3`). */
  @Column({ type: 'varchar', length: 16 })
  storage: string;

  /** Null only while an image URL waits to be fetched (its type, hence its key, is unknown). */
  @Column({ type: 'varchar', length: 512, nullable: true })
  objectKey: string | null;

  @Column({ type: 'varchar', length: 2048, nullable: true })
  url: string | null;

  @Column({ type: 'varchar', length: 255 })
  fileName: string;

  @Column({ type: 'varchar', length: 100, nullable: true })
  contentType: string | null;

  @Column({ type: 'int', nullable: true })
  sizeBytes: number | null;

  @Column({ type: 'int', nullable: true })
  width: number | null;

  @Column({ type: 'int', nullable: true })
  height: number | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  sizes: Partial<Record<SizeName, MediaSize>>;

  /** The image_urls entry this was fetched from. */
  @Column({ type: 'varchar', length: 2048, nullable: true })
  sourceUrl: string | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  error: string | null;

  /** When the expiry sweep deletes it unless attached first (null once attached). */
  @Column({ type: 'timestamptz', nullable: true })
  expiresAt: Date | null;
}
