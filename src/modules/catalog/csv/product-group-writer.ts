import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EntityManager, QueryFailedError } from 'typeorm';
import { AppException, deleteRows, insertRows, Jobs, MerchantScopedRepository, OutboxService, ProductEventPayload, RequestContext, RowUpdate, updateRows, ValidationError } from '@app/common';
import { AuditEntry, AuditService, diffFields } from '../../audit/audit.service';
import { InventoryService } from '../../inventory/inventory.service';
import { Merchant } from '../../merchants/entities/merchant.entity';
import { moneyField } from '../catalog-input';
import { CollectionProduct } from '../entities/collection-product.entity';
import { Collection } from '../entities/collection.entity';
import type { ImportRowError } from '../entities/catalog-import-run.entity';
import { ProductPrice } from '../entities/product-price.entity';
import { ProductVariant } from '../entities/product-variant.entity';
import { Product } from '../entities/product.entity';
import { ProductsService } from '../products.service';
import { PriceCells, priceColumnName, ProductGroup, ProductRow, sameAttributes } from './product-csv';

/** What one chunk of products needs from the database, read with a fixed number of queries. */
export interface ChunkLookups {
  productsByHandle: Map<string, Product>;
  variantsByProduct: Map<string, ProductVariant[]>;
  skuOwners: Map<string, { variantId: string; productId: string }>;
  collectionSlugsByProduct: Map<string, string[]>;
  pricesByProduct: Map<string, ProductPrice[]>;
}

/** What stays the same for a whole import. */
export interface ImportScope {
  ctx: RequestContext | null;
  merchant: Merchant;
  /** slug → id of the store's collections */
  collectionIds: Map<string, string>;
}

export type GroupOutcome = 'created' | 'updated' | 'unchanged';

/** A scope of explicit prices (variantId null: the product's own) whose rows are replaced by `prices`. */
interface PriceScope {
  variantId: string | null;
  prices: PriceSet;
  /** Rows may exist already (an existing product or variant): they are deleted first. */
  existed: boolean;
}

/** Everything one product group of an import changes, worked out before anything is written. */
export interface GroupPlan {
  outcome: GroupOutcome;
  productId: string;
  /** A new product, every column set (its id chosen in advance). */
  insert: Product | null;
  /** The changed fields of an existing product. */
  update: Partial<Product> | null;
  variantInserts: Partial<ProductVariant>[];
  variantUpdates: RowUpdate<ProductVariant>[];
  /** New on_hand of variants whose variant_stock the rows set (written through the inventory ledger). */
  stock: { productId: string; variantId: string; quantity: number }[];
  priceScopes: PriceScope[];
  /** The product's collections when they change; `replace` when it may have memberships already. */
  collectionIds: { ids: string[]; replace: boolean } | null;
  audit: AuditEntry | null;
  event: { job: typeof Jobs.ProductCreated | typeof Jobs.ProductUpdated; payload: ProductEventPayload } | null;
  remember: () => void;
}

const NOTHING: Omit<GroupPlan, 'outcome' | 'productId'> = {
  insert: null,
  update: null,
  variantInserts: [],
  variantUpdates: [],
  stock: [],
  priceScopes: [],
  collectionIds: null,
  audit: null,
  event: null,
  remember: () => undefined,
};

/** The columns an imported product is created with (the rest keep their defaults: timestamps, deleted_at). */
const PRODUCT_INSERT_COLUMNS = [
  'id',
  'merchantId',
  'handle',
  'name',
  'description',
  'price',
  'originalPrice',
  'costPrice',
  'currency',
  'status',
  'categoryId',
  'weightGrams',
  'lengthMm',
  'widthMm',
  'heightMm',
  'hsCode',
  'countryOfOrigin',
  'customsDescription',
  'requiresShipping',
  'trackInventory',
  'lowStockThreshold',
  'tags',
  'metaTitle',
  'metaDescription',
] as const satisfies readonly (keyof Product)[];

// Not `stock`: it lives in inventory_levels and is written through InventoryService (GroupPlan.stock).
const VARIANT_INSERT_COLUMNS = ['id', 'merchantId', 'productId', 'sku', 'price', 'status', 'attributes', 'isDefault', 'position'] as const satisfies readonly (keyof ProductVariant)[];

/** The group cannot be applied; its errors say where. */
export class RowFailure extends Error {
  constructor(readonly errors: ImportRowError[]) {
    super(errors[0]?.message ?? 'row failed');
  }
}

interface Amounts {
  amount: number;
  original: number | null;
}

/** Explicit prices of one scope (the product, or one variant) by currency. */
type PriceSet = Map<string, Amounts>;

const samePrices = (a: PriceSet, b: PriceSet) => a.size === b.size && [...a].every(([c, x]) => b.get(c)?.amount === x.amount && b.get(c)?.original === x.original);
const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));
/** jsonb keeps attribute keys in its own order, so attributes compare as maps. */
const sameVariantValue = (key: string, a: unknown, b: unknown) =>
  key === 'attributes' ? sameAttributes(a as Record<string, string>, b as Record<string, string>) : a === b;

/** The product's own fields, as ProductsService snapshots them for the audit log. */
function productFields(p: Product): Record<string, unknown> {
  const { createdAt: _c, updatedAt: _u, ...fields } = p;
  return fields as unknown as Record<string, unknown>;
}

const variantSummary = (v: Partial<ProductVariant>) => ({ sku: v.sku, price: v.price, stock: v.stock, status: v.status, attributes: v.attributes, position: v.position });

/** Constraint names in the migrations → the column a clash belongs to. */
const CONSTRAINT_COLUMNS: Record<string, string> = {
  uq_product_variants_merchant_sku: 'variant_sku',
  uq_products_merchant_handle: 'handle',
};

/**
 * Applies the product groups of an import: creates each product or updates the one with its
 * handle, matches rows to variants (by sku, then by attributes) and creates the rest, and writes
 * the audit entry and the product.created/updated event as ProductsService does. The field rules
 * are ProductsService's own (applyFields); handle and sku uniqueness hold because callers hold the
 * merchant's catalog lock. Nothing here deletes: variants and collections not named stay.
 *
 * Two steps: `plan` checks one group and works out its changes in memory; `write` writes the
 * plans of a whole chunk with a fixed number of statements (or of one group, in its savepoint).
 */
@Injectable()
export class ProductGroupWriter {
  constructor(
    private readonly products: ProductsService,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly inventory: InventoryService,
  ) {}

  async loadLookups(manager: EntityManager, merchantId: string, groups: ProductGroup[]): Promise<ChunkLookups> {
    const handles = groups.filter((g) => g.handle && !g.errors.length).map((g) => g.handle!);
    const skus = groups.flatMap((g) => g.rows.map((r) => r.variant.sku)).filter((s): s is string => Boolean(s));
    // One array parameter each (`= ANY`), not a bind parameter per handle or sku.
    const products = handles.length
      ? await this.products.products(manager).createQueryBuilder(merchantId, 'p').andWhere('p.handle = ANY(:handles)', { handles }).andWhere('p.deletedAt IS NULL').getMany()
      : [];
    const ids = products.map((p) => p.id);
    const variants = ids.length
      ? await this.products
          .variants(manager)
          .createQueryBuilder(merchantId, 'v')
          .andWhere('v.productId = ANY(:ids)', { ids })
          .andWhere('v.deletedAt IS NULL')
          .orderBy('v.position', 'ASC')
          .addOrderBy('v.createdAt', 'ASC')
          .getMany()
      : [];
    const owners = skus.length
      ? await this.products.variants(manager).createQueryBuilder(merchantId, 'v').andWhere('v.sku = ANY(:skus)', { skus }).andWhere('v.deletedAt IS NULL').getMany()
      : [];
    const memberships: { product_id: string; slug: string }[] = ids.length
      ? await manager.query(
          `SELECT cp.product_id, c.slug FROM collection_products cp JOIN collections c ON c.id = cp.collection_id
            WHERE cp.merchant_id = $1 AND cp.product_id = ANY($2::uuid[])`,
          [merchantId, ids],
        )
      : [];
    const prices = ids.length ? await MerchantScopedRepository.for(manager, ProductPrice).createQueryBuilder(merchantId, 'pp').andWhere('pp.productId = ANY(:ids)', { ids }).getMany() : [];
    const group = <T>(rows: T[], key: (row: T) => string) => {
      const map = new Map<string, T[]>();
      for (const row of rows) map.set(key(row), [...(map.get(key(row)) ?? []), row]);
      return map;
    };
    return {
      productsByHandle: new Map(products.map((p) => [p.handle, p])),
      variantsByProduct: group(variants, (v) => v.productId),
      skuOwners: new Map(owners.map((v) => [v.sku!, { variantId: v.id, productId: v.productId }])),
      collectionSlugsByProduct: new Map([...group(memberships, (m) => m.product_id)].map(([id, rows]) => [id, rows.map((r) => r.slug)])),
      pricesByProduct: group(prices, (p) => p.productId),
    };
  }

  /** The store's collections by slug, read once per import. */
  async collectionIds(manager: EntityManager, merchantId: string): Promise<Map<string, string>> {
    const rows = await manager.getRepository(Collection).find({ where: { merchantId }, select: { id: true, slug: true } });
    return new Map(rows.map((c) => [c.slug, c.id]));
  }

  /**
   * Works out everything the group changes, in memory, against the chunk's lookups: the same rules
   * and the same checks as ProductsService, nothing written yet. Throws a RowFailure naming the
   * row and column when the group cannot be applied. `remember` updates the lookups as if the plan
   * were written, so the next group of the chunk sees it (a sku freed by a rename, a new product).
   */
  plan(scope: ImportScope, group: ProductGroup, lookups: ChunkLookups): GroupPlan {
    const merchantId = scope.merchant.id;
    const handle = group.handle!;
    const first = group.rows[0];
    const input = first.product;
    const failAt = (line: number, column: string, message: string): never => {
      throw new RowFailure([{ line, column, handle, message }]);
    };
    /** Runs one of the API's rules (they throw its AppExceptions), reporting a refusal at the row's line. */
    const atLine = <T>(line: number, rule: () => T, column?: string): T => {
      try {
        return rule();
      } catch (err) {
        if (!(err instanceof AppException)) throw err;
        const fields = (err.detail as { fields?: Record<string, string[]> } | null)?.fields ?? {};
        if (column === undefined) return failAt(line, Object.keys(fields)[0] ?? '', err.message);
        return failAt(line, column, err.message.startsWith(`${column}:`) ? err.message : `${column}: ${err.message}`);
      }
    };

    // --- the product's own fields -------------------------------------------------------------
    const existing = lookups.productsByHandle.get(handle) ?? null;
    let product: Product;
    if (existing) {
      if (input.currency !== undefined && input.currency !== existing.currency) {
        failAt(first.line, 'currency', `currency: the product is priced in ${existing.currency} and keeps its currency; use price_${input.currency} for another`);
      }
      product = Object.assign(new Product(), existing);
    } else {
      if (input.name === undefined) failAt(first.line, 'name', 'name: is required to create a product');
      if (input.price === undefined) failAt(first.line, 'price', 'price: is required to create a product');
      const currency = input.currency ?? scope.merchant.defaultCurrency;
      if (!scope.merchant.supportedCurrencies.includes(currency)) {
        failAt(first.line, 'currency', `currency: ${currency} is not a currency this store supports (${scope.merchant.supportedCurrencies.join(', ')})`);
      }
      // As ProductsService.create starts a product; the id is chosen here so its rows can be written together.
      product = Object.assign(new Product(), { id: randomUUID(), merchantId, handle, currency, status: 'draft', tags: [], originalPrice: null, costPrice: null });
    }
    atLine(first.line, () => this.products.applyFields(product, input, product.currency));
    // The column defaults a saved product comes back with.
    if (!existing) {
      product.requiresShipping ??= true;
      product.trackInventory ??= true;
    }
    // Unchanged rows of an already active product are not refused: only becoming active is.
    if (product.status === 'active' && existing?.status !== 'active') atLine(first.line, () => this.products.assertMayPublish(scope.merchant, product), 'status');
    const currency = product.currency;
    const productId = product.id;

    const currentPrices = existing ? (lookups.pricesByProduct.get(existing.id) ?? []) : [];
    const pricesOf = (variantId: string | null): PriceSet =>
      new Map(currentPrices.filter((p) => p.variantId === variantId).map((p) => [p.currency, { amount: p.amount, original: p.originalAmount }]));
    const productPricesBefore = pricesOf(null);
    const productPrices = this.desiredPrices(productPricesBefore, first.productPrices, currency, scope.merchant, false, (rule) => atLine(first.line, rule));

    // --- collections ------------------------------------------------------------------------
    const slugsBefore = existing ? (lookups.collectionSlugsByProduct.get(existing.id) ?? []) : [];
    let slugs = slugsBefore;
    if (input.collections !== undefined) {
      slugs = [...new Set(input.collections)];
      const unknown = slugs.filter((s) => !scope.collectionIds.has(s));
      if (unknown.length) failAt(first.line, 'collections', `collections: unknown collection ${unknown.join(', ')} in this store`);
    }

    // --- variants: match rows to existing ones, by sku first, then by attributes ----------------
    const variantsBefore = existing ? (lookups.variantsByProduct.get(existing.id) ?? []) : [];
    const unmatched = [...variantsBefore];
    const targets = new Map<ProductRow, ProductVariant | null>();
    for (const row of group.rows) {
      const sku = row.variant.sku;
      const owner = sku ? lookups.skuOwners.get(sku) : undefined;
      if (!owner) continue;
      if (owner.productId !== existing?.id) failAt(row.line, 'variant_sku', `variant_sku: ${sku} is already used by another product in this store`);
      const variant = unmatched.find((v) => v.id === owner.variantId);
      if (variant) {
        targets.set(row, variant);
        unmatched.splice(unmatched.indexOf(variant), 1);
      }
    }
    for (const row of group.rows) {
      if (targets.has(row)) continue;
      const variant = unmatched.find((v) => sameAttributes(v.attributes, row.variant.attributes ?? {}));
      targets.set(row, variant ?? null);
      if (variant) unmatched.splice(unmatched.indexOf(variant), 1);
    }

    const explicitVariants = !(group.rows.length === 1 && !Object.keys(group.rows[0].variant.attributes ?? {}).length);
    const inserts: { values: Partial<ProductVariant>; prices: PriceSet }[] = [];
    const updates: { variant: ProductVariant; changes: Partial<ProductVariant>; prices: PriceSet | null }[] = [];
    group.rows.forEach((row, index) => {
      const v = row.variant;
      const target = targets.get(row)!;
      const price = v.price === undefined ? undefined : v.price === null ? null : atLine(row.line, () => moneyField(v.price, currency, 'variant_price'));
      const before = target ? pricesOf(target.id) : new Map<string, Amounts>();
      const prices = this.desiredPrices(before, row.variantPrices, currency, scope.merchant, true, (rule) => atLine(row.line, rule));
      if (!target) {
        inserts.push({
          prices,
          values: {
            id: randomUUID(),
            merchantId,
            productId,
            sku: v.sku ?? null,
            price: price ?? null,
            stock: v.stock ?? 0,
            status: v.status ?? 'active',
            attributes: v.attributes ?? {},
            // As ProductsService.create: one row without attributes is the implicit default variant.
            isDefault: !existing && !explicitVariants,
            position: v.position ?? index,
          },
        });
        return;
      }
      const wanted: Partial<ProductVariant> = {
        ...(v.sku !== undefined ? { sku: v.sku } : {}),
        ...(price !== undefined ? { price } : {}),
        ...(v.stock !== undefined ? { stock: v.stock } : {}),
        ...(v.status !== undefined ? { status: v.status } : {}),
        ...(v.attributes !== undefined ? { attributes: v.attributes } : {}),
        ...(v.position !== undefined ? { position: v.position } : {}),
      };
      const changes = Object.fromEntries(Object.entries(wanted).filter(([key, value]) => !sameVariantValue(key, target[key as keyof ProductVariant], value)));
      const pricesChanged = !samePrices(before, prices);
      if (Object.keys(changes).length || pricesChanged) updates.push({ variant: target, changes, prices: pricesChanged ? prices : null });
    });
    // As VariantsService.create: the implicit default variant becomes an ordinary one once the product gets explicit ones.
    const undefault = existing && inserts.length ? variantsBefore.filter((v) => v.isDefault) : [];

    // --- nothing to do? -------------------------------------------------------------------------
    const changedFields = existing ? Object.keys(diffFields(productFields(existing), productFields(product))) : [];
    const pricesChanged = !samePrices(productPricesBefore, productPrices);
    const collectionsChanged = !sameSet(slugs, slugsBefore);
    if (existing && !changedFields.length && !pricesChanged && !collectionsChanged && !inserts.length && !updates.length && !undefault.length) {
      return { ...NOTHING, outcome: 'unchanged', productId };
    }

    // --- what to write --------------------------------------------------------------------------
    const variantChanges = new Map<string, Partial<ProductVariant>>();
    for (const v of undefault) variantChanges.set(v.id, { isDefault: false });
    const stock: GroupPlan['stock'] = [];
    for (const { variant, changes } of updates) {
      const { stock: newStock, ...columns } = changes;
      if (newStock !== undefined) stock.push({ productId, variantId: variant.id, quantity: newStock });
      if (Object.keys(columns).length) variantChanges.set(variant.id, { ...variantChanges.get(variant.id), ...columns });
    }
    for (const { values } of inserts) if (values.stock) stock.push({ productId, variantId: values.id!, quantity: values.stock });
    const priceScopes: PriceScope[] = [
      ...updates.filter((u) => u.prices).map((u) => ({ variantId: u.variant.id, prices: u.prices!, existed: true })),
      ...inserts.filter((i) => i.prices.size).map((i) => ({ variantId: i.values.id!, prices: i.prices, existed: false })),
      ...(pricesChanged ? [{ variantId: null, prices: productPrices, existed: Boolean(existing) }] : []),
    ];

    const snapshot = (p: Product, variants: Partial<ProductVariant>[], collections: string[], prices: PriceSet) => ({
      ...productFields(p),
      variants: variants.map(variantSummary),
      collections: [...collections].sort(),
      prices: Object.fromEntries(prices),
    });
    const variantsAfter = [
      ...variantsBefore.map((v) => ({ ...v, ...updates.find((u) => u.variant.id === v.id)?.changes })),
      ...inserts.map((i) => i.values),
    ];

    return {
      outcome: existing ? 'updated' : 'created',
      productId,
      insert: existing ? null : product,
      update: existing && changedFields.length ? Object.fromEntries(changedFields.map((f) => [f, product[f as keyof Product]])) : null,
      variantInserts: inserts.map((i) => i.values),
      variantUpdates: [...variantChanges].map(([id, changes]) => ({ key: { id, merchantId }, changes })),
      stock,
      priceScopes,
      collectionIds: collectionsChanged ? { ids: slugs.map((slug) => scope.collectionIds.get(slug)!), replace: Boolean(existing) } : null,
      audit: {
        action: existing ? 'product.update' : 'product.create',
        entityType: 'product',
        entityId: productId,
        merchantId,
        before: existing ? snapshot(existing, variantsBefore, slugsBefore, productPricesBefore) : null,
        after: snapshot(product, variantsAfter, slugs, productPrices),
      },
      event: { job: existing ? Jobs.ProductUpdated : Jobs.ProductCreated, payload: { merchant_id: merchantId, product_id: productId, handle } },
      remember: () => {
        lookups.productsByHandle.set(handle, product);
        for (const { variant, changes } of updates) {
          if (changes.sku === undefined) continue;
          if (variant.sku) lookups.skuOwners.delete(variant.sku);
          if (changes.sku) lookups.skuOwners.set(changes.sku, { variantId: variant.id, productId });
        }
        for (const values of inserts.map((i) => i.values)) if (values.sku) lookups.skuOwners.set(values.sku, { variantId: values.id!, productId });
      },
    };
  }

  /**
   * Writes planned groups in the caller's transaction with a fixed number of set-based statements,
   * whatever their number: products, variants, prices, memberships, then one audit entry and one
   * product.created/updated event per changed product (one notification for all of them). Every
   * row carries the merchant and every key the statements match on includes it.
   */
  async write(manager: EntityManager, scope: ImportScope, plans: GroupPlan[]): Promise<void> {
    const merchantId = scope.merchant.id;
    const changed = plans.filter((p) => p.outcome !== 'unchanged');
    if (!changed.length) return;
    const all = <T>(pick: (plan: GroupPlan) => T[]) => changed.flatMap(pick);

    await updateRows(manager, Product, all((p) => (p.update ? [{ key: { id: p.productId, merchantId }, changes: p.update }] : [])), ['id', 'merchantId']);
    await insertRows(manager, Product, all((p) => (p.insert ? [p.insert] : [])), PRODUCT_INSERT_COLUMNS);
    // Updates first: a sku one variant gives up may be taken by a variant created in the same chunk.
    await updateRows(manager, ProductVariant, all((p) => p.variantUpdates), ['id', 'merchantId']);
    await insertRows(manager, ProductVariant, all((p) => p.variantInserts), VARIANT_INSERT_COLUMNS);
    // One call for the chunk: its levels are locked in one statement, in the inventory's canonical order.
    await this.inventory.setVariantStock(manager, scope.ctx, merchantId, all((p) => p.stock), 'import', 'CSV import');

    const priceScopes = all((p) => p.priceScopes.map((s) => ({ ...s, productId: p.productId })));
    await deleteRows(manager, ProductPrice, priceScopes.filter((s) => s.existed).map(({ productId, variantId }) => ({ merchantId, productId, variantId })), ['merchantId', 'productId', 'variantId']);
    await insertRows(
      manager,
      ProductPrice,
      priceScopes.flatMap(({ productId, variantId, prices }) => [...prices].map(([currency, { amount, original }]) => ({ merchantId, productId, variantId, currency, amount, originalAmount: original }))),
      ['merchantId', 'productId', 'variantId', 'currency', 'amount', 'originalAmount'],
    );

    const memberships = all((p) => (p.collectionIds ? [{ productId: p.productId, ...p.collectionIds }] : []));
    await deleteRows(manager, CollectionProduct, memberships.filter((m) => m.replace).map(({ productId }) => ({ merchantId, productId })), ['merchantId', 'productId']);
    await insertRows(
      manager,
      CollectionProduct,
      memberships.flatMap(({ productId, ids }) => ids.map((collectionId) => ({ merchantId, collectionId, productId, position: 0 }))),
      ['merchantId', 'collectionId', 'productId', 'position'],
    );

    await this.audit.recordMany(manager, scope.ctx, all((p) => (p.audit ? [p.audit] : [])));
    await this.outbox.publishMany(manager, all((p) => (p.event ? [p.event] : [])));
  }

  /** Row errors for a group whose savepoint failed; anything that is not the row's fault is rethrown. */
  static rowErrorsOf(err: unknown, group: ProductGroup): ImportRowError[] {
    const line = group.rows[0]?.line ?? 0;
    const handle = group.handle ?? undefined;
    if (err instanceof RowFailure) return err.errors;
    if (err instanceof AppException) return [{ line, handle, message: err.message }];
    const driver = err instanceof QueryFailedError ? (err.driverError as { code?: string; constraint?: string }) : undefined;
    if (driver?.code?.startsWith('23')) {
      const column = driver.constraint ? CONSTRAINT_COLUMNS[driver.constraint] : undefined;
      return [{ line, handle, ...(column ? { column } : {}), message: `${column ?? 'row'}: conflicts with existing data in this store (${driver.constraint ?? driver.code})` }];
    }
    throw err;
  }

  /**
   * The explicit prices after applying the row's price columns: a value sets the price in that
   * currency, an empty cell removes it. Same rules as the API: a currency the store supports,
   * not the product's own, money with the currency's decimals; for the product, original_price
   * must exceed price (the variant route does not ask that, so neither does the import).
   */
  private desiredPrices(current: PriceSet, cells: Map<string, PriceCells>, productCurrency: string, merchant: Merchant, variantLevel: boolean, atLine: <T>(rule: () => T) => T): PriceSet {
    const desired: PriceSet = new Map(current);
    for (const [currency, { price, original_price }] of cells) {
      const priceColumn = priceColumnName(variantLevel ? 'variant_price' : 'price', currency);
      const originalColumn = priceColumnName(variantLevel ? 'variant_original_price' : 'original_price', currency);
      if (!price) {
        if (original_price) atLine(() => this.invalid(originalColumn, `needs ${priceColumn}`));
        desired.delete(currency);
        continue;
      }
      if (currency === productCurrency) atLine(() => this.invalid(priceColumn, `${currency} is the product's own currency; use ${variantLevel ? 'variant_price' : 'price'}`));
      if (!merchant.supportedCurrencies.includes(currency)) atLine(() => this.invalid(priceColumn, `${currency} is not a currency this store supports (${merchant.supportedCurrencies.join(', ')})`));
      const amount = atLine(() => moneyField(price, currency, priceColumn));
      const original =
        original_price === undefined ? (current.get(currency)?.original ?? null) : original_price === null ? null : atLine(() => moneyField(original_price, currency, originalColumn));
      if (!variantLevel && original !== null && original <= amount) atLine(() => this.invalid(originalColumn, `must exceed ${priceColumn}`));
      desired.set(currency, { amount, original });
    }
    return desired;
  }

  /** Thrown inside atLine, which reports it at the row's line and column. */
  private invalid(column: string, message: string): never {
    throw new ValidationError(`${column}: ${message}`, { [column]: [message] });
  }
}
