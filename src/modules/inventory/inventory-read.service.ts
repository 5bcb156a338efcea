import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull } from 'typeorm';
import { MerchantScopedRepository, NotFoundError, Page, PageRequest, toPage } from '@app/common';
import { ProductVariant } from '../catalog/entities/product-variant.entity';
import { Product } from '../catalog/entities/product.entity';
import { InventoryLevel } from './entities/inventory-level.entity';
import { InventoryMovement, MovementType } from './entities/inventory-movement.entity';
import { StockLocation } from './entities/stock-location.entity';
import { InventoryService } from './inventory.service';
import {
  LocationDto,
  LowStockItemDto,
  MovementDto,
  ProductInventoryDto,
  VariantInventoryDto,
} from './dto/inventory.dto';

const movementView = (m: InventoryMovement): MovementDto => ({
  id: m.id,
  seq: Number(m.seq),
  type: m.type,
  product_id: m.productId,
  variant_id: m.variantId,
  location_id: m.locationId,
  quantity: m.quantity,
  on_hand_delta: m.onHandDelta,
  reserved_delta: m.reservedDelta,
  on_hand_after: m.onHandAfter,
  reserved_after: m.reservedAfter,
  reason: m.reason,
  reference: m.reference,
  reservation_id: m.reservationId,
  actor: { type: m.actorType, id: m.actorId },
  request_id: m.requestId,
  created_at: m.createdAt.toISOString(),
});

/** The read side of /api/inventory: levels per product, the ledger, low-stock items, locations. */
@Injectable()
export class InventoryReadService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly inventory: InventoryService,
  ) {}

  private async liveProduct(merchantId: string, productId: string): Promise<Product> {
    const product = await MerchantScopedRepository.for(this.dataSource.manager, Product).getById(merchantId, productId);
    if (product.deletedAt) throw new NotFoundError('Product', productId);
    return product;
  }

  /** GET /inventory/{product_id}: every live variant with its levels (a variant with none shows 0). */
  async productLevels(merchantId: string, productId: string): Promise<ProductInventoryDto> {
    const product = await this.liveProduct(merchantId, productId);
    const manager = this.dataSource.manager;
    const [variants, levels, locations] = await Promise.all([
      MerchantScopedRepository.for(manager, ProductVariant).find(merchantId, {
        where: { productId: product.id, deletedAt: IsNull() },
        select: { id: true, sku: true, attributes: true, isDefault: true, position: true, merchantId: true },
        order: { position: 'ASC', createdAt: 'ASC' },
      }),
      MerchantScopedRepository.for(manager, InventoryLevel).find(merchantId, { where: { productId: product.id } }),
      MerchantScopedRepository.for(manager, StockLocation).find(merchantId, { order: { isDefault: 'DESC', name: 'ASC' } }),
    ]);
    const locationById = new Map(locations.map((l) => [l.id, l]));
    const threshold = product.lowStockThreshold;
    const items: VariantInventoryDto[] = variants.map((v) => {
      const own = levels.filter((l) => l.variantId === v.id).sort((a, b) => Number(locationById.get(b.locationId)?.isDefault ?? false) - Number(locationById.get(a.locationId)?.isDefault ?? false));
      const onHand = own.reduce((s, l) => s + l.onHand, 0);
      const reserved = own.reduce((s, l) => s + l.reserved, 0);
      return {
        variant_id: v.id,
        sku: v.sku,
        attributes: v.attributes,
        is_default: v.isDefault,
        on_hand: onHand,
        reserved,
        available: onHand - reserved,
        low_stock_threshold: threshold,
        low_stock: product.trackInventory && threshold !== null && onHand - reserved <= threshold,
        allow_backorder: own.some((l) => l.allowBackorder),
        locations: own.map((l) => ({
          location_id: l.locationId,
          location_name: locationById.get(l.locationId)?.name ?? null,
          is_default: locationById.get(l.locationId)?.isDefault ?? false,
          on_hand: l.onHand,
          reserved: l.reserved,
          available: l.onHand - l.reserved,
          allow_backorder: l.allowBackorder,
        })),
      };
    });
    const onHand = items.reduce((s, v) => s + v.on_hand, 0);
    const reserved = items.reduce((s, v) => s + v.reserved, 0);
    return {
      product_id: product.id,
      name: product.name,
      track_inventory: product.trackInventory,
      low_stock_threshold: threshold,
      on_hand: onHand,
      reserved,
      available: onHand - reserved,
      variants: items,
    };
  }

  /** GET /inventory/products/{id}/history: the product's ledger, newest first. */
  async history(merchantId: string, productId: string, filter: { variantId?: string; type?: MovementType }, page: PageRequest): Promise<Page<MovementDto>> {
    const product = await MerchantScopedRepository.for(this.dataSource.manager, Product).getById(merchantId, productId);
    const [rows, total] = await MerchantScopedRepository.for(this.dataSource.manager, InventoryMovement).findAndCount(merchantId, {
      where: { productId: product.id, ...(filter.variantId ? { variantId: filter.variantId } : {}), ...(filter.type ? { type: filter.type } : {}) },
      order: { seq: 'DESC' },
      skip: page.offset,
      take: page.limit,
    });
    return toPage(rows.map(movementView), total, page);
  }

  /**
   * GET /inventory/low-stock: levels of tracked, live products whose available quantity is at or
   * below `threshold` (when given) or their product's own low_stock_threshold; lowest first.
   */
  async lowStock(merchantId: string, threshold: number | undefined, page: PageRequest): Promise<Page<LowStockItemDto>> {
    const where = `l.merchant_id = $1 AND p.deleted_at IS NULL AND v.deleted_at IS NULL AND p.track_inventory
      AND (l.on_hand - l.reserved) <= coalesce($2::int, p.low_stock_threshold)`;
    const from = `FROM inventory_levels l JOIN products p ON p.id = l.product_id JOIN product_variants v ON v.id = l.variant_id JOIN stock_locations s ON s.id = l.location_id`;
    const params = [merchantId, threshold ?? null];
    const [rows, [{ total }]] = await Promise.all([
      this.dataSource.query(
        `SELECT l.product_id, p.name AS product_name, l.variant_id, v.sku, v.attributes, l.location_id, s.name AS location_name,
                l.on_hand, l.reserved, p.low_stock_threshold
           ${from} WHERE ${where}
          ORDER BY (l.on_hand - l.reserved) ASC, p.name ASC, v.position ASC, l.id ASC
          LIMIT $3 OFFSET $4`,
        [...params, page.limit, page.offset],
      ) as Promise<Record<string, unknown>[]>,
      this.dataSource.query(`SELECT count(*)::int AS total ${from} WHERE ${where}`, params) as Promise<{ total: number }[]>,
    ]);
    const items: LowStockItemDto[] = rows.map((r) => ({
      product_id: r.product_id as string,
      product_name: r.product_name as string,
      variant_id: r.variant_id as string,
      sku: (r.sku as string | null) ?? null,
      attributes: r.attributes as Record<string, string>,
      location_id: r.location_id as string,
      location_name: r.location_name as string,
      on_hand: Number(r.on_hand),
      reserved: Number(r.reserved),
      available: Number(r.on_hand) - Number(r.reserved),
      low_stock_threshold: r.low_stock_threshold === null ? null : Number(r.low_stock_threshold),
    }));
    return toPage(items, total, page);
  }

  async locations(merchantId: string): Promise<LocationDto[]> {
    await this.inventory.defaultLocation(this.dataSource.manager, merchantId);
    const rows = await MerchantScopedRepository.for(this.dataSource.manager, StockLocation).find(merchantId, { order: { isDefault: 'DESC', name: 'ASC' } });
    return rows.map(locationView);
  }
}

export const locationView = (l: StockLocation): LocationDto => ({ id: l.id, name: l.name, is_default: l.isDefault, created_at: l.createdAt.toISOString() });
