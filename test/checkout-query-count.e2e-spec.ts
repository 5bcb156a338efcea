import { bootTestApp, TestApp } from './harness/app';
import { createAdmin, registerMerchant, TestAccount } from './support/identity';
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

  beforeAll(async () => {
    t = await bootTestApp();
    counter = new SqlStatementCounter(t).install();
    merchant = await registerMerchant(t, { approve: true, admin: await createAdmin(t) });
    await configureCheckout(t, merchant, { flat_shipping_rates: [{ currency: 'USD', amount: '5.00' }], tax_rates: [{ country_code: 'US', rate: '10' }] });
    for (let i = 0; i < 6; i++) products.push((await stockedProduct(t, merchant, { stock: 100, status: 'active' })).id);
  });
  afterAll(async () => {
    counter?.uninstall();
    await t?.close();
  });

  const checkout = async (lines: number) => {
    const body = checkoutBody(merchant.merchantId!, products.slice(0, lines).map((id, i) => ({ product_id: id, quantity: i + 1 })));
    const { response, statements } = await counter.request({ method: 'POST', url: '/api/public/checkout', payload: body });
    expect(response.statusCode).toBe(201);
    return statements;
  };

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
});
