import { randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import type { Job } from 'bullmq';
import { OrderEventsHandler } from '../src/modules/orders/order-events.handler';
import { bootTestApp, TestApp } from './harness/app';
import { createAdmin, registerMerchant, TestAccount } from './support/identity';
import { stockedProduct } from './support/inventory';
import { checkoutBody } from './support/orders';
import { SqlStatementCounter } from './support/sql-statements';

/**
 * What consuming an order event costs the worker in SQL, for a store with no notification channels
 * (the common case): the rollup (lock, claim and counters in one statement), the customer email's
 * check and claim, and the merchant's notification (recorded and its channels read in one). No
 * statement is a transaction of its own (BEGIN … COMMIT): each is one round trip. bench/RESULTS.md
 * has what this halved; raising MAX_STATEMENTS should be a choice.
 */
const MAX_STATEMENTS = 4;

describe('Order event consumer SQL statements', () => {
  let t: TestApp;
  let worker: INestApplicationContext;
  let merchant: TestAccount;
  let counter: SqlStatementCounter;
  let event: { id: string; payload: Parameters<OrderEventsHandler['created']>[0] };

  beforeAll(async () => {
    t = await bootTestApp();
    merchant = await registerMerchant(t, { approve: true, admin: await createAdmin(t) });
    const product = await stockedProduct(t, merchant, { stock: 10, status: 'active' });
    await t.http.post('/api/public/checkout').send(checkoutBody(merchant.merchantId!, [{ product_id: product.id, quantity: 1 }])).expect(201);
    [event] = await t.dataSource.query(`SELECT id, payload FROM outbox_events WHERE name = 'order.created' AND payload->>'merchant_id' = $1`, [merchant.merchantId]);
    // Not started: the handler is called here, once per delivery, not by a BullMQ worker.
    worker = await t.startWorker({ autoStart: false });
    counter = new SqlStatementCounter(t).install();
  });
  afterAll(async () => {
    counter?.uninstall();
    await t?.close();
  });

  /** The event's payload delivered as job `id` (the outbox row's id, as the relay names jobs). */
  const deliver = (id: string, attemptsMade: number) =>
    counter.run(() => worker.get(OrderEventsHandler).created(event.payload, { id, attemptsMade, opts: { attempts: 8 } } as unknown as Job));

  it(`consumes order.created in at most ${MAX_STATEMENTS} statements, none a transaction, and a redelivery changes nothing`, async () => {
    const first = await deliver(event.id, 0);
    expect(first.statements.length > MAX_STATEMENTS ? first.statements.map((s) => s.replace(/\s+/g, ' ').slice(0, 120)) : []).toEqual([]);
    expect(first.statements.filter((s) => /^\s*(BEGIN|START TRANSACTION|COMMIT)/i.test(s))).toEqual([]);

    const state = async () => ({
      placed: (await t.dataSource.query(`SELECT orders_placed FROM merchant_daily_sales WHERE merchant_id = $1`, [merchant.merchantId])).map((r: { orders_placed: number }) => r.orders_placed),
      notifications: await t.dataSource.query(`SELECT id, dedupe_key FROM notifications WHERE merchant_id = $1`, [merchant.merchantId]),
      claims: (await t.dataSource.query(`SELECT consumer FROM processed_events WHERE event_id = $1 ORDER BY consumer`, [event.id])).map((r: { consumer: string }) => r.consumer),
    });
    const after = await state();
    expect(after.placed).toEqual([1]);
    expect(after.notifications).toEqual([{ id: first.result.notification_id, dedupe_key: `order-event:${event.id}` }]);
    expect(after.claims).toEqual(['analytics.order-rollup', 'orders.customer-email']);

    const again = await deliver(event.id, 1);
    expect(again.result.notification_id).toBe(first.result.notification_id);
    expect(again.statements.length).toBeLessThanOrEqual(first.statements.length);
    expect(await state()).toEqual(after);
  });

  it('counts each new event once more', async () => {
    await deliver(randomUUID(), 0);
    expect((await t.dataSource.query(`SELECT orders_placed FROM merchant_daily_sales WHERE merchant_id = $1`, [merchant.merchantId]))[0].orders_placed).toBe(2);
  });
});
