import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { EntityManager, In, IsNull } from 'typeorm';
import { formatMinor } from '@app/common';
import { fromScaled } from './catalog-input';
import { CollectionProduct } from './entities/collection-product.entity';
import { Collection } from './entities/collection.entity';
import { ProductImage } from './entities/product-image.entity';
import { ProductPrice } from './entities/product-price.entity';
import { ProductVariant } from './entities/product-variant.entity';
import { Product } from './entities/product.entity';

export class PriceDto {
  @ApiProperty({ example: 'EUR' }) currency: string;
  @ApiProperty({ example: '27.50' }) price: string;
  @ApiProperty({ nullable: true }) original_price: string | null;
}

export class VariantDto {
  @ApiProperty() id: string;
  @ApiProperty() product_id: string;
  @ApiProperty({ nullable: true }) sku: string | null;
  @ApiProperty({ example: '29.99', description: 'Own price, or the product\'s' }) price: string;
  @ApiProperty() currency: string;
  @ApiProperty() stock: number;
  @ApiProperty() status: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) attributes: Record<string, string>;
  @ApiProperty() is_default: boolean;
  @ApiProperty() position: number;
  @ApiProperty({ type: [PriceDto] }) prices: PriceDto[];
  @ApiProperty({ type: 'array', items: { type: 'object' } }) images: ImageDto[];
}

export class ImageDto {
  @ApiProperty() id: string;
  @ApiProperty() url: string;
  @ApiProperty({ nullable: true }) media_id: string | null;
  @ApiProperty({ nullable: true }) variant_id: string | null;
  @ApiProperty({ nullable: true }) alt: string | null;
  @ApiProperty({ description: '1-based' }) position: number;
}

export class CollectionRefDto {
  @ApiProperty() id: string;
  @ApiProperty() slug: string;
  @ApiProperty() name: string;
}

export class ProductDto {
  @ApiProperty() id: string;
  @ApiProperty() merchant_id: string;
  @ApiProperty() handle: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: 'Same as name' }) title: string;
  @ApiProperty({ nullable: true }) description: string | null;
  @ApiProperty({ example: '29.99' }) price: string;
  @ApiProperty({ nullable: true }) original_price: string | null;
  @ApiPropertyOptional({ nullable: true, description: 'Merchant views only' }) cost_price?: string | null;
  @ApiProperty({ example: 'USD' }) currency: string;
  @ApiProperty({ type: [PriceDto], description: 'Explicit prices in other currencies' }) prices: PriceDto[];
  @ApiProperty() status: string;
  @ApiProperty({ description: 'Sum of the variants\' stock' }) stock_quantity: number;
  @ApiProperty({ nullable: true, description: 'SKU of the default variant' }) sku: string | null;
  @ApiProperty({ nullable: true }) category_id: string | null;
  @ApiProperty({ nullable: true, description: 'kg' }) weight: number | null;
  @ApiProperty({ nullable: true, description: 'cm' }) length: number | null;
  @ApiProperty({ nullable: true, description: 'cm' }) width: number | null;
  @ApiProperty({ nullable: true, description: 'cm' }) height: number | null;
  @ApiProperty({ nullable: true }) hs_code: string | null;
  @ApiProperty({ nullable: true }) country_of_origin: string | null;
  @ApiProperty({ nullable: true }) customs_description: string | null;
  @ApiProperty() requires_shipping: boolean;
  @ApiProperty() track_inventory: boolean;
  @ApiProperty({ nullable: true }) low_stock_threshold: number | null;
  @ApiProperty({ type: [String] }) tags: string[];
  @ApiProperty({ type: [CollectionRefDto] }) collections: CollectionRefDto[];
  @ApiProperty({ type: [ImageDto] }) images: ImageDto[];
  @ApiPropertyOptional({ type: [VariantDto] }) variants?: VariantDto[];
  @ApiProperty({ nullable: true }) meta_title: string | null;
  @ApiProperty({ nullable: true }) meta_description: string | null;
  @ApiProperty() created_at: string;
  @ApiProperty() updated_at: string;
}

const price = (p: ProductPrice): PriceDto => ({
  currency: p.currency,
  price: formatMinor(p.amount, p.currency),
  original_price: p.originalAmount === null ? null : formatMinor(p.originalAmount, p.currency),
});

const image = (i: ProductImage, index: number): ImageDto => ({ id: i.id, url: i.url, media_id: i.mediaId, variant_id: i.variantId, alt: i.alt, position: index + 1 });

export interface ViewOptions {
  includeVariants?: boolean;
  /** Merchant/admin views show cost prices; public ones never do. */
  includeCost?: boolean;
  /** Public views: only `active` variants (they also make up stock_quantity and the default sku). */
  activeVariantsOnly?: boolean;
}

/** The rows a page of product views is built from, each list in display order. */
export interface ProductChildren {
  /** With `stock` (units on hand over all locations). */
  variants: ProductVariant[];
  prices: ProductPrice[];
  images: ProductImage[];
  memberships: { product_id: string; id: string; slug: string; name: string }[];
}

/**
 * Builds product responses for any number of products with a fixed number of queries (variants,
 * prices, images, collections: one each), never one per product.
 */
export async function buildProductViews(manager: EntityManager, products: Product[], options: ViewOptions = {}): Promise<ProductDto[]> {
  if (products.length === 0) return [];
  const ids = products.map((p) => p.id);
  const [variants, prices, images, memberships] = await Promise.all([
    manager.getRepository(ProductVariant).find({
      where: { productId: In(ids), deletedAt: IsNull(), ...(options.activeVariantsOnly ? { status: 'active' as const } : {}) },
      order: { position: 'ASC', createdAt: 'ASC' },
    }),
    manager.getRepository(ProductPrice).find({ where: { productId: In(ids) }, order: { currency: 'ASC' } }),
    manager.getRepository(ProductImage).find({ where: { productId: In(ids) }, order: { position: 'ASC', createdAt: 'ASC' } }),
    manager
      .getRepository(CollectionProduct)
      .createQueryBuilder('cp')
      .innerJoin(Collection, 'c', 'c.id = cp.collection_id')
      .select(['cp.product_id AS product_id', 'c.id AS id', 'c.slug AS slug', 'c.name AS name'])
      .where('cp.product_id IN (:...ids)', { ids })
      .orderBy('c.display_order', 'ASC')
      .addOrderBy('c.slug', 'ASC')
      .getRawMany<{ product_id: string; id: string; slug: string; name: string }>(),
  ]);
  return assembleProductViews(products, { variants, prices, images, memberships }, options);
}

/**
 * The views of `products` from their already loaded children (any loader: the queries above, or
 * the storefront's single statement in public-catalog.reader.ts), so every route shows a product
 * the same way.
 */
export function assembleProductViews(products: Product[], children: ProductChildren, options: ViewOptions = {}): ProductDto[] {
  const { variants, prices, images, memberships } = children;
  const group = <T>(rows: T[], key: (row: T) => string) => {
    const map = new Map<string, T[]>();
    for (const row of rows) {
      const list = map.get(key(row));
      if (list) list.push(row);
      else map.set(key(row), [row]);
    }
    return map;
  };
  const variantsBy = group(variants, (v) => v.productId);
  const pricesBy = group(prices, (p) => p.productId);
  const imagesBy = group(images, (i) => i.productId);
  const collectionsBy = group(memberships, (m) => m.product_id);

  return products.map((p) => {
    const productVariants = variantsBy.get(p.id) ?? [];
    const productPrices = pricesBy.get(p.id) ?? [];
    const productImages = imagesBy.get(p.id) ?? [];
    const defaultVariant = productVariants.find((v) => v.isDefault) ?? productVariants[0];
    const view: ProductDto = {
      id: p.id,
      merchant_id: p.merchantId,
      handle: p.handle,
      name: p.name,
      title: p.name,
      description: p.description,
      price: formatMinor(p.price, p.currency),
      original_price: p.originalPrice === null ? null : formatMinor(p.originalPrice, p.currency),
      ...(options.includeCost ? { cost_price: p.costPrice === null ? null : formatMinor(p.costPrice, p.currency) } : {}),
      currency: p.currency,
      prices: productPrices.filter((x) => x.variantId === null).map(price),
      status: p.status,
      stock_quantity: productVariants.reduce((sum, v) => sum + v.stock, 0),
      sku: defaultVariant?.sku ?? null,
      category_id: p.categoryId,
      weight: fromScaled(p.weightGrams, 1000),
      length: fromScaled(p.lengthMm, 10),
      width: fromScaled(p.widthMm, 10),
      height: fromScaled(p.heightMm, 10),
      hs_code: p.hsCode,
      country_of_origin: p.countryOfOrigin,
      customs_description: p.customsDescription,
      requires_shipping: p.requiresShipping,
      track_inventory: p.trackInventory,
      low_stock_threshold: p.lowStockThreshold,
      tags: p.tags,
      collections: (collectionsBy.get(p.id) ?? []).map(({ id, slug, name }) => ({ id, slug, name })),
      images: productImages.filter((i) => i.variantId === null).map(image),
      meta_title: p.metaTitle,
      meta_description: p.metaDescription,
      created_at: p.createdAt.toISOString(),
      updated_at: p.updatedAt.toISOString(),
    };
    if (options.includeVariants) view.variants = productVariants.map((v) => variantView(p, v, productPrices, productImages));
    return view;
  });
}

export function variantView(product: Product, v: ProductVariant, prices: ProductPrice[], images: ProductImage[]): VariantDto {
  return {
    id: v.id,
    product_id: v.productId,
    sku: v.sku,
    price: formatMinor(v.price ?? product.price, product.currency),
    currency: product.currency,
    stock: v.stock,
    status: v.status,
    attributes: v.attributes,
    is_default: v.isDefault,
    position: v.position,
    prices: prices.filter((x) => x.variantId === v.id).map(price),
    images: images.filter((i) => i.variantId === v.id).map(image),
  };
}
