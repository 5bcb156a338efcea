import { Client } from 'pg';
import { STORE_SLUG_PREFIX } from '../data/catalog-data';

/** What the generated data holds, as the scenarios need it to build their requests. */
export interface Dataset {
  store: { id: string; slug: string; activeProducts: number };
  stores: number;
  products: number;
  /** Handles of live, active products of `store`, in a fixed pseudo-random order. */
  handles: string[];
  /** Collection slugs of `store`, most populated first. */
  collections: string[];
  /** Tags of `store`'s live products, most used first. */
  tags: string[];
  /** Customer accounts (`customer<n>@bench.local`). */
  customers: number;
}

/** Reads the dataset from the bench database; null when it holds no bench store yet. */
export async function readDataset(client: Client): Promise<Dataset | null> {
  const { rows: stores } = await client.query<{ id: string; slug: string; active: number }>(
    `SELECT m.id, m.slug, count(p.id)::int AS active
       FROM merchants m LEFT JOIN products p ON p.merchant_id = m.id AND p.status = 'active' AND p.deleted_at IS NULL
      WHERE m.slug LIKE $1 AND m.status = 'ACTIVE'
      GROUP BY m.id, m.slug ORDER BY active DESC, m.slug`,
    [`${STORE_SLUG_PREFIX}%`],
  );
  if (!stores.length) return null;
  const store = stores[0];
  const [{ products }] = (await client.query<{ products: number }>(`SELECT count(*)::int AS products FROM products WHERE deleted_at IS NULL`)).rows;
  const { rows: handles } = await client.query<{ handle: string }>(
    `SELECT handle FROM products WHERE merchant_id = $1 AND status = 'active' AND deleted_at IS NULL ORDER BY md5(id::text) LIMIT 2000`,
    [store.id],
  );
  const { rows: collections } = await client.query<{ slug: string }>(
    `SELECT c.slug FROM collections c LEFT JOIN collection_products cp ON cp.collection_id = c.id
      WHERE c.merchant_id = $1 GROUP BY c.slug ORDER BY count(cp.id) DESC, c.slug`,
    [store.id],
  );
  const { rows: tags } = await client.query<{ tag: string }>(
    `SELECT tag FROM products p, unnest(p.tags) AS tag WHERE p.merchant_id = $1 AND p.deleted_at IS NULL GROUP BY tag ORDER BY count(*) DESC, tag`,
    [store.id],
  );
  const [{ customers }] = (await client.query<{ customers: number }>(`SELECT count(*)::int AS customers FROM users WHERE role = 'customer' AND email LIKE '%@bench.local'`)).rows;
  return {
    store: { id: store.id, slug: store.slug, activeProducts: store.active },
    stores: stores.length,
    products,
    handles: handles.map((r) => r.handle),
    collections: collections.map((r) => r.slug),
    tags: tags.map((r) => r.tag),
    customers,
  };
}
