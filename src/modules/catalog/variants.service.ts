import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { ConflictError, Jobs, MerchantScopedRepository, NotFoundError, OutboxService, RequestContext } from '@app/common';
import { AuditService } from '../audit/audit.service';
import { InventoryService } from '../inventory/inventory.service';
import { Merchant } from '../merchants/entities/merchant.entity';
import { CatalogVersionService } from './catalog-version.service';
import { moneyField } from './catalog-input';
import { ProductImage } from './entities/product-image.entity';
import { ProductPrice } from './entities/product-price.entity';
import { ProductVariant } from './entities/product-variant.entity';
import { VariantInputDto } from './dto/product.dto';
import { variantView, VariantDto } from './product-views';
import { normalizeAttributes, ProductsService, sameAttributes } from './products.service';

@Injectable()
export class VariantsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly products: ProductsService,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly versions: CatalogVersionService,
    private readonly inventory: InventoryService,
  ) {}

  private async views(merchantId: string, productId: string, variants: ProductVariant[]): Promise<VariantDto[]> {
    const product = await this.products.getLive(merchantId, productId);
    const [prices, images] = await Promise.all([
      this.dataSource.getRepository(ProductPrice).findBy({ productId }),
      this.dataSource.getRepository(ProductImage).find({ where: { productId }, order: { position: 'ASC' } }),
    ]);
    return variants.map((v) => variantView(product, v, prices, images));
  }

  async list(merchantId: string, productId: string): Promise<VariantDto[]> {
    await this.products.getLive(merchantId, productId);
    const rows = await this.products.variants().find(merchantId, { where: { productId, deletedAt: IsNull() }, order: { position: 'ASC', createdAt: 'ASC' } });
    return this.views(merchantId, productId, rows);
  }

  /** Variants whose attributes contain all the given pairs (`?color=red&size=M`), case-insensitive on names. */
  async search(merchantId: string, productId: string, attributes: Record<string, string>): Promise<VariantDto[]> {
    await this.products.getLive(merchantId, productId);
    const wanted = normalizeAttributes(attributes);
    const rows = await this.products
      .variants()
      .createQueryBuilder(merchantId, 'v')
      .andWhere('v.product_id = :productId AND v.deleted_at IS NULL', { productId })
      .andWhere('v.attributes @> :wanted::jsonb', { wanted: JSON.stringify(wanted) })
      .orderBy('v.position', 'ASC')
      .getMany();
    return this.views(merchantId, productId, rows);
  }

  private async mutate<T>(merchantId: string, productId: string, work: (ctx: { manager: EntityManager; currency: string; handle: string }) => Promise<T>): Promise<T> {
    const result = await this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('catalog:' || $1))`, [merchantId]);
      const product = await this.products.getLive(merchantId, productId, manager, true);
      const value = await work({ manager, currency: product.currency, handle: product.handle });
      await this.outbox.publish(manager, Jobs.ProductUpdated, { merchant_id: merchantId, product_id: productId, handle: product.handle });
      return value;
    });
    void this.versions.bump(merchantId).catch(() => undefined);
    return result;
  }

  private async assertSkuFree(manager: EntityManager, merchantId: string, sku: string | null | undefined, exceptId?: string): Promise<void> {
    if (!sku) return;
    const clash = await MerchantScopedRepository.for(manager, ProductVariant).findOneBy(merchantId, { sku, deletedAt: IsNull() });
    if (clash && clash.id !== exceptId) throw new ConflictError(`sku ${sku} is already used in this store`, { field: 'sku', sku });
  }

  /** The variant's explicit prices in other currencies, with the same rules as the product's. */
  private async savePrices(manager: EntityManager, merchantId: string, productId: string, variantId: string, input: VariantInputDto): Promise<void> {
    if (input.prices === undefined) return;
    const merchant = await manager.getRepository(Merchant).findOneByOrFail({ id: merchantId });
    const product = await this.products.getLive(merchantId, productId, manager);
    await this.products.replaceExtraPrices(manager, merchant, product, variantId, input.prices);
  }

  async create(ctx: RequestContext, merchantId: string, productId: string, input: VariantInputDto): Promise<VariantDto> {
    const variant = await this.mutate(merchantId, productId, async ({ manager, currency }) => {
      const repo = MerchantScopedRepository.for(manager, ProductVariant);
      await this.assertSkuFree(manager, merchantId, input.sku);
      const attributes = normalizeAttributes(input.attributes);
      const existing = await repo.find(merchantId, { where: { productId, deletedAt: IsNull() } });
      // Compared key by key: jsonb hands keys back in its own order, not the order they were sent in.
      if (existing.some((v) => !v.isDefault && sameAttributes(v.attributes, attributes))) {
        throw new ConflictError('A variant with these attributes already exists', { attributes });
      }
      // The implicit default variant becomes an ordinary one once the product has explicit variants.
      for (const v of existing.filter((x) => x.isDefault)) await repo.save(merchantId, { ...v, isDefault: false });
      const saved = await repo.save(merchantId, {
        productId,
        sku: input.sku ?? null,
        price: input.price === undefined || input.price === null ? null : moneyField(input.price, currency, 'price'),
        stock: input.stock ?? 0,
        status: input.status ?? 'active',
        attributes,
        isDefault: false,
        position: input.position ?? existing.length,
      });
      await this.savePrices(manager, merchantId, productId, saved.id, input);
      // Stock lives in inventory_levels: every unit enters through the inventory ledger.
      await this.inventory.setVariantStock(manager, ctx, merchantId, [{ productId, variantId: saved.id, quantity: input.stock ?? 0 }], 'adjustment', 'initial stock (variant created)');
      await this.audit.record(manager, ctx, { action: 'variant.create', entityType: 'product_variant', entityId: saved.id, merchantId, after: { ...saved } });
      return saved;
    });
    return (await this.views(merchantId, productId, [variant]))[0];
  }

  async update(ctx: RequestContext, merchantId: string, productId: string, variantId: string, input: VariantInputDto): Promise<VariantDto> {
    const variant = await this.mutate(merchantId, productId, async ({ manager, currency }) => {
      const repo = MerchantScopedRepository.for(manager, ProductVariant);
      const row = await repo.getById(merchantId, variantId, { lock: true });
      if (row.productId !== productId || row.deletedAt) throw new NotFoundError('Variant', variantId);
      const before = { ...row };
      if (input.sku !== undefined) {
        await this.assertSkuFree(manager, merchantId, input.sku, row.id);
        row.sku = input.sku;
      }
      if (input.price !== undefined) row.price = input.price === null ? null : moneyField(input.price, currency, 'price');
      if (input.stock !== undefined) {
        // Through the inventory ledger; refused (409) below what is reserved for orders.
        await this.inventory.setVariantStock(manager, ctx, merchantId, [{ productId, variantId: row.id, quantity: input.stock }], 'adjustment', 'stock set (variant update)');
        row.stock = input.stock;
      }
      if (input.status !== undefined) row.status = input.status;
      if (input.attributes !== undefined) {
        const attributes = normalizeAttributes(input.attributes);
        const siblings = await repo.find(merchantId, { where: { productId, deletedAt: IsNull() } });
        if (siblings.some((v) => v.id !== row.id && sameAttributes(v.attributes, attributes))) {
          throw new ConflictError('A variant with these attributes already exists', { attributes });
        }
        row.attributes = attributes;
      }
      if (input.position !== undefined) row.position = input.position;
      const saved = await repo.save(merchantId, row);
      await this.savePrices(manager, merchantId, productId, saved.id, input);
      await this.audit.record(manager, ctx, { action: 'variant.update', entityType: 'product_variant', entityId: saved.id, merchantId, before, after: { ...saved } });
      return saved;
    });
    return (await this.views(merchantId, productId, [variant]))[0];
  }

  async remove(ctx: RequestContext, merchantId: string, productId: string, variantId: string): Promise<void> {
    await this.mutate(merchantId, productId, async ({ manager }) => {
      const repo = MerchantScopedRepository.for(manager, ProductVariant);
      const row = await repo.getById(merchantId, variantId, { lock: true });
      if (row.productId !== productId || row.deletedAt) throw new NotFoundError('Variant', variantId);
      const remaining = await repo.count(merchantId, { productId, deletedAt: IsNull() });
      if (remaining <= 1) throw new ConflictError('A product keeps at least one variant; delete the product instead');
      await repo.save(merchantId, { ...row, deletedAt: new Date() });
      await this.audit.record(manager, ctx, { action: 'variant.delete', entityType: 'product_variant', entityId: variantId, merchantId, before: { deletedAt: null }, after: { deletedAt: new Date() } });
    });
  }
}
