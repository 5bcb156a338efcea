import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import {
  APP_CONFIG,
  AppConfig,
  ConflictError,
  ErrorCode,
  insertRowsStatement,
  isUuid,
  Jobs,
  MerchantScopedRepository,
  NotFoundError,
  OUTBOX_CHANNEL,
  OutboxService,
  pipelineOf,
  preparedQuery,
  RequestContext,
  runAfterCommit,
  sendStatement,
  ValidationError,
} from '@app/common';
import { AuditService } from '../audit/audit.service';
import { CatalogVersionService } from '../catalog/catalog-version.service';
import { ProductVariant } from '../catalog/entities/product-variant.entity';
import { Product } from '../catalog/entities/product.entity';
import { InventoryIdempotencyKey } from './entities/inventory-idempotency-key.entity';
import { MAX_QUANTITY } from './entities/inventory-level.entity';
import { InventoryMovement, MovementType } from './entities/inventory-movement.entity';
import { InventoryReservation, InventoryReservationLine } from './entities/inventory-reservation.entity';
import { StockLocation } from './entities/stock-location.entity';
import { applyChange, byVariantThenLocation, isLowStock, LevelChange, LockedLevel, MovementDraft } from './level-changes';

export const DEFAULT_LOCATION_NAME = 'Default';
export const MAX_RESERVATION_LINES = 100;
export const MAX_BATCH_ITEMS = 500;
export const MAX_TTL_SECONDS = 7 * 24 * 3600;

/** A level after a change, as the routes answer it. */
export interface LevelState {
  product_id: string;
  variant_id: string;
  location_id: string;
  sku: string | null;
  on_hand: number;
  reserved: number;
  available: number;
  allow_backorder: boolean;
}

export interface ReservationView {
  id: string;
  reference: string;
  status: string;
  expires_at: string;
  closed_at: string | null;
  created_at: string;
  lines: { product_id: string; variant_id: string; quantity: number; location_id: string | null; tracked: boolean }[];
}

export interface ReserveItem {
  variantId: string;
  quantity: number;
}

export interface StockEntry {
  productId: string;
  variantId?: string | null;
  locationId?: string | null;
  mode: 'set' | 'adjust';
  quantity: number;
  reason: string;
  allowBackorder?: boolean;
}

interface Actor {
  actorType: string;
  actorId: string | null;
  requestId: string | null;
}

interface LiveVariant {
  id: string;
  productId: string;
  sku: string | null;
  isDefault: boolean;
  trackInventory: boolean;
}

/** A stock location's row with one of the asked variants' level there (none: id and variant_id null). */
interface DefaultLevelRow {
  location_id: string;
  id: string | null;
  variant_id: string | null;
}

/**
 * Reads of the default location's levels started early in a transaction (prefetchReservationLevels),
 * by the transaction's manager, which lives for one transaction and is then dropped.
 */
const prefetchedLevels = new WeakMap<EntityManager, { merchantId: string; variantIds: Set<string>; rows: Promise<DefaultLevelRow[]> }>();

/** The merchant's default location with its levels of these variants (a prepared statement: every checkout runs it). */
function defaultLevels(manager: EntityManager, merchantId: string, variantIds: string[]): Promise<DefaultLevelRow[]> {
  return preparedQuery<DefaultLevelRow>(
    manager,
    `SELECT s.id AS location_id, l.id, l.variant_id
       FROM stock_locations s
       LEFT JOIN inventory_levels l ON l.location_id = s.id AND l.merchant_id = s.merchant_id AND l.variant_id = ANY($2::uuid[])
      WHERE s.merchant_id = $1 AND s.is_default`,
    [merchantId, variantIds],
  );
}

/**
 * holdForNewOrder's levels, in one statement: locked in variant order (as applyChanges locks
 * them, so two checkouts never deadlock), refused with the first line that cannot be held (the
 * 422 and 409 of applyChange, in its order), else reserved with their movements, the low-stock
 * flag (isLowStock) and an alert for each level that just became low (its payload as
 * applyChanges publishes it). Every write waits on the refusal, so none can trip a constraint
 * first; api_error raises the refusal.
 */
const HOLD_LEVELS_SQL = `
  WITH wanted AS (
    SELECT * FROM unnest($2::uuid[], $3::int[]) AS w(level_id, quantity)
  ), locked AS (
    SELECT l.id, l.product_id, l.variant_id, l.location_id, l.on_hand, l.reserved, w.quantity, l.reserved + w.quantity AS reserved_after,
           l.allow_backorder, l.low_stock_alerted, p.low_stock_threshold, v.sku,
           p.track_inventory AND p.low_stock_threshold IS NOT NULL AND l.on_hand - l.reserved - w.quantity <= p.low_stock_threshold AS low
      FROM inventory_levels l
      JOIN wanted w ON w.level_id = l.id
      JOIN products p ON p.id = l.product_id
      JOIN product_variants v ON v.id = l.variant_id
     WHERE l.merchant_id = $1
     ORDER BY l.variant_id, l.location_id
       FOR UPDATE OF l
  ), refusal AS (
    SELECT CASE
             WHEN k.reserved_after > $12 THEN jsonb_build_object(
               'status', 422, 'code', '${ErrorCode.Validation}', 'message', format('quantity: the level would exceed %s units', $12),
               'detail', jsonb_build_object('fields', jsonb_build_object('quantity', jsonb_build_array(format('the level would exceed %s units', $12)))))
             ELSE jsonb_build_object(
               'status', 409, 'code', '${ErrorCode.OutOfStock}',
               'message', format('Insufficient stock for variant %s: %s available, %s requested', k.variant_id, greatest(k.on_hand - k.reserved, 0), k.quantity),
               'detail', jsonb_build_object('reason', 'insufficient_stock', 'product_id', k.product_id, 'variant_id', k.variant_id, 'location_id', k.location_id,
                                            'available', greatest(k.on_hand - k.reserved, 0), 'requested', k.quantity))
           END AS error
      FROM locked k
     WHERE k.reserved_after > $12 OR (NOT k.allow_backorder AND k.reserved_after > k.on_hand)
     ORDER BY k.variant_id, k.location_id
     LIMIT 1
  ), missing AS (
    SELECT jsonb_build_object('status', 404, 'code', '${ErrorCode.NotFound}', 'message', 'Inventory level not found', 'detail', jsonb_build_object('entity', 'Inventory level')) AS error
     WHERE (SELECT count(*) FROM locked) < cardinality($2::uuid[])
  ), changed AS (
    UPDATE inventory_levels t SET reserved = k.reserved_after, low_stock_alerted = k.low, updated_at = now()
      FROM locked k
     WHERE t.id = k.id AND NOT EXISTS (SELECT 1 FROM refusal) AND NOT EXISTS (SELECT 1 FROM missing)
    RETURNING t.id
  ), movements AS (
    INSERT INTO inventory_movements (merchant_id, product_id, variant_id, location_id, level_id, type, quantity, on_hand_delta, reserved_delta,
                                     on_hand_after, reserved_after, reason, actor_type, actor_id, reference, reservation_id, request_id)
    SELECT $1, k.product_id, k.variant_id, k.location_id, k.id, 'reservation', k.quantity, 0, k.quantity, k.on_hand, k.reserved_after, NULL, $6, $7, $5, $4, $8
      FROM locked k JOIN changed c ON c.id = k.id
     ORDER BY k.variant_id, k.location_id
  ), alerts AS (
    INSERT INTO outbox_events (queue, name, payload, available_at)
    SELECT $9, $10, jsonb_build_object('merchant_id', $1::uuid, 'product_id', k.product_id, 'variant_id', k.variant_id, 'location_id', k.location_id, 'sku', k.sku,
                                       'on_hand', k.on_hand, 'reserved', k.reserved_after, 'available', k.on_hand - k.reserved_after, 'threshold', k.low_stock_threshold), now()
      FROM locked k JOIN changed c ON c.id = k.id
     WHERE k.low AND NOT k.low_stock_alerted
     ORDER BY k.variant_id, k.location_id
    RETURNING id
  )
  SELECT (SELECT api_error(error) FROM missing), (SELECT api_error(error) FROM refusal),
         (SELECT pg_notify($11, min(id::text)) FROM alerts HAVING count(*) > 0)`;

type ReservedLine = { variant: Pick<LiveVariant, 'id' | 'productId' | 'trackInventory'>; quantity: number };

/** A reservation's lines, in variant order (the order levels are locked in, so two reservations never deadlock). */
const byVariantId = (a: ReservedLine, b: ReservedLine) => (a.variant.id < b.variant.id ? -1 : a.variant.id > b.variant.id ? 1 : 0);

/** The INSERT of a reservation's lines, for a larger statement whose own parameters are $1–$4 (the lines are $5). */
function reservationLinesStatement(manager: EntityManager, merchantId: string, reservationId: string, lines: ReservedLine[], locationId: string, levelOf: (variantId: string) => string) {
  return insertRowsStatement(
    manager,
    InventoryReservationLine,
    lines.map((l) => ({
      merchantId,
      reservationId,
      productId: l.variant.productId,
      variantId: l.variant.id,
      levelId: l.variant.trackInventory ? levelOf(l.variant.id) : null,
      locationId: l.variant.trackInventory ? locationId : null,
      quantity: l.quantity,
    })),
    ['merchantId', 'reservationId', 'productId', 'variantId', 'levelId', 'locationId', 'quantity'],
    5,
  );
}

const actorOf = (ctx: RequestContext | null): Actor => {
  const p = ctx?.principal ?? null;
  return {
    actorType: p ? p.kind : 'system',
    actorId: p ? (p.kind === 'api_key' ? (p.apiKeyId ?? null) : p.userId) : null,
    requestId: ctx?.requestId ?? null,
  };
};

const withoutBackorder = ({ allow_backorder: _backorder, ...state }: LevelState) => state;

const stateOf = (l: LockedLevel): LevelState => ({
  product_id: l.productId,
  variant_id: l.variantId,
  location_id: l.locationId,
  sku: l.sku,
  on_hand: l.onHand,
  reserved: l.reserved,
  available: l.onHand - l.reserved,
  allow_backorder: l.allowBackorder,
});

const MOVEMENT_COLUMNS = [
  'id',
  'merchantId',
  'productId',
  'variantId',
  'locationId',
  'levelId',
  'type',
  'quantity',
  'onHandDelta',
  'reservedDelta',
  'onHandAfter',
  'reservedAfter',
  'reason',
  'actorType',
  'actorId',
  'reference',
  'reservationId',
  'requestId',
] as const;

function assertQuantity(value: unknown, field: string, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > MAX_QUANTITY) {
    throw new ValidationError(`${field}: must be an integer from ${min} to ${MAX_QUANTITY}`, { [field]: [`must be an integer from ${min} to ${MAX_QUANTITY}`] });
  }
  return value;
}

/**
 * Stock levels, the movement ledger, and reservations: every change of stock in the service goes
 * through here (the catalog's stock_quantity/stock and CSV import too).
 *
 * Concurrency: a change locks the levels it touches with ONE `SELECT … ORDER BY variant_id,
 * location_id FOR UPDATE`, so every transaction takes its level locks in the same global order and
 * two of them can never wait on each other in a cycle (no deadlock, whatever order the lines of an
 * order come in). Under the lock the new values are computed and checked (applyChange), written with
 * one UPDATE, and each change appends its movement row, so `on_hand = sum(on_hand_delta)` per level
 * by construction. Anything refused throws and the whole transaction rolls back: a reservation of
 * several lines is all or nothing. The CHECK constraints on inventory_levels stay as the backstop.
 * Reservations are locked (FOR UPDATE) before their levels, so commit, release and expiry of one
 * reservation serialize and each happens once.
 */
@Injectable()
export class InventoryService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly catalogVersions: CatalogVersionService,
  ) {}

  /** For reads outside a transaction. */
  readManager(): EntityManager {
    return this.dataSource.manager;
  }

  /** Runs in the caller's transaction when given one, else in a new one. */
  private inTransaction<T>(manager: EntityManager | undefined, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return manager?.queryRunner?.isTransactionActive ? work(manager) : this.dataSource.transaction(work);
  }

  // --- locations and levels -------------------------------------------------------------------

  /** The merchant's default stock location, created on first use. */
  async defaultLocation(manager: EntityManager, merchantId: string): Promise<StockLocation> {
    const locations = MerchantScopedRepository.for(manager, StockLocation);
    const found = await locations.findOneBy(merchantId, { isDefault: true });
    if (found) return found;
    await manager.query(`INSERT INTO stock_locations (merchant_id, name, is_default) VALUES ($1, $2, true) ON CONFLICT DO NOTHING`, [merchantId, DEFAULT_LOCATION_NAME]);
    const created = await locations.findOneBy(merchantId, { isDefault: true });
    if (!created) throw new ConflictError(`A location named "${DEFAULT_LOCATION_NAME}" exists but is not the default; rename it`);
    return created;
  }

  /** A location of this merchant (404 for another merchant's), or the default one. */
  async location(manager: EntityManager, merchantId: string, locationId?: string | null): Promise<StockLocation> {
    if (!locationId) return this.defaultLocation(manager, merchantId);
    return MerchantScopedRepository.for(manager, StockLocation).getById(merchantId, locationId);
  }

  async createLocation(ctx: RequestContext, merchantId: string, name: string): Promise<StockLocation> {
    return this.dataSource.transaction(async (manager) => {
      await this.defaultLocation(manager, merchantId);
      const repo = MerchantScopedRepository.for(manager, StockLocation);
      if (await repo.findOneBy(merchantId, { name })) throw new ConflictError(`A location named "${name}" already exists`, { field: 'name' });
      const saved = await repo.save(merchantId, { name, isDefault: false });
      await this.audit.record(manager, ctx, { action: 'inventory.location.create', entityType: 'stock_location', entityId: saved.id, merchantId, after: { name } });
      return saved;
    });
  }

  /**
   * The level ids of (variant, location) pairs, creating missing levels at 0 (a level at 0 needs no
   * movement: the sum of none is 0). Inserted in canonical order, like the locks.
   */
  private async levelIds(manager: EntityManager, merchantId: string, pairs: { productId: string; variantId: string; locationId: string }[]): Promise<Map<string, string>> {
    const unique = [...new Map(pairs.map((p) => [`${p.variantId}/${p.locationId}`, p])).values()].sort(byVariantThenLocation);
    if (!unique.length) return new Map();
    const variantIds = unique.map((p) => p.variantId);
    const locationIds = unique.map((p) => p.locationId);
    const read = async (): Promise<Map<string, string>> => {
      const rows = await preparedQuery<{ id: string; variant_id: string; location_id: string }>(
        manager,
        `SELECT l.id, l.variant_id, l.location_id FROM inventory_levels l
           JOIN unnest($2::uuid[], $3::uuid[]) AS u(variant_id, location_id) ON u.variant_id = l.variant_id AND u.location_id = l.location_id
          WHERE l.merchant_id = $1`,
        [merchantId, variantIds, locationIds],
      );
      return new Map(rows.map((r) => [`${r.variant_id}/${r.location_id}`, r.id]));
    };
    // Usually every level exists (a sale, a reservation): one read, no write.
    const existing = await read();
    if (existing.size === unique.length) return existing;
    await manager.query(
      `INSERT INTO inventory_levels (merchant_id, product_id, variant_id, location_id)
       SELECT $1, u.product_id, u.variant_id, u.location_id FROM unnest($2::uuid[], $3::uuid[], $4::uuid[]) AS u(product_id, variant_id, location_id)
        ORDER BY u.variant_id, u.location_id
       ON CONFLICT (variant_id, location_id) DO NOTHING`,
      [merchantId, unique.map((p) => p.productId), variantIds, locationIds],
    );
    return read();
  }

  /**
   * The heart of it: locks the levels (one statement, canonical order), applies the changes in
   * memory in the order given (callers sort them canonically; changes to one level keep their
   * relative order), writes the new levels and the movements, and publishes a low-stock alert for
   * each level that crossed its threshold (or clears the flag of one back above it).
   */
  private async applyChanges(manager: EntityManager, merchantId: string, changes: LevelChange[], actor: Actor): Promise<{ levels: Map<string, LockedLevel>; movements: (MovementDraft & { id: string })[] }> {
    const ids = [...new Set(changes.map((c) => c.levelId))];
    if (!ids.length) return { levels: new Map(), movements: [] };
    const rows = await preparedQuery(
      manager,
      `SELECT l.id, l.product_id, l.variant_id, l.location_id, l.on_hand, l.reserved, l.allow_backorder, l.low_stock_alerted,
              p.low_stock_threshold, p.track_inventory, v.sku
         FROM inventory_levels l
         JOIN products p ON p.id = l.product_id
         JOIN product_variants v ON v.id = l.variant_id
        WHERE l.merchant_id = $1 AND l.id = ANY($2::uuid[])
        ORDER BY l.variant_id, l.location_id
          FOR UPDATE OF l`,
      [merchantId, ids],
    );
    const levels = new Map<string, LockedLevel>(
      rows.map((r) => [
        r.id as string,
        {
          id: r.id as string,
          productId: r.product_id as string,
          variantId: r.variant_id as string,
          locationId: r.location_id as string,
          sku: (r.sku as string | null) ?? null,
          onHand: Number(r.on_hand),
          reserved: Number(r.reserved),
          allowBackorder: Boolean(r.allow_backorder),
          lowStockAlerted: Boolean(r.low_stock_alerted),
          lowStockThreshold: r.low_stock_threshold === null ? null : Number(r.low_stock_threshold),
          trackInventory: Boolean(r.track_inventory),
        },
      ]),
    );
    const missing = ids.find((id) => !levels.has(id));
    if (missing) throw new NotFoundError('Inventory level', missing);

    const before = new Map([...levels].map(([id, l]) => [id, { ...l }]));
    const movements: (MovementDraft & { id: string })[] = [];
    for (const change of changes) {
      const draft = applyChange(levels.get(change.levelId)!, change);
      if (draft) movements.push({ ...draft, id: randomUUID() });
    }

    const alerts: LockedLevel[] = [];
    const touched = [...levels.values()].filter((l) => {
      const was = before.get(l.id)!;
      const low = isLowStock(l);
      if (low !== l.lowStockAlerted) {
        if (low) alerts.push(l);
        l.lowStockAlerted = low;
      }
      return was.onHand !== l.onHand || was.reserved !== l.reserved || was.allowBackorder !== l.allowBackorder || was.lowStockAlerted !== l.lowStockAlerted;
    });
    // The new levels and their movements in one statement: the levels stay locked until the commit,
    // so every round trip saved here is time other writers of these levels do not wait.
    const update = {
      sql: `UPDATE inventory_levels t
               SET on_hand = u.on_hand, reserved = u.reserved, allow_backorder = u.allow_backorder, low_stock_alerted = u.alerted, updated_at = now()
              FROM unnest($2::uuid[], $3::int[], $4::int[], $5::bool[], $6::bool[]) AS u(id, on_hand, reserved, allow_backorder, alerted)
             WHERE t.id = u.id AND t.merchant_id = $1`,
      parameters: [merchantId, touched.map((l) => l.id), touched.map((l) => l.onHand), touched.map((l) => l.reserved), touched.map((l) => l.allowBackorder), touched.map((l) => l.lowStockAlerted)],
    };
    const insert = movements.length
      ? insertRowsStatement(
          manager,
          InventoryMovement,
          movements.map((m) => ({
            id: m.id,
            merchantId,
            productId: m.level.productId,
            variantId: m.level.variantId,
            locationId: m.level.locationId,
            levelId: m.level.id,
            type: m.change.type,
            quantity: m.quantity,
            onHandDelta: m.onHandDelta,
            reservedDelta: m.reservedDelta,
            onHandAfter: m.onHandAfter,
            reservedAfter: m.reservedAfter,
            reason: m.change.reason,
            actorType: actor.actorType,
            actorId: actor.actorId,
            reference: m.change.reference ?? null,
            reservationId: m.change.reservationId ?? null,
            requestId: actor.requestId,
          })),
          MOVEMENT_COLUMNS,
          touched.length ? update.parameters.length + 1 : 1,
        )
      : null;
    // Nothing here needs its answer: in a pipelined transaction (the checkout's) it is not waited for.
    if (touched.length && insert) await sendStatement(manager, `WITH changed AS (${update.sql}) ${insert.sql}`, [...update.parameters, ...insert.parameters]);
    else if (touched.length) await sendStatement(manager, update.sql, update.parameters);
    else if (insert) await sendStatement(manager, insert.sql, insert.parameters);
    // The storefront shows on_hand (stock_quantity) under an ETag built from the store's catalog
    // version: a change to it must end those ETags, once the change is visible to other readers.
    if (touched.some((l) => l.onHand !== before.get(l.id)!.onHand)) runAfterCommit(manager, () => this.catalogVersions.bump(merchantId));
    // One statement and one notification for all of them (a CSV import chunk can cross hundreds).
    await this.outbox.publishMany(
      manager,
      alerts.map((l) => ({
        job: Jobs.LowStockAlert,
        payload: { merchant_id: merchantId, ...withoutBackorder(stateOf(l)), threshold: l.lowStockThreshold! },
      })),
    );
    return { levels, movements };
  }

  // --- variants -------------------------------------------------------------------------------

  /** Live variants of live products of this merchant; 404 naming the first unknown one. */
  private async liveVariants(manager: EntityManager, merchantId: string, variantIds: string[]): Promise<Map<string, LiveVariant>> {
    const bad = variantIds.find((id) => !isUuid(id));
    if (bad !== undefined) throw new NotFoundError('Variant', String(bad).slice(0, 64));
    const ids = [...new Set(variantIds.map((id) => id.toLowerCase()))];
    const rows: { id: string; product_id: string; sku: string | null; is_default: boolean; track_inventory: boolean }[] = await manager.query(
      `SELECT v.id, v.product_id, v.sku, v.is_default, p.track_inventory
         FROM product_variants v
         JOIN products p ON p.id = v.product_id AND p.merchant_id = v.merchant_id AND p.deleted_at IS NULL
        WHERE v.merchant_id = $1 AND v.id = ANY($2::uuid[]) AND v.deleted_at IS NULL`,
      [merchantId, ids],
    );
    const live = new Map<string, LiveVariant>(rows.map((r) => [r.id, { id: r.id, productId: r.product_id, sku: r.sku, isDefault: r.is_default, trackInventory: r.track_inventory }]));
    const unknown = ids.find((id) => !live.has(id));
    if (unknown) throw new NotFoundError('Variant', unknown);
    return live;
  }

  /** A live product of this merchant (404 otherwise) with its live variants. */
  private async productWithVariants(manager: EntityManager, merchantId: string, productId: string): Promise<{ product: Product; variants: ProductVariant[] }> {
    const product = await MerchantScopedRepository.for(manager, Product).getById(merchantId, productId);
    if (product.deletedAt) throw new NotFoundError('Product', productId);
    const variants = await MerchantScopedRepository.for(manager, ProductVariant).find(merchantId, {
      where: { productId: product.id, deletedAt: IsNull() },
      select: { id: true, productId: true, sku: true, isDefault: true, merchantId: true },
    });
    return { product, variants };
  }

  /** The variant named by `variantId`, or the product's default (or only) variant. */
  private pickVariant(loaded: { product: Product; variants: ProductVariant[] }, variantId: string | null | undefined, field: string): LiveVariant {
    const { product, variants } = loaded;
    let variant: ProductVariant | undefined;
    if (variantId) {
      variant = isUuid(variantId) ? variants.find((v) => v.id === variantId.toLowerCase()) : undefined;
      if (!variant) throw new NotFoundError('Variant', String(variantId).slice(0, 64));
    } else {
      variant = variants.find((v) => v.isDefault) ?? (variants.length === 1 ? variants[0] : undefined);
      if (!variant) throw new ValidationError(`${field}: this product has several variants; name one`, { [field]: ['is required for a product with several variants'] });
    }
    return { id: variant.id, productId: product.id, sku: variant.sku, isDefault: variant.isDefault, trackInventory: product.trackInventory };
  }

  private async variantOfProduct(manager: EntityManager, merchantId: string, productId: string, variantId: string | null | undefined, field = 'variant_id'): Promise<LiveVariant> {
    return this.pickVariant(await this.productWithVariants(manager, merchantId, productId), variantId, field);
  }

  // --- idempotency ----------------------------------------------------------------------------

  /**
   * Runs `work` once per (merchant, operation, key): the key row is inserted in the same transaction
   * as the change, so a concurrent retry waits for the first attempt and then finds its stored
   * response; a failed attempt rolls its key back and may be retried. The same key with another
   * body is refused (409).
   */
  private async idempotent<T extends object>(
    manager: EntityManager,
    merchantId: string,
    operation: string,
    key: string | undefined,
    input: unknown,
    work: () => Promise<T>,
  ): Promise<{ body: T; replayed: boolean }> {
    if (key === undefined) return { body: await work(), replayed: false };
    if (!/^[\x21-\x7e]{1,200}$/.test(key)) {
      throw new ValidationError('Idempotency-Key: 1 to 200 visible ASCII characters', { 'Idempotency-Key': ['must be 1 to 200 visible ASCII characters'] });
    }
    const hash = createHash('sha256').update(JSON.stringify(input)).digest('hex');
    const inserted: { id: string }[] = await manager.query(
      `INSERT INTO inventory_idempotency_keys (merchant_id, operation, key, request_hash, status, response) VALUES ($1, $2, $3, $4, 0, '{}')
       ON CONFLICT (merchant_id, operation, key) DO NOTHING RETURNING id`,
      [merchantId, operation, key, hash],
    );
    if (!inserted.length) {
      const stored = await MerchantScopedRepository.for(manager, InventoryIdempotencyKey).findOneBy(merchantId, { operation, key });
      if (!stored) throw new ConflictError('Idempotency-Key is being used by a request in progress; retry');
      if (stored.requestHash !== hash) {
        throw new ConflictError('Idempotency-Key was already used with a different request', { reason: 'idempotency_key_reused' });
      }
      return { body: stored.response as T, replayed: true };
    }
    const body = await work();
    await manager.query(`UPDATE inventory_idempotency_keys SET status = 200, response = $2, updated_at = now() WHERE id = $1`, [inserted[0].id, JSON.stringify(body)]);
    return { body, replayed: false };
  }

  // --- adjust, set, batch ---------------------------------------------------------------------

  /** PUT /inventory/products/{id}/stock: adds a (signed) delta to one variant's on_hand. */
  async adjustProductStock(
    ctx: RequestContext,
    merchantId: string,
    productId: string,
    input: { quantity: number; reason: string; variant_id?: string; location_id?: string },
    idempotencyKey?: string,
  ): Promise<{ body: LevelState & { movement_id: string | null }; replayed: boolean }> {
    assertQuantity(Math.abs(input.quantity), 'quantity', 0);
    return this.dataSource.transaction((manager) =>
      this.idempotent(manager, merchantId, 'stock.adjust', idempotencyKey, { productId, ...input }, async () => {
        const variant = await this.variantOfProduct(manager, merchantId, productId, input.variant_id);
        const location = await this.location(manager, merchantId, input.location_id);
        const ids = await this.levelIds(manager, merchantId, [{ productId: variant.productId, variantId: variant.id, locationId: location.id }]);
        const levelId = ids.get(`${variant.id}/${location.id}`)!;
        const { levels, movements } = await this.applyChanges(manager, merchantId, [{ levelId, op: { kind: 'adjust', delta: input.quantity }, type: 'adjustment', reason: input.reason }], actorOf(ctx));
        const level = levels.get(levelId)!;
        await this.audit.record(manager, ctx, {
          action: 'inventory.adjust',
          entityType: 'inventory_level',
          entityId: levelId,
          merchantId,
          before: { onHand: level.onHand - input.quantity },
          after: { onHand: level.onHand, reason: input.reason },
        });
        return { ...stateOf(level), movement_id: movements[0]?.id ?? null };
      }),
    );
  }

  /**
   * POST /inventory/update and the catalog's stock writes: set or adjust many levels in one
   * transaction, all or nothing. `type` is the ledger's movement type (adjustment, sync, import…).
   */
  async batchUpdate(
    ctx: RequestContext | null,
    merchantId: string,
    entries: StockEntry[],
    options: { manager?: EntityManager; type?: MovementType; idempotencyKey?: string; labelPrefix?: string } = {},
  ): Promise<{ body: { items: LevelState[]; movements: number }; replayed: boolean }> {
    if (!entries.length) throw new ValidationError('items: at least one item is required', { items: ['must not be empty'] });
    if (entries.length > MAX_BATCH_ITEMS) throw new ValidationError(`items: at most ${MAX_BATCH_ITEMS} items`, { items: [`must have at most ${MAX_BATCH_ITEMS} items`] });
    const prefix = options.labelPrefix ?? 'items';
    entries.forEach((e, i) => {
      assertQuantity(e.mode === 'set' ? e.quantity : Math.abs(e.quantity), `${prefix}.${i}.quantity`, 0);
      if (!isUuid(e.productId)) throw new NotFoundError('Product', String(e.productId).slice(0, 64));
    });
    return this.inTransaction(options.manager, (manager) =>
      this.idempotent(manager, merchantId, 'stock.batch', options.idempotencyKey, entries, async () => {
        // Each product and location is read once, however many items name it.
        const products = new Map<string, Awaited<ReturnType<InventoryService['productWithVariants']>>>();
        const locations = new Map<string, string>();
        const resolved: { entry: StockEntry; index: number; variant: LiveVariant; locationId: string }[] = [];
        for (const [index, entry] of entries.entries()) {
          const productKey = entry.productId.toLowerCase();
          if (!products.has(productKey)) products.set(productKey, await this.productWithVariants(manager, merchantId, entry.productId));
          const variant = this.pickVariant(products.get(productKey)!, entry.variantId, `${prefix}.${index}.variant_id`);
          const locationKey = entry.locationId ?? '';
          if (!locations.has(locationKey)) locations.set(locationKey, (await this.location(manager, merchantId, entry.locationId)).id);
          resolved.push({ entry, index, variant, locationId: locations.get(locationKey)! });
        }
        const ids = await this.levelIds(manager, merchantId, resolved.map((r) => ({ productId: r.variant.productId, variantId: r.variant.id, locationId: r.locationId })));
        // Stable sort: two items for one level apply in the order they were sent.
        const ordered = [...resolved].sort((a, b) => byVariantThenLocation({ variantId: a.variant.id, locationId: a.locationId }, { variantId: b.variant.id, locationId: b.locationId }));
        const changes: LevelChange[] = ordered.map(({ entry, index, variant, locationId }) => ({
          levelId: ids.get(`${variant.id}/${locationId}`)!,
          op: entry.mode === 'set' ? { kind: 'set', quantity: entry.quantity } : { kind: 'adjust', delta: entry.quantity },
          type: options.type ?? 'adjustment',
          reason: entry.reason,
          allowBackorder: entry.allowBackorder,
          label: `${prefix}.${index}`,
        }));
        const { levels, movements } = await this.applyChanges(manager, merchantId, changes, actorOf(ctx));
        if (ctx?.principal && movements.length) {
          await this.audit.record(manager, ctx, {
            action: 'inventory.batch_update',
            entityType: 'inventory_level',
            merchantId,
            after: { movements: movements.map((m) => ({ variantId: m.level.variantId, locationId: m.level.locationId, onHandDelta: m.onHandDelta, onHandAfter: m.onHandAfter })) },
          });
        }
        return { items: resolved.map((r) => stateOf(levels.get(ids.get(`${r.variant.id}/${r.locationId}`)!)!)), movements: movements.length };
      }),
    );
  }

  /**
   * The catalog's side: a new variant's level at the default location with its initial stock, or a
   * new on_hand for existing variants (stock_quantity / stock, the CSV import), in the caller's
   * transaction, through the same ledger. Setting below what is reserved is refused (409).
   */
  async setVariantStock(manager: EntityManager, ctx: RequestContext | null, merchantId: string, entries: { productId: string; variantId: string; quantity: number }[], type: MovementType, reason: string): Promise<void> {
    if (!entries.length) return;
    entries.forEach((e, i) => assertQuantity(e.quantity, entries.length > 1 ? `variants.${i}.stock` : 'stock', 0));
    const location = await this.defaultLocation(manager, merchantId);
    const ids = await this.levelIds(manager, merchantId, entries.map((e) => ({ productId: e.productId, variantId: e.variantId, locationId: location.id })));
    const changes: LevelChange[] = [...entries]
      .sort((a, b) => byVariantThenLocation({ variantId: a.variantId, locationId: location.id }, { variantId: b.variantId, locationId: location.id }))
      .map((e) => ({ levelId: ids.get(`${e.variantId}/${location.id}`)!, op: { kind: 'set', quantity: e.quantity }, type, reason }));
    await this.applyChanges(manager, merchantId, changes, actorOf(ctx));
  }

  // --- reservations ---------------------------------------------------------------------------

  /**
   * Holds stock for an order: every line or none. Lines of one variant are summed; variants that
   * do not track inventory are always available (their lines hold nothing). The reference (the
   * order id; generated when absent) is unique per merchant: reserving again with the same
   * reference and lines returns the existing active reservation instead of holding twice.
   */
  async reserve(
    ctx: RequestContext | null,
    merchantId: string,
    items: ReserveItem[],
    options: {
      ttlSeconds?: number;
      reference?: string;
      locationId?: string;
      manager?: EntityManager;
    } = {},
  ): Promise<{ reservation: ReservationView; created: boolean }> {
    const { summed, ttl, reference } = this.reservationRequest(items, options.ttlSeconds, options.reference);

    return this.inTransaction(options.manager, async (manager) => {
      const variants = await this.liveVariants(manager, merchantId, [...summed.keys()]);
      const lines = [...summed]
        .map(([variantId, quantity]) => ({ variant: variants.get(variantId)!, quantity }))
        .sort(byVariantId);
      const tracked = lines.filter((l) => l.variant.trackInventory);
      const { location, ids } = await this.reservationLevels(manager, merchantId, options.locationId, tracked.map((l) => l.variant));

      const id = randomUUID();
      const levelOf = (variantId: string) => ids.get(`${variantId}/${location.id}`)!;
      // The reservation and its lines in one statement, before any level is locked (the lines need
      // only the level ids); the lines only when the reservation is new.
      const lineRows = reservationLinesStatement(manager, merchantId, id, lines, location.id, levelOf);
      const inserted = await preparedQuery<{ id: string; expires_at: Date; created_at: Date }>(
        manager,
        `WITH reservation AS (
           INSERT INTO inventory_reservations (id, merchant_id, reference, status, expires_at)
           VALUES ($1, $2, $3, 'active', now() + $4 * interval '1 second')
           ON CONFLICT (merchant_id, reference) DO NOTHING RETURNING id, expires_at, created_at
         ), lines AS (
           ${lineRows.sql} WHERE EXISTS (SELECT 1 FROM reservation)
         )
         SELECT id, expires_at, created_at FROM reservation`,
        [id, merchantId, reference ?? id, ttl, ...lineRows.parameters],
      );
      if (!inserted.length) {
        const existing = await this.reservationView(manager, merchantId, { reference: reference! });
        const same =
          existing.status === 'active' &&
          existing.lines.length === lines.length &&
          lines.every((l) => existing.lines.some((e) => e.variant_id === l.variant.id && e.quantity === l.quantity));
        if (same) return { reservation: existing, created: false };
        throw new ConflictError(`reference ${reference} already has a ${existing.status} reservation with other lines`, { reason: 'reference_in_use', reservation_id: existing.id, status: existing.status });
      }

      await this.applyChanges(
        manager,
        merchantId,
        tracked.map((l) => ({ levelId: levelOf(l.variant.id), op: { kind: 'reserve', quantity: l.quantity }, type: 'reservation', reason: null, reference: reference ?? id, reservationId: id })),
        actorOf(ctx),
      );
      await this.auditReservation(manager, ctx, merchantId, id, reference ?? id, lines, ttl);
      // The view of what was just written, without reading it back (lines are in variant order, as reservationView() lists them).
      const reservation: ReservationView = {
        id,
        reference: reference ?? id,
        status: 'active',
        expires_at: new Date(inserted[0].expires_at).toISOString(),
        closed_at: null,
        created_at: new Date(inserted[0].created_at).toISOString(),
        lines: lines.map((l) => ({ product_id: l.variant.productId, variant_id: l.variant.id, quantity: l.quantity, location_id: l.variant.trackInventory ? location.id : null, tracked: l.variant.trackInventory })),
      };
      return { reservation, created: true };
    });
  }

  /** A reservation's lines summed per variant, its TTL and reference, or the 4xx that refuses them. */
  private reservationRequest(items: ReserveItem[], ttlSeconds: number | undefined, reference: string | undefined): { summed: Map<string, number>; ttl: number; reference: string | null } {
    if (!Array.isArray(items) || !items.length) throw new ValidationError('items: at least one line is required', { items: ['must not be empty'] });
    if (items.length > MAX_RESERVATION_LINES) throw new ValidationError(`items: at most ${MAX_RESERVATION_LINES} lines`, { items: [`must have at most ${MAX_RESERVATION_LINES} lines`] });
    const summed = new Map<string, number>();
    items.forEach((item, i) => {
      assertQuantity(item.quantity, `items.${i}.quantity`, 1);
      if (!isUuid(item.variantId)) throw new NotFoundError('Variant', String(item.variantId).slice(0, 64));
      const id = item.variantId.toLowerCase();
      summed.set(id, (summed.get(id) ?? 0) + item.quantity);
    });
    for (const [variantId, quantity] of summed) {
      if (quantity > MAX_QUANTITY) throw new ValidationError(`items: ${quantity} units of ${variantId} exceed ${MAX_QUANTITY}`, { items: [`more than ${MAX_QUANTITY} units of one variant`] });
    }
    const ttl = ttlSeconds ?? this.config.inventory.reservationTtlSeconds;
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TTL_SECONDS) throw new ValidationError(`ttl_seconds: must be an integer from 1 to ${MAX_TTL_SECONDS}`, { ttl_seconds: ['out of range'] });
    if (reference !== undefined && (typeof reference !== 'string' || !reference.length || reference.length > 200)) {
      throw new ValidationError('reference: 1 to 200 characters', { reference: ['must be 1 to 200 characters'] });
    }
    return { summed, ttl, reference: reference ?? null };
  }

  /**
   * A new order's hold on stock (checkout), sent and not waited for: the reservation with its
   * lines, then ONE statement that locks the levels, checks them, takes the units and writes the
   * ledger and any low-stock alert, by the rules reserve() applies in this process (applyChange,
   * isLowStock). A line it cannot hold fails that statement with reserve()'s 409 (or 422) through
   * api_error, which aborts the transaction; so the caller sends its order and COMMIT in the same
   * flight, and the levels stay locked only while PostgreSQL runs them, not while this process
   * reads the levels and answers (with a few hot items every checkout waits for that lock).
   * Only in a pipelinedTransaction, at the default location, with `variants` read in it and a
   * reference the caller just made (the new order's id): a clash fails the transaction.
   */
  async holdForNewOrder(
    ctx: RequestContext | null,
    merchantId: string,
    items: ReserveItem[],
    options: { manager: EntityManager; reference: string; ttlSeconds?: number; variants: Map<string, Pick<LiveVariant, 'id' | 'productId' | 'trackInventory'>> },
  ): Promise<{ id: string; expiresAt: Date }> {
    const { manager } = options;
    if (!pipelineOf(manager.queryRunner)) throw new Error('holdForNewOrder: only in a pipelinedTransaction');
    const { summed, ttl } = this.reservationRequest(items, options.ttlSeconds, options.reference);
    const { reference } = options;
    const lines = [...summed]
      .map(([variantId, quantity]) => {
        const variant = options.variants.get(variantId);
        if (!variant) throw new NotFoundError('Variant', variantId);
        return { variant, quantity };
      })
      .sort(byVariantId);
    const tracked = lines.filter((l) => l.variant.trackInventory);
    const { location, ids } = await this.reservationLevels(manager, merchantId, undefined, tracked.map((l) => l.variant));
    const levelOf = (variantId: string) => ids.get(`${variantId}/${location.id}`)!;
    const id = randomUUID();
    const expiresAt = new Date(Date.now() + ttl * 1000);
    // Awaited before any level is locked (the audit row is written by TypeORM, outside the pipeline's failure tracking).
    await this.auditReservation(manager, ctx, merchantId, id, reference, lines, ttl);
    const lineRows = reservationLinesStatement(manager, merchantId, id, lines, location.id, levelOf);
    await sendStatement(
      manager,
      `WITH reservation AS (
         INSERT INTO inventory_reservations (id, merchant_id, reference, status, expires_at) VALUES ($1, $2, $3, 'active', $4)
       )
       ${lineRows.sql}`,
      [id, merchantId, reference, expiresAt, ...lineRows.parameters],
    );
    if (tracked.length) {
      const actor = actorOf(ctx);
      await sendStatement(manager, HOLD_LEVELS_SQL, [
        merchantId,
        tracked.map((l) => levelOf(l.variant.id)),
        tracked.map((l) => l.quantity),
        id,
        reference,
        actor.actorType,
        actor.actorId,
        actor.requestId,
        Jobs.LowStockAlert.queue,
        Jobs.LowStockAlert.name,
        OUTBOX_CHANNEL,
        MAX_QUANTITY,
      ]);
    }
    return { id, expiresAt };
  }

  /** A reservation made for a signed-in caller or an API key is audited (a system's is not). */
  private async auditReservation(manager: EntityManager, ctx: RequestContext | null, merchantId: string, id: string, reference: string, lines: ReservedLine[], ttl: number): Promise<void> {
    if (!ctx?.principal) return;
    await this.audit.record(manager, ctx, {
      action: 'inventory.reserve',
      entityType: 'inventory_reservation',
      entityId: id,
      merchantId,
      after: { reference, lines: lines.map((l) => ({ variantId: l.variant.id, quantity: l.quantity })), ttlSeconds: ttl },
    });
  }

  /**
   * Starts reading the default location's levels of these variants now, for a holdForNewOrder()
   * (or reserve()) later in the same transaction: in a pipelined transaction the read leaves with the caller's first
   * statements instead of costing a round trip of its own once the lines are known (checkout).
   */
  prefetchReservationLevels(manager: EntityManager, merchantId: string, variantIds: string[]): void {
    if (!manager.queryRunner?.isTransactionActive) return;
    const rows = defaultLevels(manager, merchantId, variantIds);
    // Whoever reserves awaits the same read and sees its failure; this copy must not be unhandled.
    rows.catch(() => undefined);
    prefetchedLevels.set(manager, { merchantId, variantIds: new Set(variantIds), rows });
  }

  /**
   * The location a reservation holds stock at and the level ids of its tracked variants there. At
   * the default location, when it and every level exist (a checkout, nearly always), that is one
   * statement; otherwise the location is found (or created) and missing levels created.
   */
  private async reservationLevels(
    manager: EntityManager,
    merchantId: string,
    locationId: string | undefined,
    variants: Pick<LiveVariant, 'id' | 'productId'>[],
  ): Promise<{ location: Pick<StockLocation, 'id'>; ids: Map<string, string> }> {
    if (!locationId) {
      const prefetched = prefetchedLevels.get(manager);
      const wanted = new Set(variants.map((v) => v.id));
      const rows =
        prefetched?.merchantId === merchantId && variants.every((v) => prefetched.variantIds.has(v.id))
          ? await prefetched.rows
          : await defaultLevels(manager, merchantId, [...wanted]);
      const found = rows.filter((r) => r.id !== null && wanted.has(r.variant_id!));
      if (rows.length && found.length === variants.length) {
        return { location: { id: rows[0].location_id }, ids: new Map(found.map((r) => [`${r.variant_id}/${r.location_id}`, r.id!])) };
      }
    }
    const location = await this.location(manager, merchantId, locationId);
    const ids = await this.levelIds(manager, merchantId, variants.map((v) => ({ productId: v.productId, variantId: v.id, locationId: location.id })));
    return { location, ids };
  }

  /** Payment succeeded: the held units are sold (reserved and on_hand both go down). Again: a no-op. */
  commit(ctx: RequestContext | null, merchantId: string, by: { id?: string; reference?: string }, manager?: EntityManager): Promise<{ reservation: ReservationView; changed: boolean }> {
    return this.close(ctx, merchantId, by, 'committed', manager);
  }

  /** The order was cancelled: the held units are available again. Again (or after expiry): a no-op. */
  release(ctx: RequestContext | null, merchantId: string, by: { id?: string; reference?: string }, manager?: EntityManager): Promise<{ reservation: ReservationView; changed: boolean }> {
    return this.close(ctx, merchantId, by, 'released', manager);
  }

  private async close(
    ctx: RequestContext | null,
    merchantId: string,
    by: { id?: string; reference?: string },
    outcome: 'committed' | 'released' | 'expired',
    outer?: EntityManager,
  ): Promise<{ reservation: ReservationView; changed: boolean }> {
    return this.inTransaction(outer, async (manager) => {
      const reservation = await this.lockReservation(manager, merchantId, by);
      if (!reservation) throw new NotFoundError('Reservation', by.id ?? by.reference);
      const done = await this.closeLocked(manager, ctx, reservation, outcome);
      return { reservation: await this.reservationView(manager, merchantId, { id: reservation.id }), changed: done };
    });
  }

  private async lockReservation(manager: EntityManager, merchantId: string, by: { id?: string; reference?: string }, skipLocked = false): Promise<InventoryReservation | null> {
    if (by.id !== undefined && !isUuid(by.id)) return null;
    const qb = MerchantScopedRepository.for(manager, InventoryReservation).createQueryBuilder(merchantId, 'r');
    if (by.id !== undefined) qb.andWhere('r.id = :id', { id: by.id });
    else qb.andWhere('r.reference = :reference', { reference: by.reference });
    qb.setLock('pessimistic_write');
    if (skipLocked) qb.setOnLocked('skip_locked');
    return qb.getOne();
  }

  /** With the reservation row locked: moves it out of `active` once; false when it already was. */
  private async closeLocked(manager: EntityManager, ctx: RequestContext | null, reservation: InventoryReservation, outcome: 'committed' | 'released' | 'expired'): Promise<boolean> {
    const merchantId = reservation.merchantId;
    if (reservation.status !== 'active') {
      const settled = reservation.status === outcome || (outcome === 'released' && reservation.status === 'expired') || (outcome === 'expired' && reservation.status === 'released');
      if (settled) return false;
      throw new ConflictError(`Reservation ${reservation.reference} is ${reservation.status}; it cannot be ${outcome}`, {
        reason: `reservation_${reservation.status}`,
        reservation_id: reservation.id,
        status: reservation.status,
      });
    }
    const lines = await MerchantScopedRepository.for(manager, InventoryReservationLine).find(merchantId, { where: { reservationId: reservation.id } });
    const changes: LevelChange[] = lines
      .filter((l) => l.levelId !== null)
      .sort((a, b) => byVariantThenLocation({ variantId: a.variantId, locationId: a.locationId! }, { variantId: b.variantId, locationId: b.locationId! }))
      .map((l) => ({
        levelId: l.levelId!,
        op: outcome === 'committed' ? { kind: 'sale', quantity: l.quantity } : { kind: 'release', quantity: l.quantity },
        type: outcome === 'committed' ? 'sale' : 'release',
        reason: outcome === 'expired' ? 'reservation expired' : outcome === 'released' ? 'reservation released' : null,
        reference: reservation.reference,
        reservationId: reservation.id,
      }));
    await this.applyChanges(manager, merchantId, changes, actorOf(ctx));
    await manager.query(`UPDATE inventory_reservations SET status = $3, closed_at = now(), updated_at = now() WHERE id = $1 AND merchant_id = $2`, [reservation.id, merchantId, outcome]);
    if (outcome === 'expired') {
      await this.outbox.publish(manager, Jobs.ReservationExpired, { merchant_id: merchantId, reservation_id: reservation.id, reference: reservation.reference });
    }
    if (ctx?.principal) {
      await this.audit.record(manager, ctx, {
        action: outcome === 'committed' ? 'inventory.commit' : 'inventory.release',
        entityType: 'inventory_reservation',
        entityId: reservation.id,
        merchantId,
        before: { status: 'active' },
        after: { status: outcome },
      });
    }
    return true;
  }

  /**
   * The repeatable job: releases reservations whose TTL ran out, each in its own transaction
   * (locked with SKIP LOCKED, so a commit in progress wins and several workers share the work),
   * and tells the orders module through the outbox. Also prunes idempotency keys older than a day.
   */
  async expireDue(limit = 500): Promise<{ expired: number }> {
    // System job across merchants: each row is then handled in its own merchant's scope.
    const due: { id: string; merchant_id: string }[] = await this.dataSource.query(
      `SELECT id, merchant_id FROM inventory_reservations WHERE status = 'active' AND expires_at <= now() ORDER BY expires_at LIMIT $1`,
      [limit],
    );
    let expired = 0;
    for (const row of due) {
      const closed = await this.dataSource.transaction(async (manager) => {
        const reservation = await this.lockReservation(manager, row.merchant_id, { id: row.id }, true);
        if (!reservation || reservation.status !== 'active' || reservation.expiresAt.getTime() > Date.now()) return false;
        return this.closeLocked(manager, null, reservation, 'expired');
      });
      if (closed) expired++;
    }
    await this.dataSource.query(`DELETE FROM inventory_idempotency_keys WHERE created_at < now() - interval '1 day'`);
    return { expired };
  }

  async reservationView(manager: EntityManager, merchantId: string, by: { id?: string; reference?: string }): Promise<ReservationView> {
    const repo = MerchantScopedRepository.for(manager, InventoryReservation);
    const reservation = by.id !== undefined ? await repo.getById(merchantId, by.id) : await repo.findOneBy(merchantId, { reference: by.reference! });
    if (!reservation) throw new NotFoundError('Reservation', by.reference);
    const lines = await MerchantScopedRepository.for(manager, InventoryReservationLine).find(merchantId, { where: { reservationId: reservation.id }, order: { variantId: 'ASC' } });
    return {
      id: reservation.id,
      reference: reservation.reference,
      status: reservation.status,
      expires_at: reservation.expiresAt.toISOString(),
      closed_at: reservation.closedAt?.toISOString() ?? null,
      created_at: reservation.createdAt.toISOString(),
      lines: lines.map((l) => ({ product_id: l.productId, variant_id: l.variantId, quantity: l.quantity, location_id: l.locationId, tracked: l.levelId !== null })),
    };
  }

  /** POST /inventory/products/{id}/reserve: one variant of a product. */
  async reserveProduct(ctx: RequestContext, merchantId: string, productId: string, input: { quantity: number; variant_id?: string; ttl_seconds?: number; reference?: string; location_id?: string }) {
    const variant = await this.variantOfProduct(this.dataSource.manager, merchantId, productId, input.variant_id);
    return this.reserve(ctx, merchantId, [{ variantId: variant.id, quantity: input.quantity }], { ttlSeconds: input.ttl_seconds, reference: input.reference, locationId: input.location_id });
  }
}
