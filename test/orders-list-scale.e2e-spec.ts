import { EXACT_TOTAL_UP_TO } from '../src/modules/orders/order-list-total';
import { bootTestApp, TestApp } from './harness/app';
import { registerMerchant, TestAccount } from './support/identity';
import { stockedProduct } from './support/inventory';
import { checkoutBody } from './support/orders';

/**
 * A store with more orders than the list counts exactly: `total` becomes PostgreSQL's estimate
 * (never below the cap) with `total_exact: false`, while `has_next` stays exact and filtered
 * lists under the cap keep their exact totals.
 */
describe('Merchant order list of a large store', () => {
  let t: TestApp;
  let merchant: TestAccount;
  const BULK = EXACT_TOTAL_UP_TO + 500;

  beforeAll(async () => {
    t = await bootTestApp();
    merchant = await registerMerchant(t, { approve: true });
    const product = await stockedProduct(t, merchant, { stock: 10, status: 'active' });
    const placed = await t.http.post('/api/public/checkout').send(checkoutBody(merchant.merchantId!, [{ product_id: product.id, quantity: 1 }], { email: 'first@example.com' }));
    expect(placed.status).toBe(201);
    // Copies of that order (same store, new ids and numbers, other customers), then fresh statistics.
    await t.dataSource.query(
      `CREATE TEMP TABLE bulk AS SELECT o.*, g AS n FROM orders o, generate_series(1, $2::int) g WHERE o.id = $1;
       UPDATE bulk SET id = gen_random_uuid(), order_number = 'BULK-' || n, customer_email = 'bulk' || n || '@example.com',
                       status = CASE WHEN n % 2 = 0 THEN 'cancelled'::order_status ELSE 'pending'::order_status END;
       ALTER TABLE bulk DROP COLUMN n;
       INSERT INTO orders SELECT * FROM bulk;
       DROP TABLE bulk;
       ANALYZE orders;`.replace('$1', `'${placed.body.order_id}'`).replace('$2', String(BULK)),
    );
  });
  afterAll(() => t?.close());

  const list = async (query: string) => {
    const res = await t.http.get(`/api/orders/merchant?${query}`).set(merchant.auth);
    expect(res.status).toBe(200);
    return res.body as { items: { id: string }[]; total: number; total_exact: boolean; has_next: boolean; page: number };
  };

  it('estimates the total past the cap, and says so', async () => {
    const first = await list('per_page=20');
    expect(first.items).toHaveLength(20);
    expect(first).toMatchObject({ has_next: true, total_exact: false });
    // The estimate comes from fresh statistics: near the true count, and never at or under the cap.
    expect(first.total).toBeGreaterThan(EXACT_TOTAL_UP_TO);
    expect(Math.abs(first.total - (BULK + 1))).toBeLessThan((BULK + 1) * 0.1);
  });

  it('counts exactly under the cap, and on the last page without counting', async () => {
    const cancelled = await list('status=cancelled&per_page=20');
    expect(cancelled).toMatchObject({ total: BULK / 2, total_exact: true, has_next: true });
    const lastPage = Math.ceil((BULK / 2) / 100);
    const last = await list(`status=cancelled&per_page=100&page=${lastPage}`);
    expect(last).toMatchObject({ total: BULK / 2, total_exact: true, has_next: false });
    expect(last.items).toHaveLength(BULK / 2 - (lastPage - 1) * 100);
    expect(await list('search=bulk1234@')).toMatchObject({ total: 1, total_exact: true, has_next: false });
  });

  it('pages through several statuses by date exactly as one filtered, sorted list would', async () => {
    // Four statuses interleaved over 37 distinct times: many ties, broken by id.
    await t.dataSource.query(
      `UPDATE orders SET status = (ARRAY['pending', 'paid', 'processing', 'cancelled']::order_status[])[1 + abs(hashtext(id::text)) % 4],
                         created_at = now() - (abs(hashtext(id::text || 'at')) % 37) * interval '1 minute'
        WHERE merchant_id = $1`,
      [merchant.merchantId],
    );
    const expected = async (statuses: string[], direction: 'ASC' | 'DESC', offset: number, limit: number, search = '%') =>
      ((await t.dataSource.query(
        `SELECT id FROM orders WHERE merchant_id = $1 AND status = ANY($2::order_status[]) AND customer_email LIKE $3
          ORDER BY created_at ${direction}, id ${direction} OFFSET $4 LIMIT $5`,
        [merchant.merchantId, statuses, search, offset, limit],
      )) as { id: string }[]).map((r) => r.id);
    for (const [page, perPage] of [[1, 20], [2, 20], [7, 50], [40, 100]]) {
      const desc = await list(`status=paid,processing&per_page=${perPage}&page=${page}`);
      expect(desc.items.map((o) => o.id)).toEqual(await expected(['paid', 'processing'], 'DESC', (page - 1) * perPage, perPage));
      const asc = await list(`status=cancelled,pending,paid&sort_order=asc&per_page=${perPage}&page=${page}`);
      expect(asc.items.map((o) => o.id)).toEqual(await expected(['cancelled', 'pending', 'paid'], 'ASC', (page - 1) * perPage, perPage));
    }
    const searched = await list('status=paid,processing&search=bulk12&per_page=20&page=2');
    expect(searched.items.map((o) => o.id)).toEqual(await expected(['paid', 'processing'], 'DESC', 20, 20, 'bulk12%'));
    expect(searched.items.length).toBe(20);
  });

  it("finds a search's page whether its matches are among the newest orders or only far down the list", async () => {
    // 60 orders become an "Oldtimer" customer's, a month older than every other order.
    await t.dataSource.query(
      `UPDATE orders SET customer_name = 'Oldtimer ' || substr(id::text, 1, 4), created_at = now() - interval '30 days' - (abs(hashtext(id::text)) % 50) * interval '1 minute'
        WHERE id IN (SELECT id FROM orders WHERE merchant_id = $1 ORDER BY id LIMIT 60)`,
      [merchant.merchantId],
    );
    const reference = async (term: string, order: string, offset: number, limit: number, statuses?: string[]) =>
      ((await t.dataSource.query(
        `SELECT id FROM orders o WHERE merchant_id = $1 AND (order_number ILIKE $2 OR customer_email ILIKE $2 OR customer_name ILIKE $2)
            AND ($3::order_status[] IS NULL OR status = ANY($3::order_status[]))
          ORDER BY ${order} OFFSET $4 LIMIT $5`,
        [merchant.merchantId, `%${term}%`, statuses ?? null, offset, limit],
      )) as { id: string }[]).map((r) => r.id);
    const cases: [string, string, string, number, string[]?][] = [
      // Only far down the list: gathered from the search index.
      ['search=oldtimer&per_page=20&page=2', 'oldtimer', 'created_at DESC, id DESC', 20],
      ['search=oldtimer&status=paid,processing&per_page=10', 'oldtimer', 'created_at DESC, id DESC', 0, ['paid', 'processing']],
      ['search=oldtimer&sort_by=amount_total&per_page=20&page=3', 'oldtimer', 'amount_total DESC, id DESC', 40],
      // At the top of the list: found there.
      ['search=oldtimer&sort_order=asc&per_page=20&page=2', 'oldtimer', 'created_at ASC, id ASC', 20],
      ['search=bulk1&per_page=20', 'bulk1', 'created_at DESC, id DESC', 0],
      // Many matches near the top, but a page deeper than the first rows hold.
      ['search=bulk1&per_page=20&page=30', 'bulk1', 'created_at DESC, id DESC', 580],
    ];
    for (const [query, term, order, offset, statuses] of cases) {
      const perPage = Number(/per_page=(\d+)/.exec(query)![1]);
      const got = await list(query);
      const want = await reference(term, order, offset, perPage + 1, statuses);
      expect({ query, ids: got.items.map((o) => o.id) }).toEqual({ query, ids: want.slice(0, perPage) });
      expect(got.has_next).toBe(want.length > perPage);
    }
  });

  it('knows the end of a huge list exactly: has_next turns false on its last page', async () => {
    const all = BULK + 1;
    const last = await list(`per_page=100&page=${Math.ceil(all / 100)}`);
    expect(last).toMatchObject({ has_next: false, total: all, total_exact: true });
    const beyond = await list(`per_page=100&page=${Math.ceil(all / 100) + 1}`);
    expect(beyond).toMatchObject({ items: [], has_next: false, total_exact: false });
  });
});
