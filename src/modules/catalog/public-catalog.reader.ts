import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { PageRequest } from '@app/common';
import { ProductTranslation } from './entities/translation.entities';
import { Product } from './entities/product.entity';
import { ProductChildren } from './product-views';
import { ProductFilter, productFilterConditions, SORT_COLUMNS } from './products.service';

/** A product as the storefront reads it: the row, its children for the views, and its translations in the asked languages. */
export interface StorefrontProduct {
  product: Product;
  children: ProductChildren;
  translations: ProductTranslation[];
}

const PRODUCT_COLUMNS = `p.id, p.merchant_id, p.handle, p.name, p.description, p.price, p.original_price, p.currency, p.status, p.category_id,
  p.weight_grams, p.length_mm, p.width_mm, p.height_mm, p.hs_code, p.country_of_origin, p.customs_description,
  p.requires_shipping, p.track_inventory, p.low_stock_threshold, p.tags, p.meta_title, p.meta_description, p.created_at, p.updated_at`;

/**
 * Each product's children as JSON arrays in display order, keyed like the entities, so the rows
 * feed assembleProductViews as they are: active live variants with their stock, prices, images,
 * collections, and the translations in `:languages` (lower-case codes).
 */
const CHILDREN_COLUMNS = `
  (SELECT coalesce(json_agg(json_build_object('id', v.id, 'productId', v.product_id, 'sku', v.sku, 'price', v.price,
            'stock', (SELECT coalesce(sum(l.on_hand), 0) FROM inventory_levels l WHERE l.variant_id = v.id),
            'status', v.status, 'attributes', v.attributes, 'isDefault', v.is_default, 'position', v.position)
          ORDER BY v.position, v.created_at), '[]')
     FROM product_variants v WHERE v.product_id = p.id AND v.deleted_at IS NULL AND v.status = 'active') AS variants,
  (SELECT coalesce(json_agg(json_build_object('productId', x.product_id, 'variantId', x.variant_id, 'currency', x.currency,
            'amount', x.amount, 'originalAmount', x.original_amount) ORDER BY x.currency), '[]')
     FROM product_prices x WHERE x.product_id = p.id) AS prices,
  (SELECT coalesce(json_agg(json_build_object('id', i.id, 'productId', i.product_id, 'variantId', i.variant_id, 'mediaId', i.media_id,
            'url', i.url, 'alt', i.alt) ORDER BY i.position, i.created_at), '[]')
     FROM product_images i WHERE i.product_id = p.id) AS images,
  (SELECT coalesce(json_agg(json_build_object('product_id', cp.product_id, 'id', c.id, 'slug', c.slug, 'name', c.name)
            ORDER BY c.display_order, c.slug), '[]')
     FROM collection_products cp JOIN collections c ON c.id = cp.collection_id WHERE cp.product_id = p.id) AS memberships,
  (SELECT coalesce(json_agg(json_build_object('languageCode', t.language_code, 'name', t.name, 'description', t.description,
            'metaTitle', t.meta_title, 'metaDescription', t.meta_description, 'variantAttributesTranslations', t.variant_attributes_translations)), '[]')
     FROM product_translations t WHERE t.product_id = p.id AND lower(t.language_code) = ANY(:languages)) AS translations`;

type Row = Record<string, unknown> & Pick<ProductChildren, 'variants' | 'prices' | 'images' | 'memberships'> & { translations: ProductTranslation[] };

const minor = (value: unknown): number | null => (value === null ? null : Number(value));

function storefrontProduct(row: Row): StorefrontProduct {
  const product = {
    id: row.id,
    merchantId: row.merchant_id,
    handle: row.handle,
    name: row.name,
    description: row.description,
    price: Number(row.price),
    originalPrice: minor(row.original_price),
    costPrice: null,
    currency: row.currency,
    status: row.status,
    categoryId: row.category_id,
    weightGrams: row.weight_grams,
    lengthMm: row.length_mm,
    widthMm: row.width_mm,
    heightMm: row.height_mm,
    hsCode: row.hs_code,
    countryOfOrigin: row.country_of_origin,
    customsDescription: row.customs_description,
    requiresShipping: row.requires_shipping,
    trackInventory: row.track_inventory,
    lowStockThreshold: row.low_stock_threshold,
    tags: row.tags,
    metaTitle: row.meta_title,
    metaDescription: row.meta_description,
    deletedAt: null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  } as Product;
  return { product, children: { variants: row.variants, prices: row.prices, images: row.images, memberships: row.memberships }, translations: row.translations };
}

/**
 * The storefront's reads in hand-written SQL: a page of products, or one product, with everything
 * its view shows (variants and stock, prices, images, collections, translations) in ONE statement,
 * plus a COUNT for a full page. The routes are the busiest of the service and the ORM's per-query
 * cost dominated them (7 statements and their hydration per page; see bench/RESULTS.md); the
 * filters are the merchant list's own (productFilterConditions), the views the same assembly.
 */
@Injectable()
export class PublicCatalogReader {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private query<T>(sql: string, parameters: Record<string, unknown>): Promise<T[]> {
    const [text, values] = this.dataSource.driver.escapeQueryWithParameters(sql, parameters);
    return this.dataSource.query(text, values);
  }

  /** Active products of an ACTIVE store, filtered and sorted as the merchant list does; `count: false` skips the COUNT (total is then a lower bound). */
  async page(storeId: string, filter: ProductFilter, page: PageRequest, languages: string[], options: { count?: boolean } = {}): Promise<{ items: StorefrontProduct[]; total: number }> {
    const { conditions, parameters } = productFilterConditions({ ...filter, publicOnly: true });
    const where = [...conditions, 'p.merchant_id = :storeId'].join(' AND ');
    const order = filter.sortOrder === 'asc' ? 'ASC' : 'DESC';
    const orderBy = `${SORT_COLUMNS[filter.sortBy ?? 'created_at']} ${order}, p.id ${order}`;
    // The page's ids first: the children are then built for its rows only, not for the rows OFFSET skips.
    const rows = await this.query<Row>(
      `SELECT ${PRODUCT_COLUMNS}, ${CHILDREN_COLUMNS}
         FROM (SELECT p.id FROM products p WHERE ${where} ORDER BY ${orderBy} LIMIT :limit OFFSET :offset) AS page
         JOIN products p ON p.id = page.id
        ORDER BY ${orderBy}`,
      { ...parameters, storeId, languages, limit: page.limit, offset: page.offset },
    );
    // A page that is not full tells the total without counting (unless it is past the end).
    const counted = options.count !== false && (rows.length === page.limit || (rows.length === 0 && page.offset > 0));
    const total = counted ? (await this.query<{ total: number }>(`SELECT count(*)::int AS total FROM products p WHERE ${where}`, { ...parameters, storeId }))[0].total : page.offset + rows.length;
    return { items: rows.map(storefrontProduct), total };
  }

  /** One active product of an ACTIVE store by id or handle (a handle needs the store). */
  async one(where: { id: string; storeId?: string } | { handle: string; storeId: string }, languages: string[]): Promise<StorefrontProduct | null> {
    const { conditions } = productFilterConditions({ publicOnly: true });
    if ('id' in where) conditions.push('p.id = :id');
    else conditions.push('p.handle = :handle');
    if (where.storeId) conditions.push('p.merchant_id = :storeId');
    const [row] = await this.query<Row>(`SELECT ${PRODUCT_COLUMNS}, ${CHILDREN_COLUMNS} FROM products p WHERE ${conditions.join(' AND ')}`, { ...where, languages });
    return row ? storefrontProduct(row) : null;
  }
}
