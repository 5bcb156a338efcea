import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { getDataSourceToken } from '@nestjs/typeorm';
import request from 'supertest';
import TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import { createApiApp } from '../../src/bootstrap/create-api-app';
import type { TestApp } from '../harness/app';
import { tok } from './catalog';
import type { TestAccount } from './identity';

/**
 * A second API app (its own Nest container, connection pool and HTTP server) against the FIRST
 * app's database and queues: two API processes sharing one Postgres, as in production. Closing
 * it leaves the database to the first app's close().
 */
export async function bootSecondApp(t: TestApp): Promise<{ app: NestFastifyApplication; http: TestAgent; dataSource: DataSource; close: () => Promise<void> }> {
  const app = await createApiApp(t.config);
  await app.init();
  await app.listen(0, '127.0.0.1');
  return {
    app,
    http: request(await app.getUrl()),
    dataSource: app.get<DataSource>(getDataSourceToken()),
    close: () => app.close(),
  };
}

/** Serves the app on a real port: many parallel requests then share one server instead of each opening its own. */
export async function listening(t: TestApp): Promise<TestAgent> {
  await t.app.listen(0, '127.0.0.1');
  return request(await t.app.getUrl());
}

/**
 * The ledger invariant: for every level, on_hand = sum(on_hand_delta) and reserved =
 * sum(reserved_delta) of its movements, reserved <= on_hand (no backorders here) and nothing
 * negative. Returns the levels that break it (none, for a test to pass).
 */
export async function ledgerViolations(dataSource: DataSource): Promise<Record<string, unknown>[]> {
  return dataSource.query(
    `SELECT l.id, l.on_hand, l.reserved, coalesce(m.on_hand, 0)::int AS ledger_on_hand, coalesce(m.reserved, 0)::int AS ledger_reserved
       FROM inventory_levels l
       LEFT JOIN (SELECT level_id, sum(on_hand_delta) AS on_hand, sum(reserved_delta) AS reserved FROM inventory_movements GROUP BY level_id) m ON m.level_id = l.id
      WHERE l.on_hand <> coalesce(m.on_hand, 0) OR l.reserved <> coalesce(m.reserved, 0) OR l.on_hand < 0 OR l.reserved < 0
         OR (l.reserved > l.on_hand AND NOT l.allow_backorder)`,
  );
}

export interface StockedProduct {
  id: string;
  variantIds: string[];
}

/** A product with `variants` variants (sizes), each with `stock` units, created through the catalog route. */
export async function stockedProduct(t: TestApp, owner: TestAccount, options: { variants?: number; stock?: number; lowStockThreshold?: number; trackInventory?: boolean; status?: 'active' | 'draft' } = {}): Promise<StockedProduct> {
  const count = options.variants ?? 1;
  const body: Record<string, unknown> = {
    name: `Stocked ${tok()}`,
    price: '10.00',
    ...(options.lowStockThreshold !== undefined ? { low_stock_threshold: options.lowStockThreshold } : {}),
    ...(options.trackInventory !== undefined ? { track_inventory: options.trackInventory } : {}),
    ...(options.status ? { status: options.status } : {}),
  };
  if (count === 1) body.stock_quantity = options.stock ?? 0;
  else body.variants = Array.from({ length: count }, (_, i) => ({ attributes: { size: `S${i}` }, stock: options.stock ?? 0, sku: `SKU-${tok()}-${i}` }));
  const res = await t.http.post('/api/products').set(owner.auth).send(body);
  if (res.status !== 201) throw new Error(`product create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.id, variantIds: res.body.variants.map((v: { id: string }) => v.id) };
}

/** on_hand and reserved of a variant at its default location. */
export async function levelOf(dataSource: DataSource, variantId: string): Promise<{ on_hand: number; reserved: number }> {
  const [row] = await dataSource.query(
    `SELECT l.on_hand, l.reserved FROM inventory_levels l JOIN stock_locations s ON s.id = l.location_id AND s.is_default WHERE l.variant_id = $1`,
    [variantId],
  );
  return row ?? { on_hand: 0, reserved: 0 };
}

/** Everything a refused request could have touched, to show it changed nothing. */
export async function inventorySnapshot(dataSource: DataSource, merchantId: string): Promise<unknown> {
  const [row] = await dataSource.query(
    `SELECT (SELECT json_agg(json_build_array(variant_id, location_id, on_hand, reserved, allow_backorder) ORDER BY variant_id, location_id) FROM inventory_levels WHERE merchant_id = $1) AS levels,
            (SELECT count(*)::int FROM inventory_movements WHERE merchant_id = $1) AS movements,
            (SELECT count(*)::int FROM inventory_reservations WHERE merchant_id = $1) AS reservations,
            (SELECT count(*)::int FROM inventory_reservation_lines WHERE merchant_id = $1) AS lines,
            (SELECT count(*)::int FROM inventory_idempotency_keys WHERE merchant_id = $1) AS keys`,
    [merchantId],
  );
  return row;
}

/** Random permutation (Fisher–Yates) with a seeded generator, so a failing order can be reproduced. */
export function shuffled<T>(items: T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
