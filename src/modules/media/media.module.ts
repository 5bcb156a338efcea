import { Module } from '@nestjs/common';
import { CatalogModule } from '../catalog/catalog.module';
import { MediaJobsHandler } from './media-jobs.handler';
import { MediaController } from './media.controller';
import { MediaService } from './media.service';
import { ProductImagesController } from './product-images.controller';
import { ProductImagesService } from './product-images.service';
import { storageDriverProvider } from './storage/storage.provider';

/**
 * Uploads, presigned direct uploads, media metadata, product and variant images, and the
 * media-processing jobs (sizes, image URL downloads, deletes after commit, the expiry sweep).
 * Storage is a strategy (storage/): S3 or a local directory, chosen by STORAGE_DRIVER.
 */
@Module({
  imports: [CatalogModule],
  controllers: [MediaController, ProductImagesController],
  providers: [storageDriverProvider, MediaService, ProductImagesService, MediaJobsHandler],
  exports: [MediaService],
})
export class MediaModule {}
