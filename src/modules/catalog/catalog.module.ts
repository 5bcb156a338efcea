import { Module } from '@nestjs/common';
import { CatalogVersionService } from './catalog-version.service';
import { ProductsController } from './products.controller';
import { ProductsService } from './products.service';
import { VariantsService } from './variants.service';

/** Products, variants, prices, collections, translations, the public catalog and CSV import/export. */
@Module({
  controllers: [ProductsController],
  providers: [CatalogVersionService, ProductsService, VariantsService],
  exports: [ProductsService, CatalogVersionService],
})
export class CatalogModule {}
