import { Module } from '@nestjs/common';
import { CatalogModule } from '../catalog/catalog.module';
import { HomepageConfigController, HomepageShortFormsController, HomepageTemplatesController, PublicHomepageController } from './homepage.controller';
import { HomepageVersionService } from './homepage-version.service';
import { HomepageService } from './homepage.service';
import { PublicHomepageService } from './public-homepage.service';

/**
 * A store's homepage: the merchant's config and sections (validated per section type against the
 * store's media and catalog), templates, and the published page for storefronts, which reads its
 * products through the public catalog's reader and views.
 */
@Module({
  imports: [CatalogModule],
  controllers: [HomepageConfigController, HomepageShortFormsController, HomepageTemplatesController, PublicHomepageController],
  providers: [HomepageService, HomepageVersionService, PublicHomepageService],
})
export class HomepageModule {}
