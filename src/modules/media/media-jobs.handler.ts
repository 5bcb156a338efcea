import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Job } from 'bullmq';
import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { DataSource } from 'typeorm';
import {
  APP_CONFIG,
  AppConfig,
  Jobs,
  MediaDeleteObjectsPayload,
  MediaFetchPayload,
  MediaProcessPayload,
  OnJob,
  OutboxService,
  PayloadOf,
  unrecoverableJobError,
} from '@app/common';
import { CatalogVersionService } from '../catalog/catalog-version.service';
import { describeType, detectContentType, isImageType } from './content-type';
import { Media, MediaSize, SizeName } from './entities/media.entity';
import { originalKey, sanitizeFileName, sizeKey } from './file-names';
import { imageDimensions, renderSizes, UndecodableImageError } from './image-sizes';
import { MediaService } from './media.service';
import { ProductImagesService } from './product-images.service';
import { fetchToFile, FetchRefusedError } from './safe-fetch';
import { StorageDriver } from './storage/storage-driver';
import { readHead, removeTempFiles, tempFilePath } from './upload-spool';

/** Transient download failures (timeouts, 5xx) get this many tries, whatever the queue allows. */
const FETCH_ATTEMPTS = 3;

const isLastAttempt = (job: Job | undefined) => !job || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);

/**
 * The media-processing queue: resized versions, image URL downloads, object deletion after commit,
 * and the sweep of media never attached. Every handler can run twice (retries, re-relayed outbox
 * rows) and does nothing the second time.
 */
@Injectable()
export class MediaJobsHandler {
  private readonly logger = new Logger(MediaJobsHandler.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly storage: StorageDriver,
    private readonly media: MediaService,
    private readonly images: ProductImagesService,
    private readonly outbox: OutboxService,
    private readonly versions: CatalogVersionService,
  ) {}

  /** Storage trouble is retried; on the last try the media is marked failed, so it does not stay `processing` forever. */
  private async retryOrFail(media: Media, job: Job | undefined, expected: Media['status'], what: string, err: unknown): Promise<never> {
    const message = `${what}: ${(err as Error)?.message ?? err}`;
    if (isLastAttempt(job)) await this.media.markFailed(media, message, expected);
    throw new Error(message);
  }

  /** Makes the WebP versions (200/600/1200 px boxes, never upscaled) and records them with the dimensions. */
  @OnJob(Jobs.MediaProcess)
  async process(payload: MediaProcessPayload, job?: Job): Promise<{ status: string }> {
    const media = await this.media.repo().findOneBy(payload.merchant_id, { id: payload.media_id });
    if (!media || media.status !== 'processing' || media.kind !== 'image' || !media.objectKey) return { status: 'skipped' };
    const temp = await tempFilePath();
    try {
      try {
        await pipeline(await this.storage.openRead(media.objectKey), createWriteStream(temp));
      } catch (err) {
        return await this.retryOrFail(media, job, 'processing', 'reading the original failed', err);
      }
      let rendered;
      let dims;
      try {
        dims = await imageDimensions(temp);
        rendered = await renderSizes(temp, dims);
      } catch (err) {
        if (!(err instanceof UndecodableImageError)) throw err;
        await this.media.markFailed(media, err.message, 'processing');
        return { status: 'failed' };
      }
      const sizes: Partial<Record<SizeName, MediaSize>> = {};
      const written: string[] = [];
      try {
        for (const r of rendered) {
          const key = sizeKey(media.objectKey, r.width);
          await this.storage.put(key, r.webp, { contentType: 'image/webp' });
          written.push(key);
          for (const name of r.names) sizes[name] = { key, url: this.storage.publicUrl(key), width: r.width, height: r.height, size_bytes: r.webp.length };
        }
      } catch (err) {
        return await this.retryOrFail(media, job, 'processing', 'writing a resized version failed', err);
      }
      const [, updated] = await this.dataSource.query(
        `UPDATE media SET status = 'ready', width = $3, height = $4, sizes = $5::jsonb, error = NULL, updated_at = now()
          WHERE id = $1 AND merchant_id = $2 AND status = 'processing'`,
        [media.id, media.merchantId, dims.width, dims.height, JSON.stringify(sizes)],
      );
      if (!updated) {
        // Deleted (or failed) while we worked: its delete job did not know these keys.
        await Promise.all(written.map((key) => this.storage.delete(key)));
        return { status: 'gone' };
      }
      return { status: 'ready' };
    } finally {
      await removeTempFiles([{ path: temp }]);
    }
  }

  /**
   * Downloads an image_urls entry (SSRF-safe: see safe-fetch.ts), checks it is an image by its
   * bytes, stores it and places it on its product. Refusals fail the media at once; timeouts and
   * server errors get FETCH_ATTEMPTS tries.
   */
  @OnJob(Jobs.MediaFetch)
  async fetch(payload: MediaFetchPayload, job?: Job): Promise<{ status: string }> {
    const media = await this.media.repo().findOneBy(payload.merchant_id, { id: payload.media_id });
    if (!media || media.status !== 'pending' || media.source !== 'url' || !media.sourceUrl) return { status: 'skipped' };
    const temp = await tempFilePath();
    try {
      let bytes: number;
      try {
        ({ bytes } = await fetchToFile(media.sourceUrl, temp, {
          timeoutMs: this.config.media.fetchTimeoutMs,
          maxBytes: this.config.media.maxImageBytes,
          allowPrivate: this.config.media.fetchAllowPrivate,
        }));
      } catch (err) {
        const permanent = err instanceof FetchRefusedError || (job?.attemptsMade ?? 0) + 1 >= FETCH_ATTEMPTS;
        if (permanent) {
          await this.media.markFailed(media, `image_url ${(err as Error).message}`, 'pending');
          return { status: 'failed' };
        }
        throw err;
      }
      const type = detectContentType(await readHead(temp));
      if (!isImageType(type) || !type) {
        await this.media.markFailed(media, `image_url is ${describeType(type)}, not an image (jpeg, png, webp, gif or avif)`, 'pending');
        return { status: 'failed' };
      }
      let dims;
      try {
        dims = await imageDimensions(temp);
      } catch (err) {
        await this.media.markFailed(media, `image_url ${(err as Error).message}`, 'pending');
        return { status: 'failed' };
      }
      const fileName = sanitizeFileName(media.fileName, type);
      const key = originalKey(media.merchantId, media.id, fileName, type);
      try {
        await this.storage.put(key, createReadStream(temp), { contentType: type, contentLength: bytes });
      } catch (err) {
        return await this.retryOrFail(media, job, 'pending', 'storing the download failed', err);
      }

      const outcome = await this.dataSource.transaction(async (manager) => {
        const row = await this.media.repo(manager).findOneBy(media.merchantId, { id: media.id });
        if (!row || row.status !== 'pending') return 'gone' as const;
        const stored = await this.media.repo(manager).save(media.merchantId, {
          ...row,
          status: 'processing',
          objectKey: key,
          url: this.storage.publicUrl(key),
          fileName,
          contentType: type,
          sizeBytes: bytes,
          width: dims.width,
          height: dims.height,
          error: null,
        });
        await this.outbox.publish(manager, Jobs.MediaProcess, { media_id: media.id, merchant_id: media.merchantId });
        const attached = await this.images.attachFetched(manager, stored, { productId: payload.product_id, variantId: payload.variant_id, position: payload.position, alt: payload.alt ?? null });
        return attached ? ('attached' as const) : ('stored' as const);
      });
      if (outcome === 'gone') await this.storage.delete(key);
      if (outcome === 'attached') void this.versions.bump(media.merchantId).catch(() => undefined);
      return { status: outcome };
    } finally {
      await removeTempFiles([{ path: temp }]);
    }
  }

  /** Deletes objects whose rows are gone (published in the deleting transaction); retried while storage fails. */
  @OnJob(Jobs.MediaDeleteObjects)
  async deleteObjects(payload: MediaDeleteObjectsPayload): Promise<{ deleted: number }> {
    if (payload.driver !== this.storage.name) {
      throw unrecoverableJobError(`Objects of media ${payload.media_id} are in ${payload.driver} storage; this worker uses ${this.storage.name}`);
    }
    for (const key of payload.keys) await this.storage.delete(key);
    return { deleted: payload.keys.length };
  }

  /** Hourly: media nothing shows past their expiry (24 h after upload) are deleted, in batches. */
  @OnJob(Jobs.MediaCleanupUnattached)
  async cleanupUnattached(payload: PayloadOf<typeof Jobs.MediaCleanupUnattached>): Promise<{ deleted: number }> {
    const limit = Math.min(Math.max(payload.limit ?? 500, 1), 5_000);
    let deleted = 0;
    for (let batch = 0; batch < 20; batch++) {
      const n = await this.media.sweepExpired(limit);
      deleted += n;
      if (n < limit) break;
    }
    if (deleted) this.logger.log({ deleted }, 'Deleted media never attached');
    return { deleted };
  }
}
