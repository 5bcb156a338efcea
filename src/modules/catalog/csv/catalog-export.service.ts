import { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { stringify } from 'csv-stringify/sync';
import { DataSource, In, IsNull } from 'typeorm';
import { Merchant } from '../../merchants/entities/merchant.entity';
import { ProductPrice } from '../entities/product-price.entity';
import { ProductVariant } from '../entities/product-variant.entity';
import { Product } from '../entities/product.entity';
import { ProductsService } from '../products.service';
import { ExportedProduct, exportHeader, exportRows } from './product-csv';

/** Products per query; their variants, collections and prices are read per batch, never per product. */
const EXPORT_BATCH = 500;

/**
 * The catalog as CSV, produced while the client reads it: a keyset cursor over the merchant's
 * products by handle (the unique (merchant_id, handle) index serves it), one batch at a time, so
 * memory holds one batch whatever the catalog's size. Batches are read as the stream is pulled;
 * a slow client slows the reads instead of buffering the catalog.
 */
@Injectable()
export class CatalogExportService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly products: ProductsService,
  ) {}

  async csvStream(merchantId: string): Promise<Readable> {
    const currencies = await this.priceCurrencies(merchantId);
    return Readable.from(this.csvChunks(merchantId, currencies), { objectMode: false });
  }

  private async *csvChunks(merchantId: string, currencies: string[]): AsyncGenerator<string> {
    yield stringify([exportHeader(currencies)]);
    let afterHandle: string | null = null;
    for (;;) {
      const qb = this.products.products().createQueryBuilder(merchantId, 'p').andWhere('p.deleted_at IS NULL');
      if (afterHandle !== null) qb.andWhere('p.handle > :afterHandle', { afterHandle });
      const batch = await qb.orderBy('p.handle', 'ASC').limit(EXPORT_BATCH).getMany();
      if (!batch.length) return;
      const rows = (await this.withRelations(batch)).flatMap((item) => exportRows(item, currencies));
      yield stringify(rows);
      if (batch.length < EXPORT_BATCH) return;
      afterHandle = batch[batch.length - 1].handle;
    }
  }

  private async withRelations(products: Product[]): Promise<ExportedProduct[]> {
    const ids = products.map((p) => p.id);
    const manager = this.dataSource.manager;
    const variants = await manager.getRepository(ProductVariant).find({ where: { productId: In(ids), deletedAt: IsNull() }, order: { position: 'ASC', createdAt: 'ASC' } });
    const prices = await manager.getRepository(ProductPrice).find({ where: { productId: In(ids) }, order: { currency: 'ASC' } });
    const memberships: { product_id: string; slug: string }[] = await manager.query(
      `SELECT cp.product_id, c.slug FROM collection_products cp JOIN collections c ON c.id = cp.collection_id
        WHERE cp.product_id = ANY($1::uuid[]) ORDER BY c.display_order, c.slug`,
      [ids],
    );
    const byProduct = <T>(rows: T[], productId: (row: T) => string) => {
      const map = new Map<string, T[]>();
      for (const row of rows) map.set(productId(row), [...(map.get(productId(row)) ?? []), row]);
      return (id: string) => map.get(id) ?? [];
    };
    const variantsOf = byProduct(variants, (v) => v.productId);
    const slugsOf = byProduct(memberships, (m) => m.product_id);
    const pricesOf = byProduct(prices, (p) => p.productId);
    return products.map((product) => ({
      product,
      variants: variantsOf(product.id),
      collectionSlugs: slugsOf(product.id).map((m) => m.slug),
      prices: pricesOf(product.id),
    }));
  }

  /**
   * The extra currencies that get price columns: the store's other currencies, plus any currency
   * a price is stored in (so nothing is left out if the store dropped one since).
   */
  private async priceCurrencies(merchantId: string): Promise<string[]> {
    const merchant = await this.dataSource.getRepository(Merchant).findOneByOrFail({ id: merchantId });
    const stored: { currency: string }[] = await this.dataSource.query(`SELECT DISTINCT currency FROM product_prices WHERE merchant_id = $1`, [merchantId]);
    const currencies = new Set([...merchant.supportedCurrencies.filter((c) => c !== merchant.defaultCurrency), ...stored.map((r) => r.currency.trim())]);
    return [...currencies].sort();
  }
}
