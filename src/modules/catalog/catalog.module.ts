import { Module } from '@nestjs/common';
import { InventoryModule } from '../inventory/inventory.module';
import { CatalogVersionModule } from './catalog-version.module';
import { CollectionsController } from './collections.controller';
import { CollectionsService } from './collections.service';
import { CatalogCsvController } from './csv.controller';
import { CatalogExportService } from './csv/catalog-export.service';
import { CatalogImportHandler } from './csv/catalog-import.handler';
import { CatalogImportService } from './csv/catalog-import.service';
import { ProductGroupWriter } from './csv/product-group-writer';
import { LanguagesController } from './languages.controller';
import { ProductsController } from './products.controller';
import { ProductsService } from './products.service';
import { PublicCatalogController } from './public-catalog.controller';
import { PublicCatalogReader } from './public-catalog.reader';
import { PublicCatalogService } from './public-catalog.service';
import { StorefrontStores } from './storefront-stores';
import { StorefrontAnswerCache } from './storefront-answer-cache';
import { CollectionTranslationsController, ProductTranslationsController } from './translations.controller';
import { TranslationsService } from './translations.service';
import { VariantsService } from './variants.service';

/** Products, variants, prices, collections, translations, the public catalog and CSV import/export. */
@Module({
  imports: [InventoryModule, CatalogVersionModule],
  controllers: [CatalogCsvController, ProductsController, CollectionsController, ProductTranslationsController, CollectionTranslationsController, LanguagesController, PublicCatalogController],
  providers: [ProductsService, VariantsService, CollectionsService, TranslationsService, PublicCatalogService, PublicCatalogReader, StorefrontAnswerCache, StorefrontStores, CatalogExportService, CatalogImportService, ProductGroupWriter, CatalogImportHandler],
  exports: [ProductsService, CatalogVersionModule, PublicCatalogReader, StorefrontAnswerCache, StorefrontStores],
})
export class CatalogModule {}
