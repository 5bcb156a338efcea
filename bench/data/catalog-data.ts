import { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { insertRows, slugify } from '@app/common';
import { CollectionProduct } from '../../src/modules/catalog/entities/collection-product.entity';
import { Collection } from '../../src/modules/catalog/entities/collection.entity';
import { ProductImage } from '../../src/modules/catalog/entities/product-image.entity';
import { ProductPrice } from '../../src/modules/catalog/entities/product-price.entity';
import { ProductVariant } from '../../src/modules/catalog/entities/product-variant.entity';
import { Product, ProductStatus } from '../../src/modules/catalog/entities/product.entity';
import { CollectionTranslation, ProductTranslation } from '../../src/modules/catalog/entities/translation.entities';
import { User } from '../../src/modules/identity/entities/user.entity';
import { InventoryLevel } from '../../src/modules/inventory/entities/inventory-level.entity';
import { InventoryMovement } from '../../src/modules/inventory/entities/inventory-movement.entity';
import { StockLocation } from '../../src/modules/inventory/entities/stock-location.entity';
import { DEFAULT_LOCATION_NAME } from '../../src/modules/inventory/inventory.service';
import { HomepageConfig, HomepageSection } from '../../src/modules/homepage/entities/homepage.entities';
import { Media } from '../../src/modules/media/entities/media.entity';
import { Merchant } from '../../src/modules/merchants/entities/merchant.entity';
import { SeededRandom } from '../lib/seeded-random';
import { ADJECTIVES, CITIES, COLLECTIONS, COLORS, FIRST_NAMES, LAST_NAMES, MATERIALS, NOUNS, SIZES, TAGS } from './vocabulary';

/** Every entity the catalog generator writes (its DataSource is built from these only). */
export const CATALOG_ENTITIES = [
  User,
  Merchant,
  StockLocation,
  Collection,
  CollectionTranslation,
  Product,
  ProductVariant,
  ProductPrice,
  ProductTranslation,
  CollectionProduct,
  Media,
  ProductImage,
  InventoryLevel,
  InventoryMovement,
  HomepageConfig,
  HomepageSection,
];

/** Bench stores are `bench-store-1`, `bench-store-2`…; accounts are `…@bench.local`. */
export const STORE_SLUG_PREFIX = 'bench-store-';
export const BENCH_EMAIL_DOMAIN = 'bench.local';
/** Every generated account (owners and customers) logs in with this password. */
export const BENCH_PASSWORD = 'bench-password-2026';

export interface CatalogPlan {
  /** Products in total, split evenly over the stores (the first stores take the remainder). */
  products: number;
  merchants: number;
  customers: number;
  seed: number;
  /** An argon2id hash of BENCH_PASSWORD, shared by every generated account (hashing each would take minutes). */
  passwordHash: string;
  /** Where the local media driver serves files (`MEDIA_PUBLIC_BASE_URL`, default PUBLIC_BASE_URL + /media). */
  mediaBaseUrl: string;
  log: (line: string) => void;
}

export interface CatalogCounts {
  merchants: number;
  customers: number;
  products: number;
  variants: number;
  prices: number;
  translations: number;
  collections: number;
  memberships: number;
  images: number;
  levels: number;
  movements: number;
}

/** Rows per INSERT statement: each statement carries its rows as one jsonb parameter. */
const ROWS_PER_STATEMENT = 2_000;
/** Products generated and written at a time, so memory stays flat whatever --products says. */
const PRODUCTS_PER_BATCH = 1_000;
const DAY_MS = 24 * 3600 * 1000;

const STATUS_WEIGHTS: [ProductStatus, number][] = [['active', 0.85], ['draft', 0.08], ['inactive', 0.05], ['archived', 0.02]];

function weighted<T>(random: SeededRandom, options: [T, number][]): T {
  let r = random.next();
  for (const [value, weight] of options) {
    if ((r -= weight) < 0) return value;
  }
  return options[options.length - 1][0];
}

/** INSERT … SELECT of many rows through the service's own bulk writer (column names, types and transformers from the entity). */
async function insertAll<T extends ObjectLiteral>(manager: EntityManager, target: EntityTarget<T>, rows: Partial<T>[]): Promise<void> {
  if (!rows.length) return;
  const properties = Object.keys(rows[0]) as (keyof T & string)[];
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    await insertRows(manager, target, rows.slice(i, i + ROWS_PER_STATEMENT), properties);
  }
}

interface Store {
  merchant: Merchant;
  ownerId: string;
  locationId: string;
  collections: { id: string; slug: string }[];
  productCount: number;
  /** Handles in use, for the API's "-2, -3…" rule (ProductsService.freeHandle). */
  handles: Set<string>;
}

/** Money fields: an amount in minor units and a lower EUR price list (rounded to 50 cents, as merchants do). */
const euros = (usdMinor: number) => Math.max(50, Math.round((usdMinor * 0.92) / 50) * 50);

/**
 * Generates stores with their catalogs, stock and customers, writing the same rows the API would
 * have written through its routes (ProductsService.create, the media and translation routes,
 * InventoryService's ledger), but set-based: a few thousand rows per statement, in one transaction.
 *
 * Written like the API: handles from `slugify(name)` with -2, -3… on collisions; lower-cased
 * de-duplicated tags; a product without explicit variants gets one default variant; explicit
 * prices only in the store's other currencies; images are `ready` media with their three WebP
 * sizes; every variant has a level at the store's default location, and every unit on hand
 * entered through an opening `adjustment` movement (`initial stock (product created)`), so
 * `on_hand = sum(on_hand_delta)` per level; `low_stock_alerted` as the ledger would have set it.
 * Soft-deleted products (1 %) keep their variants (deleted too) and lose their collections.
 * Not written: the audit log, outbox events and notifications that those API calls also leave
 * behind (history, not state: nothing a benchmark reads).
 */
export async function generateCatalog(manager: EntityManager, plan: CatalogPlan): Promise<CatalogCounts> {
  const random = new SeededRandom(plan.seed);
  const now = Date.now();
  const counts: CatalogCounts = { merchants: 0, customers: 0, products: 0, variants: 0, prices: 0, translations: 0, collections: 0, memberships: 0, images: 0, levels: 0, movements: 0 };

  const stores = await createStores(manager, random, plan, now, counts);
  for (const store of stores) {
    for (let done = 0; done < store.productCount; done += PRODUCTS_PER_BATCH) {
      await writeProducts(manager, random, plan, store, done, Math.min(PRODUCTS_PER_BATCH, store.productCount - done), now, counts);
    }
    plan.log(`store ${store.merchant.slug}: ${store.productCount} products`);
  }
  await createCustomers(manager, random, plan, now, counts);
  await writeHomepages(manager, random, plan, stores, now);
  return counts;
}

/**
 * Each store's published homepage, as the homepage routes would save it (normalized settings): a
 * banner of two of its own images, four collections, a product grid of its first collection
 * (limit 8) and a featured product; titles in en and fr. Written last, so the rest of the data
 * stays the same for a seed.
 */
async function writeHomepages(manager: EntityManager, random: SeededRandom, plan: CatalogPlan, stores: Store[], now: number): Promise<void> {
  const media: Partial<Media>[] = [];
  const configs: Partial<HomepageConfig>[] = [];
  const sections: Partial<HomepageSection>[] = [];
  for (const store of stores) {
    const merchantId = store.merchant.id;
    const created = new Date(now - 30 * DAY_MS);
    const [featured] = await manager.query(
      `SELECT handle FROM products WHERE merchant_id = $1 AND status = 'active' AND deleted_at IS NULL ORDER BY created_at, id LIMIT 1`,
      [merchantId],
    );
    const hero = [imageMedia(random, plan, store, 'homepage-hero', created), imageMedia(random, plan, store, 'homepage-sale', created)];
    media.push(...hero);
    const configId = random.uuid();
    configs.push({ id: configId, createdAt: created, updatedAt: created, merchantId, version: 7, templateKey: 'standard', pageSettings: { background_mode: 'fixed', background_overlay_color: '#000000', background_overlay_opacity: 0.2 } });
    const image = (m: Partial<Media>, alt: string, actionType: string, actionValue: string | null) => ({
      url: null, media_id: m.id, mobile_url: null, mobile_media_id: null, alt, action_type: actionType, action_value: actionValue,
    });
    const slugs = store.collections.map((c) => c.slug);
    const blocks: [string, Record<string, unknown>, string, string][] = [
      ['banner', { images: [image(hero[0], 'New season', 'collection', slugs[0]), image(hero[1], 'Sale', 'url', 'https://example.com/sale')], image_fit: 'cover' }, 'Welcome', 'Bienvenue'],
      ['collections', { collection_slugs: slugs.slice(0, 4) }, 'Shop by collection', 'Nos collections'],
      ['collection_products', { collection_slug: slugs[0], limit: 8 }, 'New arrivals', 'Nouveautés'],
      ['featured', featured ? { target_type: 'product', target_handle: featured.handle, cta_text: 'Shop now', url: null } : { target_type: 'url', target_handle: null, cta_text: 'Shop now', url: 'https://example.com/' }, 'Featured', 'À la une'],
    ];
    blocks.forEach(([type, settings, en, fr], i) =>
      sections.push({ createdAt: created, updatedAt: created, merchantId, configId, position: i + 1, type, settings, translations: { en: { title: en, description: null }, fr: { title: fr, description: null } } }),
    );
  }
  await insertAll(manager, Media, media);
  await insertAll(manager, HomepageConfig, configs);
  await insertAll(manager, HomepageSection, sections);
  plan.log(`homepages: ${configs.length} (${sections.length} sections)`);
}

async function createStores(manager: EntityManager, random: SeededRandom, plan: CatalogPlan, now: number, counts: CatalogCounts): Promise<Store[]> {
  const owners: Partial<User>[] = [];
  const merchants: Partial<Merchant>[] = [];
  const locations: Partial<StockLocation>[] = [];
  const collections: Partial<Collection>[] = [];
  const collectionTranslations: Partial<CollectionTranslation>[] = [];
  const stores: Store[] = [];
  for (let m = 1; m <= plan.merchants; m++) {
    const created = new Date(now - 400 * DAY_MS + m * 60_000);
    const ownerId = random.uuid();
    const email = `owner${m}@${BENCH_EMAIL_DOMAIN}`;
    const name = `Bench Store ${m}`;
    const [country, city, postalCode] = random.pick(CITIES);
    owners.push({ id: ownerId, createdAt: created, updatedAt: created, email, name, passwordHash: plan.passwordHash, role: 'merchant', isActive: true, lastLoginAt: new Date(now - random.int(0, 7) * DAY_MS) });
    const merchant: Partial<Merchant> = {
      id: random.uuid(),
      createdAt: created,
      updatedAt: new Date(created.getTime() + DAY_MS),
      ownerUserId: ownerId,
      name,
      slug: `${STORE_SLUG_PREFIX}${m}`,
      email,
      description: `${name} sells clothing, accessories and homeware made from natural materials.`,
      logoUrl: null,
      logoMediaId: null,
      defaultCurrency: 'USD',
      supportedCurrencies: ['USD', 'EUR'],
      defaultLocale: 'en',
      supportedLocales: ['en', 'fr', 'de'],
      primaryColor: '#1f4e79',
      status: 'ACTIVE',
      statusReason: 'bench data',
      statusChangedAt: new Date(created.getTime() + DAY_MS),
      originCountryAlpha2: country,
      originCity: city,
      originPostalCode: postalCode,
      originLine_1: `${random.int(1, 200)} Market Street`,
      originLine_2: null,
      originState: null,
      contactName: `Owner ${m}`,
      contactPhone: '+1 555 0100',
      contactEmail: email,
      companyName: `${name} Ltd`,
    };
    merchants.push(merchant);
    const locationId = random.uuid();
    locations.push({ id: locationId, createdAt: created, updatedAt: created, merchantId: merchant.id, name: DEFAULT_LOCATION_NAME, isDefault: true });
    const storeCollections = COLLECTIONS.map(([slug, en, fr, de], order) => {
      const id = random.uuid();
      collections.push({
        id, createdAt: created, updatedAt: created, merchantId: merchant.id, slug, name: en, description: `${en} at ${name}.`,
        imageUrl: null, coverMediaId: null, displayOrder: order, metaTitle: `${en} | ${name}`, metaDescription: null,
      });
      for (const [languageCode, translated] of [['fr', fr], ['de', de]] as const) {
        collectionTranslations.push({ createdAt: created, updatedAt: created, merchantId: merchant.id, collectionId: id, languageCode, name: translated, description: null, metaTitle: null, metaDescription: null });
      }
      return { id, slug };
    });
    const share = Math.floor(plan.products / plan.merchants) + (m <= plan.products % plan.merchants ? 1 : 0);
    stores.push({ merchant: merchant as Merchant, ownerId, locationId, collections: storeCollections, productCount: share, handles: new Set() });
  }
  await insertAll(manager, User, owners);
  await insertAll(manager, Merchant, merchants);
  await insertAll(manager, StockLocation, locations);
  await insertAll(manager, Collection, collections);
  await insertAll(manager, CollectionTranslation, collectionTranslations);
  counts.merchants += merchants.length;
  counts.collections += collections.length;
  return stores;
}

/** The API's handle rule: the slug of the name, or with -2, -3… appended while taken in the store. */
function freeHandle(store: Store, name: string): string {
  const whole = slugify(name, 'product').slice(0, 150).replace(/-+$/, '') || 'product';
  const base = whole.slice(0, 140).replace(/-+$/, '') || 'product';
  let handle = whole;
  for (let n = 2; store.handles.has(handle); n++) handle = `${base}-${n}`;
  store.handles.add(handle);
  return handle;
}

function imageMedia(random: SeededRandom, plan: CatalogPlan, store: Store, fileStem: string, created: Date): Partial<Media> {
  const id = random.uuid();
  const slug = slugify(fileStem, 'image');
  const key = `merchants/${store.merchant.id}/${id}/${slug}.jpg`;
  const url = (k: string) => `${plan.mediaBaseUrl}/${k}`;
  const size = (width: number, height: number) => {
    const sizeKey = `merchants/${store.merchant.id}/${id}/${slug}-${width}w.webp`;
    return { key: sizeKey, url: url(sizeKey), width, height, size_bytes: Math.round(width * height * 0.12) };
  };
  return {
    id, createdAt: created, updatedAt: created, merchantId: store.merchant.id, kind: 'image', status: 'ready', source: 'upload', storage: 'local',
    objectKey: key, url: url(key), fileName: `${slug}.jpg`, contentType: 'image/jpeg', sizeBytes: random.int(180_000, 900_000), width: 1600, height: 2000,
    sizes: { small: size(160, 200), medium: size(480, 600), large: size(960, 1200) }, sourceUrl: null, error: null, expiresAt: null,
  };
}

async function writeProducts(manager: EntityManager, random: SeededRandom, plan: CatalogPlan, store: Store, offset: number, count: number, now: number, counts: CatalogCounts): Promise<void> {
  const merchantId = store.merchant.id;
  const products: Partial<Product>[] = [];
  const variants: Partial<ProductVariant>[] = [];
  const prices: Partial<ProductPrice>[] = [];
  const translations: Partial<ProductTranslation>[] = [];
  const memberships: Partial<CollectionProduct>[] = [];
  const media: Partial<Media>[] = [];
  const images: Partial<ProductImage>[] = [];
  const levels: Partial<InventoryLevel>[] = [];
  const movements: Partial<InventoryMovement>[] = [];

  for (let k = 0; k < count; k++) {
    const number = offset + k + 1;
    const adjective = random.pick(ADJECTIVES);
    const color = random.pick(COLORS);
    const noun = random.pick(NOUNS);
    const material = random.pick(MATERIALS);
    const name = `${adjective} ${color.en} ${noun.en}`;
    // Spread over the last year; a product is edited now and then after it is created.
    const created = new Date(now - random.int(1, 365 * 24 * 60) * 60_000);
    const updated = random.chance(0.3) ? new Date(Math.min(now, created.getTime() + random.int(1, 60 * 24 * 30) * 60_000)) : created;
    const status = weighted(random, STATUS_WEIGHTS);
    const deletedAt = random.chance(0.01) ? new Date(Math.min(now, updated.getTime() + DAY_MS)) : null;
    const price = random.int(5, 300) * 100 - (random.chance(0.6) ? 1 : 0);
    const originalPrice = random.chance(0.25) ? price + random.int(5, 60) * 100 : null;
    const tags = random.sample(TAGS, random.int(1, 4));
    if (originalPrice !== null && !tags.includes('sale')) tags.push('sale');
    const threshold = random.chance(0.5) ? random.int(0, 10) : null;
    const trackInventory = random.chance(0.92);
    const productId = random.uuid();
    products.push({
      id: productId,
      createdAt: created,
      updatedAt: updated,
      merchantId,
      handle: freeHandle(store, name),
      name,
      description:
        `The ${name.toLowerCase()} is made from ${material}. ${random.pick(['Designed to last for years', 'Cut for an easy fit', 'Finished by hand', 'Made in small batches'])}, ` +
        `${random.pick(['machine washable at 30°', 'easy to care for', 'softer with every wash', 'built for everyday use'])}. Item ${number}.`,
      price,
      originalPrice,
      costPrice: random.chance(0.8) ? Math.round(price * 0.4) : null,
      currency: 'USD',
      status,
      categoryId: null,
      weightGrams: random.int(noun.grams[0], noun.grams[1]),
      lengthMm: random.int(10, 60) * 10,
      widthMm: random.int(10, 40) * 10,
      heightMm: random.int(1, 20) * 10,
      hsCode: noun.hsCode,
      countryOfOrigin: random.pick(['PT', 'IT', 'DE', 'US', 'GB', 'IN']),
      customsDescription: noun.customs,
      requiresShipping: random.chance(0.97),
      trackInventory,
      lowStockThreshold: threshold,
      tags,
      metaTitle: random.chance(0.6) ? `${name} | ${store.merchant.name}` : null,
      metaDescription: random.chance(0.6) ? `Buy the ${name} in ${material}.` : null,
      deletedAt,
    });
    counts.products++;

    // Explicit prices in the store's other currency, as PUT /products/{id} {prices} writes them.
    if (random.chance(0.6)) {
      prices.push({ createdAt: created, updatedAt: created, merchantId, productId, variantId: null, currency: 'EUR', amount: euros(price), originalAmount: originalPrice === null ? null : euros(originalPrice) });
    }

    // One implicit default variant, or explicit sizes (some also in a colour): ProductsService.create's two shapes.
    const explicit = random.chance(0.6);
    const sizes = explicit ? SIZES.slice(random.int(0, 2), random.int(3, 6)) : [null];
    const withColor = explicit && random.chance(0.4);
    const skuStem = `${adjective.slice(0, 2)}${color.en.slice(0, 2)}${noun.en.replace(/\W/g, '').slice(0, 2)}-${store.merchant.slug.slice(STORE_SLUG_PREFIX.length)}-${number}`.toUpperCase();
    const productVariants: { id: string; attributes: Record<string, string> }[] = [];
    sizes.forEach((size, position) => {
      const variantId = random.uuid();
      const attributes: Record<string, string> = size === null ? {} : withColor ? { size, color: color.en.toLowerCase() } : { size };
      const ownPrice = explicit && random.chance(0.15) ? price + random.int(1, 10) * 100 : null;
      variants.push({
        id: variantId, createdAt: created, updatedAt: created, merchantId, productId,
        sku: size === null ? skuStem : `${skuStem}-${size}`,
        price: ownPrice,
        status: random.chance(0.95) ? 'active' : 'inactive',
        attributes,
        isDefault: !explicit,
        position,
        deletedAt,
      });
      productVariants.push({ id: variantId, attributes });
      if (ownPrice !== null && random.chance(0.5)) {
        prices.push({ createdAt: created, updatedAt: created, merchantId, productId, variantId, currency: 'EUR', amount: euros(ownPrice), originalAmount: null });
      }
      // Stock: the level at the default location and, for units on hand, the opening movement.
      const onHand = random.chance(0.1) ? 0 : random.int(1, 250);
      const levelId = random.uuid();
      levels.push({
        id: levelId, createdAt: created, updatedAt: created, merchantId, productId, variantId, locationId: store.locationId,
        onHand, reserved: 0, allowBackorder: false, lowStockAlerted: trackInventory && threshold !== null && onHand <= threshold,
      });
      if (onHand > 0) {
        movements.push({
          id: random.uuid(), createdAt: created, updatedAt: created, merchantId, productId, variantId, locationId: store.locationId, levelId,
          type: 'adjustment', quantity: onHand, onHandDelta: onHand, reservedDelta: 0, onHandAfter: onHand, reservedAfter: 0,
          reason: 'initial stock (product created)', actorType: 'user', actorId: store.ownerId, reference: null, reservationId: null, requestId: random.uuid(),
        });
      }
      counts.variants++;
    });

    // Collections (a soft-deleted product has left them); discounted products mostly sit in "sale".
    if (!deletedAt) {
      const chosen = new Set(random.sample(store.collections, weighted(random, [[0, 0.15], [1, 0.45], [2, 0.3], [3, 0.1]])));
      if (originalPrice !== null && random.chance(0.7)) chosen.add(store.collections.find((c) => c.slug === 'sale')!);
      for (const collection of chosen) memberships.push({ createdAt: created, updatedAt: created, merchantId, collectionId: collection.id, productId, position: 0 });
    }

    // Translations as PUT /products/{id}/translations/{lang} stores them, attribute labels included.
    for (const [languageCode, share] of [['fr', 0.35], ['de', 0.2]] as const) {
      if (!random.chance(share)) continue;
      const translatedName = `${noun[languageCode]} ${adjective} ${color[languageCode]}`;
      const labels: Record<string, unknown> = {};
      if (explicit) labels.size = { label: languageCode === 'fr' ? 'Taille' : 'Größe' };
      if (withColor) labels.color = { label: languageCode === 'fr' ? 'Couleur' : 'Farbe', values: { [color.en.toLowerCase()]: color[languageCode] } };
      translations.push({
        createdAt: updated, updatedAt: updated, merchantId, productId, languageCode, name: translatedName,
        description: languageCode === 'fr' ? `${translatedName} en ${material}. Article ${number}.` : `${translatedName} aus ${material}. Artikel ${number}.`,
        metaTitle: null, metaDescription: null, variantAttributesTranslations: Object.keys(labels).length ? labels : null,
      });
    }

    // Images: uploaded media attached in order (positions 1..n), and a colour shot on some variants.
    if (random.chance(0.85)) {
      const imageCount = random.int(1, 4);
      for (let position = 1; position <= imageCount; position++) {
        const file = imageMedia(random, plan, store, `${name} ${position}`, created);
        media.push(file);
        images.push({ createdAt: created, updatedAt: created, merchantId, productId, variantId: null, mediaId: file.id!, url: file.url!, alt: position === 1 ? name : null, position });
      }
    }
    for (const variant of productVariants) {
      if (!explicit || !random.chance(0.1)) continue;
      const file = imageMedia(random, plan, store, `${name} ${variant.attributes.size ?? ''}`, created);
      media.push(file);
      images.push({ createdAt: created, updatedAt: created, merchantId, productId, variantId: variant.id, mediaId: file.id!, url: file.url!, alt: null, position: 1 });
    }
  }

  await insertAll(manager, Product, products);
  await insertAll(manager, ProductVariant, variants);
  await insertAll(manager, ProductPrice, prices);
  await insertAll(manager, ProductTranslation, translations);
  await insertAll(manager, CollectionProduct, memberships);
  await insertAll(manager, Media, media);
  await insertAll(manager, ProductImage, images);
  await insertAll(manager, InventoryLevel, levels);
  await insertAll(manager, InventoryMovement, movements);
  counts.prices += prices.length;
  counts.translations += translations.length;
  counts.memberships += memberships.length;
  counts.images += images.length;
  counts.levels += levels.length;
  counts.movements += movements.length;
}

async function createCustomers(manager: EntityManager, random: SeededRandom, plan: CatalogPlan, now: number, counts: CatalogCounts): Promise<void> {
  for (let start = 1; start <= plan.customers; start += ROWS_PER_STATEMENT * 5) {
    const rows: Partial<User>[] = [];
    for (let n = start; n < start + ROWS_PER_STATEMENT * 5 && n <= plan.customers; n++) {
      const created = new Date(now - random.int(1, 2 * 365 * 24 * 60) * 60_000);
      rows.push({
        createdAt: created,
        updatedAt: created,
        email: `customer${n}@${BENCH_EMAIL_DOMAIN}`,
        name: `${random.pick(FIRST_NAMES)} ${random.pick(LAST_NAMES)}`,
        passwordHash: plan.passwordHash,
        role: 'customer',
        isActive: random.chance(0.99),
        lastLoginAt: random.chance(0.7) ? new Date(Math.max(created.getTime(), now - random.int(0, 90) * DAY_MS)) : null,
      });
    }
    await insertAll(manager, User, rows);
    counts.customers += rows.length;
  }
}
