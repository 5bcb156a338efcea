import { TransfersService } from '../src/modules/payments/transfers.service';
import { Payment } from '../src/modules/payments/entities/payment.entity';
import { Order } from '../src/modules/orders/entities/order.entity';
import { bootTestApp, TestApp } from './harness/app';
import { FakeStripe } from './support/fake-stripe';
import { createAdmin, registerCustomer, registerMerchant, TestAccount } from './support/identity';
import { stockedProduct } from './support/inventory';
import { configureCheckout, eventually } from './support/orders';
import { PaidOrder, placePaidOrder } from './support/paid-orders';

const DAY_MS = 24 * 3600 * 1000;

/**
 * Marketplace payouts against the real `stripe` SDK and the fake Stripe server: payout settings,
 * the transfer recorded with the platform fee when a payment succeeds, the delayed job paying it
 * with an idempotency key, refunds before the payout reducing it, and the merchant's reports.
 */
describe('Merchant transfers (Stripe through the fake server)', () => {
  let fake: FakeStripe;
  let t: TestApp;
  let admin: TestAccount;
  let customer: TestAccount;

  beforeAll(async () => {
    fake = await FakeStripe.start();
    t = await bootTestApp({ env: { STRIPE_SECRET_KEY: fake.apiKey, STRIPE_WEBHOOK_SECRET: fake.webhookSecret, STRIPE_API_BASE_URL: fake.baseUrl } });
    await t.startWorker();
    admin = await createAdmin(t);
    customer = await registerCustomer(t);
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  /** An ACTIVE store selling a 10.00 product with 5.00 shipping and 10 % US tax (3 units: 38.50), optionally connected. */
  async function store(account: string | null) {
    const merchant = await registerMerchant(t, { approve: true, admin });
    const product = await stockedProduct(t, merchant, { stock: 500, status: 'active' });
    await configureCheckout(t, merchant, { flat_shipping_rates: [{ currency: 'USD', amount: '5.00' }], tax_rates: [{ country_code: 'US', rate: '10' }] });
    if (account) await t.http.put('/api/merchants/me/payouts').set(merchant.auth).send({ connected_account_id: account }).expect(200);
    const order = (quantity = 3): Promise<PaidOrder> => placePaidOrder(t, merchant.merchantId!, [{ product_id: product.id, quantity }], { fake });
    return { merchant, product, order };
  }

  const transferOf = async (orderId: string) => (await t.dataSource.query(`SELECT * FROM merchant_transfers WHERE order_id = $1`, [orderId]))[0];
  const transferRequests = (key: string) => fake.requestsTo('/v1/transfers', 'POST').filter((r) => r.idempotencyKey === key);
  const makeDue = async (transferId: string) => {
    await t.dataSource.query(`UPDATE merchant_transfers SET available_on = now() - interval '1 second' WHERE id = $1`, [transferId]);
    await t.dataSource.query(`UPDATE outbox_events SET available_at = now() WHERE name = 'transfer.pay' AND payload->>'transfer_id' = $1`, [transferId]);
  };

  it('lets the merchant connect its account and an admin set its fee, and nobody else', async () => {
    const { merchant } = await store(null);
    const initial = await t.http.get('/api/merchants/me/payouts').set(merchant.auth).expect(200);
    expect(initial.body).toEqual({
      merchant_id: merchant.merchantId,
      connected_account_id: null,
      payouts_enabled: false,
      platform_fee_percentage: '10.00',
      platform_fee_percentage_override: null,
      default_platform_fee_percentage: '10.00',
      transfer_delay_days: 7,
    });
    const connected = await t.http.put('/api/merchants/me/payouts').set(merchant.auth).send({ connected_account_id: 'acct_1Payouts' });
    expect(connected.body).toMatchObject({ connected_account_id: 'acct_1Payouts', payouts_enabled: true });
    expect((await t.http.put('/api/merchants/me/payouts').set(merchant.auth).send({ connected_account_id: 'ba_123' })).status).toBe(422);
    // The fee is the admin's: merchants cannot set it, through either route.
    const ignored = await t.http.put('/api/merchants/me/payouts').set(merchant.auth).send({ platform_fee_percentage: '0' });
    expect(ignored.body.platform_fee_percentage).toBe('10.00');
    expect((await t.http.put(`/api/admin/merchants/${merchant.merchantId}/payouts`).set(merchant.auth).send({ platform_fee_percentage: '0' })).status).toBe(403);

    const set = await t.http.put(`/api/admin/merchants/${merchant.merchantId}/payouts`).set(admin.auth).send({ platform_fee_percentage: 12.5 });
    expect(set.body).toMatchObject({ platform_fee_percentage: '12.50', platform_fee_percentage_override: '12.50', connected_account_id: 'acct_1Payouts' });
    for (const bad of ['100.01', '12.345', '-1', 'ten']) {
      const res = await t.http.put(`/api/admin/merchants/${merchant.merchantId}/payouts`).set(admin.auth).send({ platform_fee_percentage: bad });
      expect([bad, res.status]).toEqual([bad, 422]);
    }
    expect((await t.http.get(`/api/admin/merchants/${merchant.merchantId}/payouts`).set(admin.auth)).body.platform_fee_percentage).toBe('12.50');
    const reset = await t.http.put(`/api/admin/merchants/${merchant.merchantId}/payouts`).set(admin.auth).send({ platform_fee_percentage: null });
    expect(reset.body).toMatchObject({ platform_fee_percentage: '10.00', platform_fee_percentage_override: null });

    // An API key (even a writing one) cannot redirect payouts; a customer and anonymous callers get nothing.
    const writer = (await t.http.post('/api/merchant/api-keys').set(merchant.auth).send({ name: 'rw', scopes: ['read', 'write'] }).expect(201)).body.key;
    expect((await t.http.put('/api/merchants/me/payouts').set('X-API-Key', writer).send({ connected_account_id: 'acct_Thief' })).status).toBe(403);
    expect((await t.http.get('/api/merchants/me/payouts').set('X-API-Key', writer)).body.connected_account_id).toBe('acct_1Payouts');
    expect((await t.http.get('/api/merchants/me/payouts').set(customer.auth)).status).toBe(403);
    expect((await t.http.get('/api/merchants/me/payouts')).status).toBe(401);
    const audit = await t.dataSource.query(`SELECT action FROM audit_logs WHERE entity_id = $1 AND action = 'merchant.payouts.update'`, [merchant.merchantId]);
    expect(audit.length).toBe(4);
  });

  it('records the transfer of a connected merchant\'s paid order: 10.00 % of 38.50 is 3.85, net 34.65, due after the delay', async () => {
    const { merchant, order } = await store('acct_1Fee');
    const paid = await order();
    // The checkout session named the account and the fee (metadata: the charge stays on the platform).
    const session = fake.requestsTo('/v1/checkout/sessions', 'POST').find((r) => r.params.metadata?.order_id === paid.orderId)!;
    expect(session.params.metadata).toMatchObject({ connected_account_id: 'acct_1Fee', platform_fee_minor: '385' });
    expect(session.params.payment_intent_data.transfer_group).toBe(`order_${paid.orderId}`);

    const row = await transferOf(paid.orderId);
    expect(row).toMatchObject({ status: 'scheduled', gross_amount: '3850', refunded_amount: '0', platform_fee: '385', net_amount: '3465', platform_fee_bps: 1000, transfer_delay_days: 7, connected_account_id: 'acct_1Fee' });
    const [payment] = await t.dataSource.query(`SELECT platform_fee::int, connected_account_id, paid_at FROM payments WHERE order_id = $1`, [paid.orderId]);
    expect(payment).toMatchObject({ platform_fee: 385, connected_account_id: 'acct_1Fee' });
    expect(new Date(row.available_on).getTime() - new Date(payment.paid_at).getTime()).toBe(7 * DAY_MS);
    // Its job waits for the same moment.
    const [job] = await t.dataSource.query(`SELECT available_at FROM outbox_events WHERE name = 'transfer.pay' AND payload->>'transfer_id' = $1`, [row.id]);
    expect(Math.abs(new Date(job.available_at).getTime() - new Date(row.available_on).getTime())).toBeLessThan(5_000);

    const list = await t.http.get('/api/transfers/merchant').set(merchant.auth).expect(200);
    expect(list.body).toMatchObject({ total: 1, page: 1, per_page: 20, has_next: false });
    expect(list.body.items[0]).toMatchObject({
      id: row.id,
      order_id: paid.orderId,
      status: 'scheduled',
      currency: 'USD',
      gross_amount: '38.50',
      refunded_amount: '0.00',
      platform_fee: '3.85',
      net_amount: '34.65',
      platform_fee_percentage: '10.00',
      transfer_delay_days: 7,
      provider_transfer_id: null,
      paid_at: null,
    });

    // Recording again (a redelivered payment event) changes nothing.
    await t.dataSource.transaction(async (manager) => {
      const again = await t.app.get(TransfersService).recordForPayment(manager, await manager.findOneByOrFail(Payment, { orderId: paid.orderId }), await manager.findOneByOrFail(Order, { id: paid.orderId }));
      expect(again!.id).toBe(row.id);
    });
    expect(await t.dataSource.query(`SELECT count(*)::int AS n FROM merchant_transfers WHERE order_id = $1`, [paid.orderId])).toEqual([{ n: 1 }]);
  });

  it('applies a store\'s own fee, rounding half a cent up (12.50 % of 38.50 = 4.8125 → 4.81)', async () => {
    const { merchant, order } = await store('acct_1Own');
    await t.http.put(`/api/admin/merchants/${merchant.merchantId}/payouts`).set(admin.auth).send({ platform_fee_percentage: '12.50' }).expect(200);
    const paid = await order();
    expect(await transferOf(paid.orderId)).toMatchObject({ platform_fee: '481', net_amount: '3369', platform_fee_bps: 1250 });
  });

  it('pays a due transfer through the worker\'s job: the net to the connected account, from the order\'s charge, with an idempotency key', async () => {
    const { merchant, order } = await store('acct_1Paid');
    const paid = await order();
    const { id } = await transferOf(paid.orderId);
    // Not due yet: the job does nothing.
    expect((await t.app.get(TransfersService).pay(id)).outcome).toBe('not_due');
    expect(transferRequests(`commerce:transfer:${id}`)).toHaveLength(0);

    await makeDue(id);
    const done = await eventually(() => transferOf(paid.orderId), (r) => r.status !== 'scheduled' && r.status !== 'processing');
    expect(done).toMatchObject({ status: 'paid', provider_transfer_id: expect.stringMatching(/^tr_/), source_charge_id: paid.chargeId, failure_message: null });
    const [sent] = transferRequests(`commerce:transfer:${id}`);
    expect(sent.params).toMatchObject({ amount: '3465', currency: 'usd', destination: 'acct_1Paid', source_transaction: paid.chargeId, transfer_group: `order_${paid.orderId}` });
    expect(fake.transfers.get(done.provider_transfer_id)).toMatchObject({ amount: 3465, destination: 'acct_1Paid' });

    // Again (a redelivered job, the sweep): nothing more is sent.
    expect((await t.app.get(TransfersService).pay(id)).outcome).toBe('done');
    expect(transferRequests(`commerce:transfer:${id}`)).toHaveLength(1);
    const item = (await t.http.get('/api/transfers/merchant').query({ status: 'paid' }).set(merchant.auth)).body.items[0];
    expect(item).toMatchObject({ id, status: 'paid', net_amount: '34.65', provider_transfer_id: done.provider_transfer_id, paid_at: expect.any(String) });
  });

  it('retries a transfer the provider failed with the same key and the same amount, and pays once', async () => {
    const { merchant, order } = await store('acct_1Retry');
    const paid = await order();
    const { id } = await transferOf(paid.orderId);
    await t.dataSource.query(`UPDATE merchant_transfers SET available_on = now() - interval '1 second' WHERE id = $1`, [id]);
    const transfers = t.app.get(TransfersService);
    fake.failNext('/v1/transfers', 3, { method: 'POST' }); // the call and the SDK's two retries
    const first = await transfers.pay(id);
    expect(first.outcome).toBe('retry');
    expect(await transferOf(paid.orderId)).toMatchObject({ status: 'processing', failure_message: expect.stringContaining('Stripe could not transfer'), attempts: 1 });
    // A refund now no longer changes what is being sent (the request must stay the same to be idempotent).
    await t.http.post('/api/refunds/create').set(merchant.auth).send({ payment_intent_id: paid.paymentIntentId, amount: '1.00', reason: 'requested_by_customer' }).expect(201);
    await expect(transfers.pay(id, { throwRetryable: true })).resolves.toMatchObject({ outcome: 'paid' });
    const sent = transferRequests(`commerce:transfer:${id}`);
    expect(sent.map((r) => [r.status, r.params.amount])).toEqual([
      [500, '3465'],
      [500, '3465'],
      [500, '3465'],
      [200, '3465'],
    ]);
    expect([...fake.transfers.values()].filter((tr) => tr.transfer_group === `order_${paid.orderId}`)).toHaveLength(1);
    expect(await transferOf(paid.orderId)).toMatchObject({ status: 'paid', attempts: 2, refunded_amount: '0' });
  });

  it('reduces a scheduled transfer by refunds before the payout, waits for a refund in flight, and cancels it when refunded in full', async () => {
    const { merchant, order } = await store('acct_1Refunds');
    const paid = await order();
    const { id } = await transferOf(paid.orderId);
    const refund = (body: Record<string, unknown>) => t.http.post('/api/refunds/create').set(merchant.auth).send({ payment_intent_id: paid.paymentIntentId, reason: 'requested_by_customer', ...body });

    expect((await refund({ amount: '10.00' })).body.status).toBe('succeeded');
    // 38.50 − 10.00 = 28.50 kept; 10 % of it is 2.85; 25.65 for the merchant.
    expect(await transferOf(paid.orderId)).toMatchObject({ status: 'scheduled', gross_amount: '3850', refunded_amount: '1000', platform_fee: '285', net_amount: '2565' });
    expect((await t.dataSource.query(`SELECT platform_fee::int FROM payments WHERE order_id = $1`, [paid.orderId]))[0].platform_fee).toBe(285);

    // A refund the provider has not confirmed yet holds the payout back. Six failures: the request's
    // call and the worker's first attempt (three HTTP tries each); its retry, 5 s later, goes through.
    fake.failNext('/v1/refunds', 6, { method: 'POST' });
    const inFlight = await refund({ amount: '3.50' });
    expect(inFlight.body.status).toBe('pending');
    await t.dataSource.query(`UPDATE merchant_transfers SET available_on = now() - interval '1 second' WHERE id = $1`, [id]);
    const transfers = t.app.get(TransfersService);
    expect((await transfers.pay(id)).outcome).toBe('postponed');
    expect(await transferOf(paid.orderId)).toMatchObject({ status: 'scheduled', attempts: 0 });
    expect(transferRequests(`commerce:transfer:${id}`)).toHaveLength(0);
    await eventually(async () => (await t.http.get(`/api/refunds/${inFlight.body.id}`).set(merchant.auth)).body.status, (s) => s === 'succeeded', 30_000);
    expect((await transfers.pay(id)).outcome).toBe('paid');
    // 38.50 − 13.50 = 25.00 kept; fee 2.50; 22.50 transferred.
    expect(await transferOf(paid.orderId)).toMatchObject({ status: 'paid', refunded_amount: '1350', platform_fee: '250', net_amount: '2250' });
    expect(transferRequests(`commerce:transfer:${id}`).map((r) => r.params.amount)).toEqual(['2250']);

    // Refunded in full before its payout: nothing to transfer, ever.
    const gone = await order(1);
    await t.http.post('/api/refunds/create').set(merchant.auth).send({ payment_intent_id: gone.paymentIntentId, reason: 'fraudulent' }).expect(201);
    const cancelled = await transferOf(gone.orderId);
    expect(cancelled).toMatchObject({ status: 'cancelled', gross_amount: '1650', refunded_amount: '1650', platform_fee: '0', net_amount: '0' });
    await makeDue(cancelled.id);
    expect((await transfers.pay(cancelled.id)).outcome).toBe('done');
    expect(transferRequests(`commerce:transfer:${cancelled.id}`)).toHaveLength(0);
  });

  it('records no transfer for a store without a connected account', async () => {
    const { merchant, order } = await store(null);
    const paid = await order();
    expect(await transferOf(paid.orderId)).toBeUndefined();
    const [payment] = await t.dataSource.query(`SELECT platform_fee, connected_account_id FROM payments WHERE order_id = $1`, [paid.orderId]);
    expect(payment).toEqual({ platform_fee: null, connected_account_id: null });
    const session = fake.requestsTo('/v1/checkout/sessions', 'POST').find((r) => r.params.metadata?.order_id === paid.orderId)!;
    expect(session.params.metadata.connected_account_id).toBeUndefined();
    expect(session.params.payment_intent_data.transfer_group).toBeUndefined();
    expect((await t.http.get('/api/transfers/merchant').set(merchant.auth)).body).toMatchObject({ items: [], total: 0 });
  });

  it('sums a merchant\'s transfers by currency and status; filters by status and date; keeps them to the merchant', async () => {
    const { merchant, order } = await store('acct_1Summary');
    const first = await order();
    await order();
    const { id } = await transferOf(first.orderId);
    await makeDue(id);
    await eventually(() => transferOf(first.orderId), (r) => r.status === 'paid');

    const summary = await t.http.get('/api/transfers/merchant/summary').set(merchant.auth).expect(200);
    expect(summary.body).toEqual({
      merchant_id: merchant.merchantId,
      currencies: [
        {
          currency: 'USD',
          transfer_count: 2,
          gross_amount: '77.00',
          refunded_amount: '0.00',
          platform_fee: '7.70',
          net_amount: '69.30',
          pending_amount: '34.65',
          paid_amount: '34.65',
          by_status: [
            { status: 'scheduled', count: 1, gross_amount: '38.50', refunded_amount: '0.00', platform_fee: '3.85', net_amount: '34.65' },
            { status: 'paid', count: 1, gross_amount: '38.50', refunded_amount: '0.00', platform_fee: '3.85', net_amount: '34.65' },
          ],
        },
      ],
    });
    const paidOnly = await t.http.get('/api/transfers/merchant/summary').query({ status: 'paid' }).set(merchant.auth);
    expect(paidOnly.body.currencies[0]).toMatchObject({ transfer_count: 1, net_amount: '34.65', pending_amount: '0.00' });

    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + DAY_MS).toISOString().slice(0, 10);
    expect((await t.http.get('/api/transfers/merchant').query({ start_date: today, end_date: today }).set(merchant.auth)).body.total).toBe(2);
    expect((await t.http.get('/api/transfers/merchant').query({ start_date: tomorrow }).set(merchant.auth)).body.total).toBe(0);
    expect((await t.http.get('/api/transfers/merchant').query({ status: 'scheduled', per_page: 1 }).set(merchant.auth)).body).toMatchObject({ total: 1, per_page: 1, has_next: false });
    expect((await t.http.get('/api/transfers/merchant').query({ status: 'sent' }).set(merchant.auth)).status).toBe(422);
    expect((await t.http.get('/api/transfers/merchant').query({ start_date: '2024-02-30' }).set(merchant.auth)).status).toBe(422);

    // Admins name the store (or see every store); other merchants and customers see nothing of it.
    const asAdmin = await t.http.get('/api/transfers/merchant/summary').query({ merchant_id: merchant.merchantId }).set(admin.auth).expect(200);
    expect(asAdmin.body).toEqual(summary.body);
    expect((await t.http.get('/api/transfers/merchant').query({ merchant_id: merchant.merchantId }).set(admin.auth)).body.total).toBe(2);
    expect((await t.http.get('/api/transfers/merchant').set(admin.auth)).body.total).toBeGreaterThan(2);
    const other = (await store('acct_1Other')).merchant;
    expect((await t.http.get('/api/transfers/merchant').query({ merchant_id: merchant.merchantId }).set(other.auth)).body).toMatchObject({ total: 0, items: [] });
    expect((await t.http.get('/api/transfers/merchant/summary').set(other.auth)).body).toEqual({ merchant_id: other.merchantId, currencies: [] });
    expect((await t.http.get('/api/transfers/merchant').set(customer.auth)).status).toBe(403);
    expect((await t.http.get('/api/transfers/merchant/summary').set(customer.auth)).status).toBe(403);
    expect((await t.http.get('/api/transfers/merchant')).status).toBe(401);
    expect((await t.http.get('/api/transfers/merchant/summary')).status).toBe(401);
  });
});
