import { Module } from '@nestjs/common';
import { CatalogVersionService } from './catalog-version.service';

/**
 * The store catalog version on its own, so that inventory (which the catalog module imports) can
 * bump it when stock changes without a circular import.
 */
@Module({
  providers: [CatalogVersionService],
  exports: [CatalogVersionService],
})
export class CatalogVersionModule {}
