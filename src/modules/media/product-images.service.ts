import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import {
  APP_CONFIG,
  AppConfig,
  ConflictError,
  Jobs,
  MerchantScopedRepository,
  NotFoundError,
  OutboxService,
  RequestContext,
  ValidationError,
} from '@app/common';
import { AuditService } from '../audit/audit.service';
import { CatalogVersionService } from '../catalog/catalog-version.service';
import { ProductImage } from '../catalog/entities/product-image.entity';
import { ProductVariant } from '../catalog/entities/product-variant.entity';
import { Product } from '../catalog/entities/product.entity';
import { ImageDto } from '../catalog/product-views';
import { ProductsService } from '../catalog/products.service';
import { AttachImagesDto, ProductImagesDto, ReorderImagesDto } from './dto/media.dto';
import { Media } from './entities/media.entity';
import { MediaService, UNATTACHED_TTL_MS } from './media.service';
import { assertPublicUrl, FetchRefusedError } from './safe-fetch';

/** Images one product (or one variant) may have. */
export const MAX_IMAGES_PER_TARGET = 100;

export const imageView = (i: ProductImage, index: number): ImageDto => ({
  id: i.id,
  url: i.url,
  media_id: i.mediaId,
  variant_id: i.variantId,
  alt: i.alt,
  position: index + 1,
});

/** The last path segment of a URL, as a provisional file name until the download tells the type. */
function nameFromUrl(url: string): string {
  let segment = '';
  try {
    segment = decodeURIComponent(new URL(url).pathname.split('/').filter(Boolean).pop() ?? '');
  } catch {
    // keep the default
  }
  return segment.replace(/[^\p{L}\p{N}._ -]/gu, '').slice(0, 200) || 'image';
}

/**
 * Images of products and variants: attach (own media, image URLs, multipart uploads), remove and
 * reorder. Each change holds the store's catalog lock, writes the audit log and a product.updated
 * event in its transaction, and bumps the catalog version after commit.
 */
@Injectable()
export class ProductImagesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly media: MediaService,
    private readonly products: ProductsService,
    private readonly versions: CatalogVersionService,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private images(manager: EntityManager = this.dataSource.manager) {
    return MerchantScopedRepository.for(manager, ProductImage);
  }

  /** A product's own images (variantId null) or one variant's, in display order. */
  targetImages(manager: EntityManager, merchantId: string, productId: string, variantId: string | null): Promise<ProductImage[]> {
    return this.images(manager).find(merchantId, { where: { productId, variantId: variantId ?? IsNull() }, order: { position: 'ASC', createdAt: 'ASC' } });
  }

  async view(merchantId: string, productId: string, variantId: string | null, pending: Media[] = []): Promise<ProductImagesDto> {
    const images = await this.targetImages(this.dataSource.manager, merchantId, productId, variantId);
    return {
      product_id: productId,
      variant_id: variantId,
      images: images.map(imageView),
      pending: pending.map((m) => ({ media_id: m.id, source_url: m.sourceUrl!, status: m.status })),
    };
  }

  /** A live product of the merchant (and live variant of it), or 404. */
  async assertTarget(merchantId: string, productId: string, variantId: string | null, manager: EntityManager = this.dataSource.manager, lock = false): Promise<Product> {
    const product = await this.products.getLive(merchantId, productId, manager, lock);
    if (variantId) {
      const variant = await MerchantScopedRepository.for(manager, ProductVariant).findOneBy(merchantId, { id: variantId, productId, deletedAt: IsNull() });
      if (!variant) throw new NotFoundError('Variant', variantId);
    }
    return product;
  }

  private async mutate<T>(
    merchantId: string,
    productId: string,
    variantId: string | null,
    work: (manager: EntityManager) => Promise<{ value: T; changed: boolean }>,
  ): Promise<T> {
    const { value, changed } = await this.dataSource.transaction(async (manager) => {
      await this.products.lockCatalog(manager, merchantId);
      const product = await this.assertTarget(merchantId, productId, variantId, manager, true);
      const result = await work(manager);
      if (result.changed) await this.outbox.publish(manager, Jobs.ProductUpdated, { merchant_id: merchantId, product_id: productId, handle: product.handle });
      return result;
    });
    if (changed) void this.versions.bump(merchantId).catch(() => undefined);
    return value;
  }

  /** Positions 1..n in the given order, writing only the rows that moved. */
  private async renumber(manager: EntityManager, images: ProductImage[]): Promise<void> {
    for (const [index, image] of images.entries()) {
      if (image.position === index + 1) continue;
      image.position = index + 1;
      await manager.getRepository(ProductImage).update({ id: image.id, merchantId: image.merchantId }, { position: image.position });
    }
  }

  /**
   * Appends images: the merchant's own media (uploaded, processing or ready images; another store's
   * ids are 404) now, in the order given, and image URLs once the worker has downloaded them (they
   * keep their place in the order). URLs to private or loopback addresses are refused here already.
   */
  async attach(ctx: RequestContext, merchantId: string, productId: string, variantId: string | null, input: AttachImagesDto, uploaded: Media[] = []): Promise<ProductImagesDto> {
    const mediaIds = [...new Set([...uploaded.map((m) => m.id), ...(input.media_ids ?? [])])];
    const urls = input.image_urls ?? [];
    if (!mediaIds.length && !urls.length) {
      throw new ValidationError('media_ids: send media_ids, image_urls or multipart files', { media_ids: ['media_ids, image_urls or files are required'] });
    }
    const refused: Record<string, string[]> = {};
    await Promise.all(
      urls.map(async (url, i) => {
        try {
          await assertPublicUrl(url, this.config.media.fetchAllowPrivate);
        } catch (err) {
          if (!(err instanceof FetchRefusedError)) throw err;
          refused[`image_urls.${i}`] = [err.message];
        }
      }),
    );
    const firstRefused = Object.entries(refused)[0];
    if (firstRefused) throw new ValidationError(`${firstRefused[0]}: ${firstRefused[1][0]}`, refused);

    const pending = await this.mutate(merchantId, productId, variantId, async (manager) => {
      const existing = await this.targetImages(manager, merchantId, productId, variantId);
      const found = mediaIds.length ? await this.media.repo(manager).find(merchantId, { where: { id: In(mediaIds) } }) : [];
      for (const id of mediaIds) {
        const m = found.find((x) => x.id === id);
        if (!m) throw new NotFoundError('Media', id);
        if (m.kind !== 'image') throw new ValidationError(`media_ids: ${id} is a file, not an image`, { media_ids: [`${id} is not an image`] });
        if (m.status === 'pending') throw new ConflictError(`Media ${id} is not uploaded yet; complete its upload first`, { media_id: id, status: m.status });
        if (m.status === 'failed') throw new ConflictError(`Media ${id} failed: ${m.error}`, { media_id: id, status: m.status });
      }
      const already = new Set(existing.map((i) => i.mediaId));
      const fresh = mediaIds.filter((id) => !already.has(id));
      if (existing.length + fresh.length + urls.length > MAX_IMAGES_PER_TARGET) {
        throw new ValidationError(`A product or variant has at most ${MAX_IMAGES_PER_TARGET} images`, { media_ids: [`at most ${MAX_IMAGES_PER_TARGET} images`] });
      }
      let position = existing.reduce((max, i) => Math.max(max, i.position), 0);
      for (const id of fresh) {
        const m = found.find((x) => x.id === id)!;
        await this.images(manager).save(merchantId, { productId, variantId, mediaId: id, url: m.url!, alt: input.alt ?? null, position: ++position });
      }
      if (fresh.length) await manager.getRepository(Media).update({ merchantId, id: In(fresh) }, { expiresAt: null });

      const queued: Media[] = [];
      for (const url of urls) {
        const row = await this.media.repo(manager).save(merchantId, {
          id: randomUUID(),
          kind: 'image',
          status: 'pending',
          source: 'url',
          storage: this.media.storageName,
          objectKey: null,
          url: null,
          fileName: nameFromUrl(url),
          sizes: {},
          sourceUrl: url,
          expiresAt: new Date(Date.now() + UNATTACHED_TTL_MS),
        });
        await this.outbox.publish(manager, Jobs.MediaFetch, { media_id: row.id, merchant_id: merchantId, product_id: productId, variant_id: variantId, position: ++position, alt: input.alt ?? null });
        queued.push(row);
      }
      await this.audit.record(manager, ctx, {
        action: 'product.images.attach',
        entityType: 'product',
        entityId: productId,
        merchantId,
        after: { variantId, mediaIds: fresh, imageUrls: urls },
      });
      return { value: queued, changed: fresh.length > 0 };
    });
    return this.view(merchantId, productId, variantId, pending);
  }

  /** Places a downloaded image_urls media on its product (the worker, in its transaction). False when the product or variant is gone. */
  async attachFetched(manager: EntityManager, media: Media, target: { productId: string; variantId: string | null; position: number; alt: string | null }): Promise<boolean> {
    await this.products.lockCatalog(manager, media.merchantId);
    const product = await this.products.products(manager).findOneBy(media.merchantId, { id: target.productId, deletedAt: IsNull() });
    if (!product) return false;
    if (target.variantId) {
      const variant = await MerchantScopedRepository.for(manager, ProductVariant).findOneBy(media.merchantId, { id: target.variantId, productId: product.id, deletedAt: IsNull() });
      if (!variant) return false;
    }
    const count = await this.images(manager).count(media.merchantId, { productId: product.id, variantId: target.variantId ?? IsNull() });
    if (count >= MAX_IMAGES_PER_TARGET) return false;
    await this.images(manager).save(media.merchantId, { productId: product.id, variantId: target.variantId, mediaId: media.id, url: media.url!, alt: target.alt, position: target.position });
    await manager.getRepository(Media).update({ merchantId: media.merchantId, id: media.id }, { expiresAt: null });
    await this.outbox.publish(manager, Jobs.ProductUpdated, { merchant_id: media.merchantId, product_id: product.id, handle: product.handle });
    await this.audit.record(manager, null, {
      action: 'product.images.attach',
      entityType: 'product',
      entityId: product.id,
      merchantId: media.merchantId,
      after: { variantId: target.variantId, mediaIds: [media.id], imageUrls: [media.sourceUrl] },
    });
    return true;
  }

  /**
   * Removes the images showing these media from the product (and its variants). Media nothing
   * else shows any more are deleted, their objects in the worker after commit.
   */
  async remove(ctx: RequestContext, merchantId: string, productId: string, mediaIds: string[]): Promise<ProductImagesDto> {
    const ids = [...new Set(mediaIds)];
    await this.mutate(merchantId, productId, null, async (manager) => {
      const rows = await this.images(manager).find(merchantId, { where: { productId, mediaId: In(ids) } });
      const missing = ids.find((id) => !rows.some((r) => r.mediaId === id));
      if (missing) throw new NotFoundError('Image', missing);
      await manager.getRepository(ProductImage).delete({ merchantId, id: In(rows.map((r) => r.id)) });
      for (const variantId of new Set(rows.map((r) => r.variantId))) {
        await this.renumber(manager, await this.targetImages(manager, merchantId, productId, variantId));
      }
      const unused = await this.media.unusedAmong(manager, merchantId, ids);
      for (const m of unused) await this.media.deleteRow(manager, m);
      await this.audit.record(manager, ctx, {
        action: 'product.images.remove',
        entityType: 'product',
        entityId: productId,
        merchantId,
        before: { mediaIds: ids },
        after: { deletedMediaIds: unused.map((m) => m.id) },
      });
      return { value: null, changed: true };
    });
    return this.view(merchantId, productId, null);
  }

  /** Applies the moves in order (each takes its image out and puts it at new_position), then numbers 1..n. */
  async reorder(ctx: RequestContext, merchantId: string, productId: string, input: ReorderImagesDto): Promise<ProductImagesDto> {
    const variantId = input.variant_id ?? null;
    await this.mutate(merchantId, productId, variantId, async (manager) => {
      const list = await this.targetImages(manager, merchantId, productId, variantId);
      const before = list.map((i) => i.mediaId);
      for (const [index, move] of input.moves.entries()) {
        const at = list.findIndex((i) => i.mediaId === move.media_id);
        if (at < 0) throw new NotFoundError('Image', move.media_id);
        if (move.new_position > list.length) {
          throw new ValidationError(`moves.${index}.new_position: must be between 1 and ${list.length}`, { [`moves.${index}.new_position`]: [`must be between 1 and ${list.length}`] });
        }
        const [image] = list.splice(at, 1);
        list.splice(move.new_position - 1, 0, image);
      }
      await this.renumber(manager, list);
      const after = list.map((i) => i.mediaId);
      const changed = JSON.stringify(before) !== JSON.stringify(after);
      if (changed) await this.audit.record(manager, ctx, { action: 'product.images.reorder', entityType: 'product', entityId: productId, merchantId, before: { variantId, order: before }, after: { variantId, order: after } });
      return { value: null, changed };
    });
    return this.view(merchantId, productId, variantId);
  }
}
