import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { FastifyRequest } from 'fastify';
import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import {
  APP_CONFIG,
  AppConfig,
  AppException,
  ConflictError,
  ErrorCode,
  Jobs,
  MediaContentType,
  MerchantScopedRepository,
  OutboxService,
  Page,
  PageRequest,
  RequestContext,
  toPage,
  ValidationError,
} from '@app/common';
import { AuditService } from '../audit/audit.service';
import { CatalogVersionService } from '../catalog/catalog-version.service';
import { ProductsService } from '../catalog/products.service';
import { describeType, detectContentType, isImageType, SIGNATURE_BYTES } from './content-type';
import { Media, MediaKind, MediaStatus } from './entities/media.entity';
import { originalKey, sanitizeFileName } from './file-names';
import { ImageDimensions, imageDimensions } from './image-sizes';
import { PresignedUpload, StorageDriver } from './storage/storage-driver';
import { readHead, removeTempFiles, SpooledFile, spoolMultipartFiles } from './upload-spool';

/** Media not attached to anything within this time are deleted by the sweep (files: always). */
export const UNATTACHED_TTL_MS = 24 * 3600 * 1000;

export const storageUnavailable = () =>
  new AppException(ErrorCode.ServiceUnavailable, 'File storage is unavailable; try again shortly', HttpStatus.SERVICE_UNAVAILABLE);

/** Every object a media row names: the original and its resized versions. */
export function objectKeysOf(media: Pick<Media, 'objectKey' | 'sizes'>): string[] {
  const keys = [media.objectKey, ...Object.values(media.sizes ?? {}).map((s) => s?.key)];
  return [...new Set(keys.filter((k): k is string => Boolean(k)))];
}

/** What the audit log keeps of a media row. */
const auditView = (m: Media) => ({
  kind: m.kind,
  status: m.status,
  source: m.source,
  fileName: m.fileName,
  contentType: m.contentType,
  sizeBytes: m.sizeBytes,
  url: m.url,
  sourceUrl: m.sourceUrl,
});

/** SQL: the media row `alias` is shown somewhere in its own store (product image, collection cover, store logo). */
export const MEDIA_IN_USE_SQL = (alias: string) => `(
  EXISTS (SELECT 1 FROM product_images pi WHERE pi.media_id = ${alias}.id AND pi.merchant_id = ${alias}.merchant_id)
  OR EXISTS (SELECT 1 FROM collections c WHERE c.cover_media_id = ${alias}.id AND c.merchant_id = ${alias}.merchant_id)
  OR EXISTS (SELECT 1 FROM merchants mm WHERE mm.logo_media_id = ${alias}.id AND mm.id = ${alias}.merchant_id))`;

export interface MediaFilter {
  kind?: MediaKind;
  status?: MediaStatus;
}

/** Uploads (through the API and presigned), media metadata, deletion and the expiry sweep. */
@Injectable()
export class MediaService {
  private readonly logger = new Logger(MediaService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly storage: StorageDriver,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly products: ProductsService,
    private readonly versions: CatalogVersionService,
  ) {}

  /** The driver new objects go to. */
  get storageName(): string {
    return this.storage.name;
  }

  repo(manager: EntityManager = this.dataSource.manager) {
    return MerchantScopedRepository.for(manager, Media);
  }

  get(merchantId: string, id: string): Promise<Media> {
    return this.repo().getById(merchantId, id);
  }

  async list(merchantId: string, filter: MediaFilter, page: PageRequest): Promise<Page<Media>> {
    const where = { ...(filter.kind ? { kind: filter.kind } : {}), ...(filter.status ? { status: filter.status } : {}) };
    const [items, total] = await this.repo().findAndCount(merchantId, { where, order: { createdAt: 'DESC', id: 'DESC' }, skip: page.offset, take: page.limit });
    return toPage(items, total, page);
  }

  maxBytes(kind: MediaKind): number {
    return kind === 'image' ? this.config.media.maxImageBytes : this.config.media.maxFileBytes;
  }

  /** Refuses a type the route does not take: images are jpeg/png/webp/gif/avif, files the configured list. */
  assertAcceptable(kind: MediaKind, type: string | null, field: string): asserts type is MediaContentType {
    if (kind === 'image' && !isImageType(type)) {
      throw new ValidationError(`${field}: the file is ${describeType(type)}, not an image (jpeg, png, webp, gif or avif)`, { [field]: ['is not an accepted image type'] });
    }
    const allowed = this.config.media.allowedFileTypes as string[];
    if (kind === 'file' && (!type || !allowed.includes(type))) {
      throw new ValidationError(`${field}: the file is ${describeType(type)}; accepted types: ${allowed.join(', ')}`, { [field]: ['is not an accepted file type'] });
    }
  }

  /** POST /api/upload/image and /api/upload/file: the multipart `file`, streamed to a temporary file, checked, stored. */
  async uploadFromRequest(ctx: RequestContext, merchantId: string, request: FastifyRequest, kind: MediaKind): Promise<Media> {
    const { files } = await spoolMultipartFiles(request, { maxBytes: this.maxBytes(kind), maxFiles: 1 });
    try {
      return await this.storeFile(ctx, merchantId, kind, files[0]);
    } finally {
      await removeTempFiles(files);
    }
  }

  /**
   * Checks a received file by its magic bytes (and, for images, that it decodes) and stores it as a
   * new media of the merchant. The row is written first as `pending` with an expiry, then the object,
   * then the row becomes usable: a crash in between leaves a row the sweep cleans, never a stray object.
   */
  async storeFile(ctx: RequestContext, merchantId: string, kind: MediaKind, file: SpooledFile, field = 'file'): Promise<Media> {
    const type = detectContentType(await readHead(file.path));
    this.assertAcceptable(kind, type, field);
    let dims: ImageDimensions | null = null;
    if (kind === 'image') {
      dims = await imageDimensions(file.path).catch((err: Error) => {
        throw new ValidationError(`${field}: ${err.message}`, { [field]: ['is not a decodable image'] });
      });
    }
    const fileName = sanitizeFileName(file.fileName, type);
    const id = randomUUID();
    const key = originalKey(merchantId, id, fileName, type);
    const pending = await this.repo().save(merchantId, {
      id,
      kind,
      status: 'pending',
      source: 'upload',
      storage: this.storage.name,
      objectKey: key,
      url: this.storage.publicUrl(key),
      fileName,
      contentType: type,
      sizeBytes: file.bytes,
      width: dims?.width ?? null,
      height: dims?.height ?? null,
      sizes: {},
      expiresAt: new Date(Date.now() + UNATTACHED_TTL_MS),
    });
    try {
      await this.storage.put(key, createReadStream(file.path), { contentType: type, contentLength: file.bytes });
    } catch (err) {
      this.logger.error({ err: (err as Error).message, media_id: id }, 'Storage write failed');
      await this.dataSource.transaction((manager) => this.deleteRow(manager, pending)).catch(() => undefined);
      throw storageUnavailable();
    }
    return this.dataSource.transaction(async (manager) => {
      const row = await this.repo(manager).save(merchantId, { ...pending, status: kind === 'image' ? 'processing' : 'ready' });
      if (kind === 'image') await this.outbox.publish(manager, Jobs.MediaProcess, { media_id: id, merchant_id: merchantId });
      await this.audit.record(manager, ctx, { action: 'media.upload', entityType: 'media', entityId: id, merchantId, after: auditView(row) });
      return row;
    });
  }

  /** A presigned direct upload: a pending media row and a PUT URL with its type and size fixed. */
  async presign(
    ctx: RequestContext,
    merchantId: string,
    input: { content_type: string; size: number; file_name: string; kind?: MediaKind },
  ): Promise<{ media: Media; upload: PresignedUpload }> {
    const type = input.content_type;
    const kind = input.kind ?? (isImageType(type) ? 'image' : 'file');
    this.assertAcceptable(kind, type, 'content_type');
    const max = this.maxBytes(kind);
    if (input.size > max) throw new ValidationError(`size: must be at most ${max} bytes`, { size: [`must be at most ${max} bytes`] });
    const fileName = sanitizeFileName(input.file_name, type);
    const id = randomUUID();
    const key = originalKey(merchantId, id, fileName, type);
    const media = await this.dataSource.transaction(async (manager) => {
      const row = await this.repo(manager).save(merchantId, {
        id,
        kind,
        status: 'pending',
        source: 'presign',
        storage: this.storage.name,
        objectKey: key,
        url: this.storage.publicUrl(key),
        fileName,
        contentType: type,
        sizeBytes: input.size,
        sizes: {},
        expiresAt: new Date(Date.now() + UNATTACHED_TTL_MS),
      });
      await this.audit.record(manager, ctx, { action: 'media.presign', entityType: 'media', entityId: id, merchantId, after: auditView(row) });
      return row;
    });
    const upload = await this.storage.presignPut(key, type, input.size, this.config.media.presignTtlSeconds);
    return { media, upload };
  }

  /**
   * After a presigned PUT: the object must exist with the announced size and type, and its first
   * bytes must be that type. A mismatch deletes the object and fails the media (422); completing
   * twice answers the media again.
   */
  async complete(ctx: RequestContext, merchantId: string, id: string): Promise<Media> {
    const media = await this.repo().getById(merchantId, id);
    if (media.source !== 'presign') throw new ConflictError('Only presigned uploads are completed; this media is already stored');
    if (media.status === 'processing' || media.status === 'ready') return media;
    if (media.status === 'failed') throw new ConflictError(`This upload failed: ${media.error}`, { status: 'failed', error: media.error });
    const key = media.objectKey!;

    let info;
    let head: Buffer | null = null;
    try {
      info = await this.storage.head(key);
      if (info && info.size === media.sizeBytes) head = await this.storage.readRange(key, 0, SIGNATURE_BYTES - 1);
    } catch (err) {
      this.logger.error({ err: (err as Error).message, media_id: id }, 'Storage check failed');
      throw storageUnavailable();
    }
    if (!info) throw new ConflictError('Nothing was uploaded yet: PUT the file to upload_url first', { status: 'pending' });

    const fields: Record<string, string[]> = {};
    if (info.size !== media.sizeBytes) fields.size = [`the upload has ${info.size} bytes; ${media.sizeBytes} were announced`];
    const storedType = info.contentType.split(';')[0].trim().toLowerCase();
    if (storedType !== media.contentType) fields.content_type = [`the upload was sent as ${storedType}; ${media.contentType} was announced`];
    if (head) {
      const detected = detectContentType(head);
      if (detected !== media.contentType) fields.file = [`the file is ${describeType(detected)}; ${media.contentType} was announced`];
    }
    if (Object.keys(fields).length) {
      const error = Object.entries(fields).map(([f, [m]]) => `${f}: ${m}`).join('; ');
      await this.dataSource.transaction(async (manager) => {
        const row = await this.repo(manager).getById(merchantId, id, { lock: true });
        if (row.status !== 'pending') return;
        // The row keeps its key (the sweep deletes it again should the URL be used once more) but no URL.
        await this.repo(manager).save(merchantId, { ...row, status: 'failed', error: error.slice(0, 500), url: null });
        await this.outbox.publish(manager, Jobs.MediaDeleteObjects, { merchant_id: merchantId, media_id: id, driver: row.storage, keys: [key] });
        await this.audit.record(manager, ctx, { action: 'media.complete', entityType: 'media', entityId: id, merchantId, before: { status: 'pending' }, after: { status: 'failed', error } });
      });
      throw new ValidationError(`The upload is not what was announced: ${error}`, fields);
    }

    return this.dataSource.transaction(async (manager) => {
      const row = await this.repo(manager).getById(merchantId, id, { lock: true });
      if (row.status !== 'pending') return row;
      const saved = await this.repo(manager).save(merchantId, { ...row, status: row.kind === 'image' ? 'processing' : 'ready' });
      if (row.kind === 'image') await this.outbox.publish(manager, Jobs.MediaProcess, { media_id: id, merchant_id: merchantId });
      await this.audit.record(manager, ctx, { action: 'media.complete', entityType: 'media', entityId: id, merchantId, before: { status: 'pending' }, after: { status: saved.status } });
      return saved;
    });
  }

  /**
   * DELETE /api/media/{id}: the row and the product images showing it go in one transaction, the
   * objects in the worker after commit. A store logo or collection cover must be changed first.
   */
  async delete(ctx: RequestContext, merchantId: string, id: string): Promise<void> {
    const touched = await this.dataSource.transaction(async (manager) => {
      await this.products.lockCatalog(manager, merchantId);
      const media = await this.repo(manager).getById(merchantId, id, { lock: true });
      const uses: { what: string }[] = await manager.query(
        `SELECT 'the store logo' AS what FROM merchants WHERE id = $1 AND logo_media_id = $2
         UNION ALL SELECT 'the cover of collection ' || slug FROM collections WHERE merchant_id = $1 AND cover_media_id = $2`,
        [merchantId, id],
      );
      if (uses.length) {
        throw new ConflictError(`This media is ${uses.map((u) => u.what).join(', ')}; change that first`, { in_use: uses.map((u) => u.what) });
      }
      const removed: { product_id: string }[] = await manager.query(`DELETE FROM product_images WHERE merchant_id = $1 AND media_id = $2 RETURNING product_id`, [merchantId, id]);
      await this.deleteRow(manager, media);
      const productIds = [...new Set(removed.map((r) => r.product_id))];
      await this.publishProductsUpdated(manager, merchantId, productIds);
      await this.audit.record(manager, ctx, { action: 'media.delete', entityType: 'media', entityId: id, merchantId, before: { ...auditView(media), productIds }, after: null });
      return productIds.length;
    });
    if (touched) void this.versions.bump(merchantId).catch(() => undefined);
  }

  /** product.updated for each live product whose images changed, in the caller's transaction. */
  async publishProductsUpdated(manager: EntityManager, merchantId: string, productIds: string[]): Promise<void> {
    if (!productIds.length) return;
    const products = await this.products.products(manager).find(merchantId, { where: { id: In(productIds), deletedAt: IsNull() } });
    for (const p of products) await this.outbox.publish(manager, Jobs.ProductUpdated, { merchant_id: merchantId, product_id: p.id, handle: p.handle });
  }

  /** Deletes the row and publishes the deletion of its objects, in the caller's transaction. */
  async deleteRow(manager: EntityManager, media: Media): Promise<void> {
    await manager.getRepository(Media).delete({ id: media.id, merchantId: media.merchantId });
    const keys = objectKeysOf(media);
    if (keys.length) {
      await this.outbox.publish(manager, Jobs.MediaDeleteObjects, { merchant_id: media.merchantId, media_id: media.id, driver: media.storage, keys });
    }
  }

  /** Of these media, the ones nothing in their store shows any more. */
  async unusedAmong(manager: EntityManager, merchantId: string, ids: string[]): Promise<Media[]> {
    if (!ids.length) return [];
    const rows: { id: string }[] = await manager.query(
      `SELECT m.id FROM media m WHERE m.merchant_id = $1 AND m.id = ANY($2::uuid[]) AND NOT ${MEDIA_IN_USE_SQL('m')}`,
      [merchantId, ids],
    );
    return rows.length ? this.repo(manager).find(merchantId, { where: { id: In(rows.map((r) => r.id)) } }) : [];
  }

  /**
   * The expiry sweep: media past expires_at that nothing shows are deleted with their objects; ones
   * that turned out to be in use (a logo, a cover) lose their expiry. Returns how many were deleted.
   */
  async sweepExpired(limit: number): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const due: { id: string; in_use: boolean }[] = await manager.query(
        `SELECT m.id, ${MEDIA_IN_USE_SQL('m')} AS in_use FROM media m
          WHERE m.expires_at < now() ORDER BY m.expires_at LIMIT $1 FOR UPDATE OF m SKIP LOCKED`,
        [limit],
      );
      const kept = due.filter((d) => d.in_use).map((d) => d.id);
      if (kept.length) await manager.query(`UPDATE media SET expires_at = NULL WHERE id = ANY($1::uuid[])`, [kept]);
      const gone = due.filter((d) => !d.in_use).map((d) => d.id);
      if (!gone.length) return 0;
      const rows = await manager.getRepository(Media).findBy({ id: In(gone) });
      for (const row of rows) await this.deleteRow(manager, row);
      await this.audit.recordMany(
        manager,
        null,
        rows.map((row) => ({ action: 'media.expire', entityType: 'media', entityId: row.id, merchantId: row.merchantId, before: auditView(row), after: null })),
      );
      return rows.length;
    });
  }

  /** Marks a media failed (the worker's permanent errors), unless it was deleted or moved on meanwhile. */
  async markFailed(media: Media, error: string, expected: MediaStatus): Promise<void> {
    await this.dataSource.query(`UPDATE media SET status = 'failed', error = $3, updated_at = now() WHERE id = $1 AND merchant_id = $2 AND status = $4`, [
      media.id,
      media.merchantId,
      error.slice(0, 500),
      expected,
    ]);
  }
}
