import { bootTestApp, TestApp } from './harness/app';
import { createAdmin, registerCustomer, registerMerchant, TestAccount } from './support/identity';
import { stockedProduct } from './support/inventory';
import { checkoutBody, configureCheckout } from './support/orders';
import { SqlStatementCounter } from './support/sql-statements';

/**
 * What a checkout costs in SQL (the test provider, no Idempotency-Key): a fixed number of
 * statements whatever the number of lines, and no more than measured when this was written
 * (bench/RESULTS.md has the list). A new statement per line is an N+1; a new fixed one should be
 * a choice, made by raising MAX_STATEMENTS here.
 */
const MAX_STATEMENTS = 14;

describe('Checkout SQL statements', () => {
  let t: TestApp;
  let merchant: TestAccount;
  let counter: SqlStatementCounter;
  const products: string[] = [];
  const variants: string[] = [];

  beforeAll(async () => {
    t = await bootTestApp();
    counter = new SqlStatementCounter(t).install();
    merchant = await registerMerchant(t, { approve: true, admin: await createAdmin(t) });
    await configureCheckout(t, merchant, { flat_shipping_rates: [{ currency: 'USD', amount: '5.00' }], tax_rates: [{ country_code: 'US', rate: '10' }] });
    for (let i = 0; i < 6; i++) {
      const product = await stockedProduct(t, merchant, { stock: 100, status: 'active' });
      products.push(product.id);
      variants.push(product.variantIds[0]);
    }
  });
  afterAll(async () => {
    counter?.uninstall();
    await t?.close();
  });

  const place = async (lines: number, namingVariants = false, headers: Record<string, string> = {}) => {
    const body = checkoutBody(
      merchant.merchantId!,
      products.slice(0, lines).map((id, i) => ({ product_id: id, ...(namingVariants ? { variant_id: variants[i] } : {}), quantity: i + 1 })),
    );
    const placed = await counter.request({ method: 'POST', url: '/api/public/checkout', payload: body, headers });
    expect(placed.response.statusCode).toBe(201);
    return placed;
  };
  const checkout = async (lines: number) => (await place(lines)).statements;

  it(`places an order of 1 or 6 lines in the same number of statements, at most ${MAX_STATEMENTS}`, async () => {
    await checkout(1); // the first one also creates the day's order-number counter and the default location
    const one = await checkout(1);
    const six = await checkout(6);
    expect(six.length).toBe(one.length);
    // Over the limit, the failure lists the statements.
    expect(one.length > MAX_STATEMENTS ? one.map((s) => s.replace(/\s+/g, ' ').slice(0, 120)) : []).toEqual([]);
    // One transaction, and the test provider's session is in it: nothing is written after its COMMIT.
    expect(one.filter((s) => /^\s*COMMIT/i.test(s))).toHaveLength(1);
    expect(one[one.length - 1]).toMatch(/^\s*COMMIT/i);
  });

  /**
   * Each socket write to PostgreSQL is a flight of statements the checkout then waits on: the
   * store; BEGIN with every read of the lines (variants, prices, settings, the levels to hold);
   * then the reservation, the stock (checked and taken in one statement), the order, its payment
   * session and the COMMIT: the levels stay locked only while PostgreSQL runs that last flight.
   */
  it('places an order naming its variants in 3 flights to PostgreSQL, however many lines', async () => {
    await place(2, true);
    expect((await place(1, true)).writes).toBe(3);
    expect((await place(6, true)).writes).toBe(3);
  });

  it("audits a signed-in customer's hold, written before the stock is locked: one flight more", async () => {
    const customer = await registerCustomer(t);
    const placed = await place(2, true, customer.auth);
    expect(placed.writes).toBe(4);
    const [row] = await t.dataSource.query(
      `SELECT a.actor_id, a.merchant_id, r.reference FROM audit_logs a JOIN inventory_reservations r ON r.id = a.entity_id::uuid
        WHERE a.action = 'inventory.reserve' AND r.reference = $1`,
      [placed.response.body.order_id],
    );
    expect(row).toEqual({ actor_id: customer.id, merchant_id: merchant.merchantId, reference: placed.response.body.order_id });
  });
});
