import { randomUUID } from 'node:crypto';
import { ConflictError } from '@app/common';
import { TestPaymentSession } from '../src/modules/payments/entities/test-payment-session.entity';
import {
  CreateCheckoutInput,
  InvalidWebhookError,
  PAYMENT_PROVIDER,
  paymentIdempotencyKey,
  PaymentProvider,
  PaymentProviderError,
  ProviderEvent,
  transferGroupFor,
} from '../src/modules/payments/providers/payment-provider';
import { STRIPE_API_VERSION, StripePaymentProvider } from '../src/modules/payments/providers/stripe.provider';
import { TestPaymentProvider } from '../src/modules/payments/providers/test.provider';
import { bootTestApp, TestApp } from './harness/app';
import { FakeStripe, parseStripeForm } from './support/fake-stripe';

const HOUR = 3600_000;

function checkoutInput(overrides: Partial<CreateCheckoutInput> = {}): CreateCheckoutInput {
  const orderId = overrides.orderId ?? randomUUID();
  return {
    orderId,
    orderNumber: '1042',
    merchantId: randomUUID(),
    amountMinor: 2 * 1250 + 499 + 1000 + 300,
    currency: 'USD',
    customerEmail: 'buyer@example.com',
    lines: [
      { name: 'Mug', quantity: 2, unitAmountMinor: 1250 },
      { name: 'Poster', quantity: 1, unitAmountMinor: 499 },
    ],
    shippingMinor: 1000,
    taxMinor: 300,
    successUrl: 'https://shop.example/thanks?session={CHECKOUT_SESSION_ID}',
    cancelUrl: 'https://shop.example/cart',
    expiresAt: new Date(Date.now() + 2 * HOUR),
    idempotencyKey: paymentIdempotencyKey('checkout', orderId),
    ...overrides,
  };
}

/** The error a promise rejects with (fails the test when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

function thrown(fn: () => unknown): any {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}

describe('Payment providers', () => {
  describe('Stripe (the real SDK against the fake Stripe server)', () => {
    let fake: FakeStripe;
    let stripe: StripePaymentProvider;

    beforeAll(async () => {
      fake = await FakeStripe.start();
      stripe = new StripePaymentProvider({ secretKey: fake.apiKey, webhookSecret: fake.webhookSecret, apiBaseUrl: fake.baseUrl });
    });
    afterAll(() => fake?.close());

    /** A session the fake's customer has paid. */
    async function paidSession(overrides: Partial<CreateCheckoutInput> = {}) {
      const input = checkoutInput(overrides);
      const session = await stripe.createCheckoutSession(input);
      fake.completeSession(session.sessionId);
      const status = await stripe.retrieveStatus(session.sessionId);
      return { input, session, status };
    }

    it('creates a payment-mode Checkout Session with the order in metadata, priced lines, shipping and tax, under our idempotency key and the pinned API version', async () => {
      const input = checkoutInput();
      const before = Math.floor(Date.now() / 1000);
      const session = await stripe.createCheckoutSession(input);

      expect(session).toEqual({
        provider: 'stripe',
        sessionId: expect.stringMatching(/^cs_test_/),
        paymentIntentId: null,
        url: `https://checkout.stripe.com/c/pay/${session.sessionId}`,
        clientSecret: null,
        expiresAt: new Date(Math.floor(input.expiresAt.getTime() / 1000) * 1000),
      });
      const [request] = fake.requestsTo('/v1/checkout/sessions', 'POST').slice(-1);
      expect(request).toMatchObject({ idempotencyKey: `commerce:checkout:${input.orderId}`, stripeVersion: STRIPE_API_VERSION, status: 200, replayed: false });
      const orderMetadata = { order_id: input.orderId, order_number: '1042', merchant_id: input.merchantId };
      expect(request.params).toMatchObject({
        mode: 'payment',
        client_reference_id: input.orderId,
        customer_email: 'buyer@example.com',
        success_url: input.successUrl,
        cancel_url: input.cancelUrl,
        metadata: orderMetadata,
        payment_intent_data: { metadata: orderMetadata, description: 'Order 1042' },
      });
      expect(request.params.line_items).toEqual([
        { quantity: '2', price_data: { currency: 'usd', unit_amount: '1250', product_data: { name: 'Mug' } } },
        { quantity: '1', price_data: { currency: 'usd', unit_amount: '499', product_data: { name: 'Poster' } } },
        { quantity: '1', price_data: { currency: 'usd', unit_amount: '1000', product_data: { name: 'Shipping' } } },
        { quantity: '1', price_data: { currency: 'usd', unit_amount: '300', product_data: { name: 'Tax' } } },
      ]);
      expect(Number(request.params.expires_at)).toBeGreaterThanOrEqual(before + 2 * 3600 - 1);
      // Not a connected-account sale: no transfer group.
      expect(request.params.payment_intent_data.transfer_group).toBeUndefined();
      expect(fake.sessions.get(session.sessionId)).toMatchObject({ amount_total: 4299, currency: 'usd', status: 'open' });
    });

    it('replays a retried creation with the same key (one session), and refuses the key with other parameters', async () => {
      const input = checkoutInput();
      const first = await stripe.createCheckoutSession(input);
      const sessionsBefore = fake.sessions.size;
      const again = await stripe.createCheckoutSession(input);
      expect(again).toEqual(first);
      expect(fake.sessions.size).toBe(sessionsBefore);
      expect(fake.requestsTo('/v1/checkout/sessions', 'POST').slice(-1)[0]).toMatchObject({ idempotencyKey: input.idempotencyKey, replayed: true });

      const changed = await rejection(stripe.createCheckoutSession({ ...input, taxMinor: 0, amountMinor: input.amountMinor - 300 }));
      expect(changed).toBeInstanceOf(PaymentProviderError);
      expect(changed).toMatchObject({ kind: 'idempotency_conflict', retryable: false });
      expect(changed.getStatus()).toBe(409);
    });

    it('clamps the expiry into Stripe\'s window (the fake refuses anything outside it) and reports the real one', async () => {
      const soon = await stripe.createCheckoutSession(checkoutInput({ expiresAt: new Date(Date.now() + 5 * 60_000) }));
      expect(soon.expiresAt.getTime()).toBeGreaterThanOrEqual(Date.now() + 30 * 60_000);
      const late = await stripe.createCheckoutSession(checkoutInput({ expiresAt: new Date(Date.now() + 72 * HOUR) }));
      expect(late.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 24 * HOUR);
    });

    it('charges a connected merchant\'s sale on the platform, with the order\'s transfer group (separate charges and transfers)', async () => {
      const input = checkoutInput({ connectedAccountId: 'acct_merchant1', applicationFeeMinor: 430 });
      await stripe.createCheckoutSession(input);
      const { params } = fake.requestsTo('/v1/checkout/sessions', 'POST').slice(-1)[0];
      expect(params.payment_intent_data).toMatchObject({ transfer_group: transferGroupFor(input.orderId), metadata: { connected_account_id: 'acct_merchant1', platform_fee_minor: '430' } });
      expect(params.payment_intent_data.transfer_data).toBeUndefined();
      expect(params.payment_intent_data.application_fee_amount).toBeUndefined();
    });

    it('refuses a checkout whose lines do not add up to the amount, before calling Stripe', async () => {
      const count = fake.requests.length;
      const err = await rejection(stripe.createCheckoutSession(checkoutInput({ amountMinor: 1 })));
      expect(err).toMatchObject({ kind: 'invalid_request' });
      expect(fake.requests.length).toBe(count);
    });

    it('maps the session\'s state: pending, paid (with the charge), failed (with the reason), expired — reading it with the payment intent and charge expanded', async () => {
      const pending = await stripe.createCheckoutSession(checkoutInput());
      expect(await stripe.retrieveStatus(pending.sessionId)).toEqual({
        state: 'pending',
        sessionId: pending.sessionId,
        paymentIntentId: null,
        chargeId: null,
        amountMinor: 4299,
        currency: 'USD',
        failureMessage: null,
      });
      const [read] = fake.requestsTo(`/v1/checkout/sessions/${pending.sessionId}`, 'GET');
      expect(read.params.expand).toEqual(['payment_intent', 'payment_intent.latest_charge']);

      const { session, status } = await paidSession();
      const intent = fake.sessions.get(session.sessionId)!.payment_intent;
      expect(status).toEqual({
        state: 'paid',
        sessionId: session.sessionId,
        paymentIntentId: intent,
        chargeId: fake.paymentIntents.get(intent)!.latest_charge,
        amountMinor: 4299,
        currency: 'USD',
        failureMessage: null,
      });

      const declined = await stripe.createCheckoutSession(checkoutInput());
      const failedIntent = fake.failPayment(declined.sessionId);
      expect(await stripe.retrieveStatus(declined.sessionId)).toMatchObject({ state: 'failed', paymentIntentId: failedIntent.id, chargeId: null, failureMessage: 'Your card was declined.' });

      const late = await stripe.createCheckoutSession(checkoutInput());
      fake.expireSession(late.sessionId);
      expect((await stripe.retrieveStatus(late.sessionId)).state).toBe('expired');

      const missing = await rejection(stripe.retrieveStatus('cs_test_nope'));
      expect(missing).toMatchObject({ kind: 'not_found', providerCode: 'resource_missing' });
    });

    it('expires an open session with our key, and reports `paid` when the customer paid first', async () => {
      const open = await stripe.createCheckoutSession(checkoutInput());
      expect(await stripe.expireSession(open.sessionId, paymentIdempotencyKey('expire', open.sessionId))).toBe('expired');
      expect(fake.requestsTo(`/v1/checkout/sessions/${open.sessionId}/expire`)[0]).toMatchObject({ idempotencyKey: `commerce:expire:${open.sessionId}`, status: 200 });
      expect(fake.sessions.get(open.sessionId)!.status).toBe('expired');

      const { session } = await paidSession();
      expect(await stripe.expireSession(session.sessionId, paymentIdempotencyKey('expire', session.sessionId))).toBe('paid');
      expect(fake.requestsTo(`/v1/checkout/sessions/${session.sessionId}/expire`)[0].status).toBe(400);
    });

    it('refunds with our idempotency key (a retry replays, not refunds twice) and surfaces the captured-amount cap as a typed error', async () => {
      const { status } = await paidSession();
      const pi = status.paymentIntentId!;
      const refundInput = { paymentIntentId: pi, amountMinor: 1000, currency: 'USD', reason: 'requested_by_customer' as const, idempotencyKey: paymentIdempotencyKey('refund', 'r1', pi), metadata: { refund_id: 'r1' } };
      const refund = await stripe.refund(refundInput);
      expect(refund).toEqual({ refundId: expect.stringMatching(/^re_/), status: 'succeeded', amountMinor: 1000, currency: 'USD', paymentIntentId: pi });
      expect(fake.requestsTo('/v1/refunds', 'POST').slice(-1)[0]).toMatchObject({
        idempotencyKey: refundInput.idempotencyKey,
        params: { payment_intent: pi, amount: '1000', reason: 'requested_by_customer', metadata: { refund_id: 'r1' } },
      });

      expect(await stripe.refund(refundInput)).toEqual(refund);
      expect(fake.requestsTo('/v1/refunds', 'POST').slice(-1)[0].replayed).toBe(true);
      expect(fake.charges.get(status.chargeId!)!.amount_refunded).toBe(1000);

      const tooMuch = await rejection(stripe.refund({ ...refundInput, amountMinor: 3300, idempotencyKey: paymentIdempotencyKey('refund', 'r2', pi) }));
      expect(tooMuch).toBeInstanceOf(PaymentProviderError);
      expect(tooMuch).toMatchObject({ kind: 'refund_exceeds_captured', providerCode: 'amount_too_large', retryable: false });
      expect(tooMuch.getStatus()).toBe(409);

      await stripe.refund({ ...refundInput, amountMinor: 3299, idempotencyKey: paymentIdempotencyKey('refund', 'r3', pi) });
      const again = await rejection(stripe.refund({ ...refundInput, amountMinor: 1, idempotencyKey: paymentIdempotencyKey('refund', 'r4', pi) }));
      expect(again).toMatchObject({ kind: 'refund_exceeds_captured', providerCode: 'charge_already_refunded' });
      expect(fake.charges.get(status.chargeId!)).toMatchObject({ amount_refunded: 4299, refunded: true });
    });

    it('transfers to the connected account with our key, the transfer group and the funding charge', async () => {
      const { input, status } = await paidSession({ connectedAccountId: 'acct_merchant2', applicationFeeMinor: 430 });
      const transferInput = {
        amountMinor: 3869,
        currency: 'USD',
        destinationAccountId: 'acct_merchant2',
        transferGroup: transferGroupFor(input.orderId),
        sourceChargeId: status.chargeId,
        idempotencyKey: paymentIdempotencyKey('transfer', input.orderId),
      };
      const { transferId } = await stripe.createTransfer(transferInput);
      expect(transferId).toMatch(/^tr_/);
      expect(fake.requestsTo('/v1/transfers').slice(-1)[0]).toMatchObject({
        idempotencyKey: `commerce:transfer:${input.orderId}`,
        params: { amount: '3869', currency: 'usd', destination: 'acct_merchant2', transfer_group: `order_${input.orderId}`, source_transaction: status.chargeId },
      });
      expect(await stripe.createTransfer(transferInput)).toEqual({ transferId });
      expect(fake.transfers.size).toBe(1);
      // The payment intent carries the same group, so Stripe's reports tie charge and payout together.
      expect(fake.paymentIntents.get(status.paymentIntentId!)!.transfer_group).toBe(`order_${input.orderId}`);
    });

    it('retries a failing Stripe with the same idempotency key, then gives up with a retryable error', async () => {
      const { status } = await paidSession();
      const key = paymentIdempotencyKey('refund', 'retry', status.paymentIntentId!);
      fake.failNext('/v1/refunds', 2);
      const refund = await stripe.refund({ paymentIntentId: status.paymentIntentId!, amountMinor: 100, currency: 'USD', idempotencyKey: key });
      const attempts = fake.requests.filter((r) => r.path === '/v1/refunds' && r.idempotencyKey === key);
      expect(attempts.map((r) => r.status)).toEqual([500, 500, 200]);
      expect(refund.amountMinor).toBe(100);

      fake.failNext('/v1/transfers', 3);
      const down = await rejection(stripe.createTransfer({ amountMinor: 100, currency: 'USD', destinationAccountId: 'acct_x', transferGroup: 'order_x', idempotencyKey: 'commerce:transfer:down' }));
      expect(down).toMatchObject({ kind: 'unavailable', retryable: true });
      expect(down.getStatus()).toBe(503);
      expect(fake.requestsTo('/v1/transfers').filter((r) => r.idempotencyKey === 'commerce:transfer:down')).toHaveLength(3);
    }, 20_000);

    it('reports bad credentials as a non-retryable authentication error', async () => {
      const wrongKey = new StripePaymentProvider({ secretKey: 'sk_test_wrong', webhookSecret: null, apiBaseUrl: fake.baseUrl, maxNetworkRetries: 0 });
      expect(await rejection(wrongKey.retrieveStatus('cs_test_x'))).toMatchObject({ kind: 'authentication', retryable: false });
    });

    describe('verifyWebhook', () => {
      const order = randomUUID();
      const sessionObject = { id: 'cs_test_1', object: 'checkout.session', client_reference_id: order, metadata: { order_id: order }, payment_intent: 'pi_1', amount_total: 4299, currency: 'usd' };

      it('accepts a correctly signed body and normalizes the ids of every handled event type', () => {
        const verify = (type: string, object: Record<string, unknown>) => {
          const event = fake.makeEvent(type, object);
          const { body, header } = fake.signedWebhook(event);
          return { event, verified: stripe.verifyWebhook(Buffer.from(body), header) };
        };
        const { event, verified } = verify('checkout.session.completed', sessionObject);
        expect(verified).toEqual({ id: event.id, type: 'checkout.session.completed', created: new Date(event.created * 1000), object: sessionObject, orderId: order, sessionId: 'cs_test_1', paymentIntentId: 'pi_1' });
        expect(verify('checkout.session.expired', { ...sessionObject, payment_intent: null }).verified).toMatchObject({ orderId: order, sessionId: 'cs_test_1', paymentIntentId: null });
        const intent = { id: 'pi_2', object: 'payment_intent', metadata: { order_id: order } };
        expect(verify('payment_intent.succeeded', intent).verified).toMatchObject({ orderId: order, sessionId: null, paymentIntentId: 'pi_2' });
        expect(verify('payment_intent.payment_failed', intent).verified).toMatchObject({ orderId: order, paymentIntentId: 'pi_2' });
        expect(verify('charge.refunded', { id: 'ch_1', object: 'charge', payment_intent: 'pi_3', amount_refunded: 500, metadata: {} }).verified).toMatchObject({ orderId: null, paymentIntentId: 'pi_3' });
        expect(verify('charge.dispute.created', { id: 'dp_1', object: 'dispute', charge: 'ch_1', payment_intent: 'pi_4', amount: 4299 }).verified).toMatchObject({ paymentIntentId: 'pi_4' });
      });

      it('refuses a tampered body, a wrong secret, a missing header, an old timestamp and an unsigned junk body, with a 400', () => {
        const event = fake.makeEvent('checkout.session.completed', sessionObject);
        const { body, header } = fake.signedWebhook(event);
        const reason = (raw: string, sig: string | undefined, provider = stripe) => {
          const err = thrown(() => provider.verifyWebhook(Buffer.from(raw), sig));
          expect(err).toBeInstanceOf(InvalidWebhookError);
          expect(err.getStatus()).toBe(400);
          return err.reason;
        };
        expect(reason(body.replace('4299', '1'), header)).toBe('invalid_signature');
        expect(reason(body, fake.signedWebhook(event, { secret: 'whsec_someone_else' }).header)).toBe('invalid_signature');
        expect(reason(body, undefined)).toBe('missing_signature');
        expect(reason(body, '')).toBe('missing_signature');
        expect(reason(body, 'garbage')).toBe('invalid_signature');
        const old = fake.signedWebhook(event, { timestamp: Math.floor(Date.now() / 1000) - 600 });
        expect(reason(old.body, old.header)).toBe('timestamp_outside_tolerance');
        const junk = fake.signedWebhook('not json');
        expect(reason(junk.body, junk.header)).toBe('malformed_payload');
        const withoutSecret = new StripePaymentProvider({ secretKey: fake.apiKey, webhookSecret: null, apiBaseUrl: fake.baseUrl });
        expect(reason(body, header, withoutSecret)).toBe('invalid_signature');
        // A parsed body is a caller bug, not a bad webhook.
        expect(() => stripe.verifyWebhook(JSON.parse(body), header)).toThrow(/raw request body/);
      });
    });

    it('parses Stripe\'s form encoding: nested keys, indexed and empty-bracket arrays, escapes', () => {
      expect(parseStripeForm('a[b][0][c]=1&a[b][0][d]=x%20y&a[b][1][c]=2&expand[]=p&expand[]=q&m[k]=a%5Bb%5D+c&__proto__[x]=1')).toEqual({
        a: { b: [{ c: '1', d: 'x y' }, { c: '2' }] },
        expand: ['p', 'q'],
        m: { k: 'a[b] c' },
      });
    });
  });

  describe('the test provider (PostgreSQL) and the module wiring', () => {
    let t: TestApp;
    let provider: PaymentProvider;
    let testProvider: TestPaymentProvider;
    let fake: FakeStripe;

    beforeAll(async () => {
      t = await bootTestApp();
      provider = t.app.get(PAYMENT_PROVIDER);
      testProvider = t.app.get(TestPaymentProvider);
      fake = await FakeStripe.start();
    });
    afterAll(async () => {
      await fake?.close();
      await t?.close();
    });

    const sessionRow = (sessionId: string) => t.dataSource.getRepository(TestPaymentSession).findOneByOrFail({ id: sessionId.replace('test_cs_', '') });

    it('is the provider when no Stripe key is configured, with checkout pages on this API', async () => {
      expect(provider).toBe(testProvider);
      expect(provider.name).toBe('test');
      const input = checkoutInput();
      const session = await provider.createCheckoutSession(input);
      expect(session).toEqual({
        provider: 'test',
        sessionId: expect.stringMatching(/^test_cs_[0-9a-f-]{36}$/),
        paymentIntentId: null,
        url: `${t.config.publicBaseUrl}/api/payments/test-checkout/${session.sessionId}`,
        clientSecret: null,
        expiresAt: input.expiresAt,
      });
      expect(await provider.retrieveStatus(session.sessionId)).toEqual({ state: 'pending', sessionId: session.sessionId, paymentIntentId: null, chargeId: null, amountMinor: 4299, currency: 'USD', failureMessage: null });
      expect(await testProvider.getCheckout(session.sessionId)).toMatchObject({ orderNumber: '1042', state: 'pending', successUrl: `https://shop.example/thanks?session=${session.sessionId}` });

      // Same key: the same session; the key with another amount is refused.
      expect(await provider.createCheckoutSession(input)).toEqual(session);
      expect(await t.dataSource.getRepository(TestPaymentSession).countBy({ orderId: input.orderId })).toBe(1);
      expect(await rejection(provider.createCheckoutSession({ ...input, shippingMinor: 0, amountMinor: 3299 }))).toMatchObject({ kind: 'idempotency_conflict' });
      expect(await rejection(provider.retrieveStatus('test_cs_nope'))).toMatchObject({ kind: 'not_found' });
    });

    it('Pay settles the session and returns the checkout.session.completed event a Stripe webhook would carry; paying twice is the same event', async () => {
      const input = checkoutInput();
      const session = await provider.createCheckoutSession(input);
      const event = await testProvider.complete(session.sessionId);
      const status = await provider.retrieveStatus(session.sessionId);
      expect(status).toMatchObject({ state: 'paid', paymentIntentId: expect.stringMatching(/^test_pi_/), chargeId: expect.stringMatching(/^test_ch_/), amountMinor: 4299, currency: 'USD' });
      expect(event).toEqual({
        id: expect.stringMatching(/^test_evt_/),
        type: 'checkout.session.completed',
        created: expect.any(Date),
        object: expect.objectContaining({ id: session.sessionId, object: 'checkout.session', status: 'complete', payment_status: 'paid', amount_total: 4299, currency: 'usd', payment_intent: status.paymentIntentId }),
        orderId: input.orderId,
        sessionId: session.sessionId,
        paymentIntentId: status.paymentIntentId,
      });
      expect(await testProvider.complete(session.sessionId)).toEqual(event);

      // The same object, delivered as a signed Stripe webhook, normalizes to the same routing ids.
      const viaStripe = new StripePaymentProvider({ secretKey: fake.apiKey, webhookSecret: fake.webhookSecret, apiBaseUrl: fake.baseUrl });
      const { body, header } = fake.signedWebhook(fake.makeEvent(event.type, event.object));
      const pick = ({ type, object, orderId, sessionId, paymentIntentId }: ProviderEvent) => ({ type, object, orderId, sessionId, paymentIntentId });
      expect(pick(viaStripe.verifyWebhook(Buffer.from(body), header))).toEqual(pick(event));

      const failAfterPay = await rejection(testProvider.fail(session.sessionId));
      expect(failAfterPay).toBeInstanceOf(ConflictError);
      expect(await provider.expireSession(session.sessionId, 'k')).toBe('paid');
    });

    it('Fail ends the session with the payment_intent.payment_failed event; it cannot be paid afterwards', async () => {
      const input = checkoutInput();
      const session = await provider.createCheckoutSession(input);
      const event = await testProvider.fail(session.sessionId);
      expect(event).toMatchObject({
        type: 'payment_intent.payment_failed',
        orderId: input.orderId,
        sessionId: null,
        paymentIntentId: expect.stringMatching(/^test_pi_/),
        object: { object: 'payment_intent', status: 'requires_payment_method', amount: 4299, currency: 'usd', metadata: { order_id: input.orderId }, last_payment_error: { code: 'card_declined' } },
      });
      expect(await testProvider.fail(session.sessionId)).toEqual(event);
      expect(await provider.retrieveStatus(session.sessionId)).toMatchObject({ state: 'failed', paymentIntentId: event.paymentIntentId, chargeId: null, failureMessage: 'Your card was declined.' });
      expect((await rejection(testProvider.complete(session.sessionId))).getStatus()).toBe(409);
    });

    it('expires sessions: on request, and by themselves when their time is up (then Pay is refused)', async () => {
      const open = await provider.createCheckoutSession(checkoutInput());
      expect(await provider.expireSession(open.sessionId, 'k')).toBe('expired');
      expect((await provider.retrieveStatus(open.sessionId)).state).toBe('expired');

      const stale = await provider.createCheckoutSession(checkoutInput({ expiresAt: new Date(Date.now() - 1000) }));
      expect(await rejection(testProvider.complete(stale.sessionId))).toBeInstanceOf(ConflictError);
      expect(await sessionRow(stale.sessionId)).toMatchObject({ status: 'expired', settledAt: expect.any(Date) });
      expect((await testProvider.getCheckout(stale.sessionId)).state).toBe('expired');
    });

    it('records refunds up to the captured amount, replays a retried key, and holds the cap under concurrent refunds', async () => {
      const session = await provider.createCheckoutSession(checkoutInput());
      const refundUnpaid = await rejection(provider.refund({ paymentIntentId: 'test_pi_unknown', amountMinor: 1, currency: 'USD', idempotencyKey: 'x' }));
      expect(refundUnpaid).toMatchObject({ kind: 'not_found' });
      const paid = await testProvider.complete(session.sessionId);
      const pi = paid.paymentIntentId!;

      const first = { paymentIntentId: pi, amountMinor: 1000, currency: 'USD', reason: 'duplicate' as const, idempotencyKey: paymentIdempotencyKey('refund', 'a', pi) };
      const refund = await provider.refund(first);
      expect(refund).toEqual({ refundId: expect.stringMatching(/^test_re_[0-9a-f-]{36}$/), status: 'succeeded', amountMinor: 1000, currency: 'USD', paymentIntentId: pi });
      expect(await provider.refund(first)).toEqual(refund);
      expect(await rejection(provider.refund({ ...first, amountMinor: 999 }))).toMatchObject({ kind: 'idempotency_conflict' });
      expect((await sessionRow(session.sessionId)).refundedMinor).toBe(1000);

      const tooMuch = await rejection(provider.refund({ ...first, amountMinor: 3300, idempotencyKey: 'commerce:refund:b' }));
      expect(tooMuch).toMatchObject({ kind: 'refund_exceeds_captured', providerCode: 'amount_too_large' });

      // 3299 left: six concurrent refunds of 600 — exactly five fit.
      const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => provider.refund({ ...first, amountMinor: 600, idempotencyKey: `commerce:refund:c${i}` })));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
      const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(refused.map((r) => r.reason.kind)).toEqual(['refund_exceeds_captured']);
      expect((await sessionRow(session.sessionId)).refundedMinor).toBe(4000);
      const [{ sum }] = await t.dataSource.query(`SELECT sum(amount_minor)::int AS sum FROM test_payment_refunds WHERE payment_intent_id = $1`, [pi]);
      expect(sum).toBe(4000);

      await provider.refund({ ...first, amountMinor: 299, idempotencyKey: 'commerce:refund:d' });
      expect(await rejection(provider.refund({ ...first, amountMinor: 1, idempotencyKey: 'commerce:refund:e' }))).toMatchObject({ kind: 'refund_exceeds_captured', providerCode: 'charge_already_refunded' });
    });

    it('refuses to refund a payment that was not captured', async () => {
      const session = await provider.createCheckoutSession(checkoutInput());
      const failed = await testProvider.fail(session.sessionId);
      expect(await rejection(provider.refund({ paymentIntentId: failed.paymentIntentId!, amountMinor: 1, currency: 'USD', idempotencyKey: 'commerce:refund:f' }))).toMatchObject({ kind: 'invalid_request' });
    });

    it('gives a retried transfer the same id, and checks its funding charge', async () => {
      const session = await provider.createCheckoutSession(checkoutInput());
      await testProvider.complete(session.sessionId);
      const { chargeId } = await provider.retrieveStatus(session.sessionId);
      const transfer = { amountMinor: 3869, currency: 'USD', destinationAccountId: 'acct_1', transferGroup: 'order_1', sourceChargeId: chargeId, idempotencyKey: 'commerce:transfer:1' };
      const { transferId } = await provider.createTransfer(transfer);
      expect(transferId).toMatch(/^test_tr_/);
      expect(await provider.createTransfer(transfer)).toEqual({ transferId });
      expect((await provider.createTransfer({ ...transfer, idempotencyKey: 'commerce:transfer:2' })).transferId).not.toBe(transferId);
      expect(await rejection(provider.createTransfer({ ...transfer, sourceChargeId: 'test_ch_unknown', idempotencyKey: 'commerce:transfer:3' }))).toMatchObject({ kind: 'invalid_request' });
    });

    it('has no webhooks', () => {
      const err = thrown(() => provider.verifyWebhook(Buffer.from('{}'), 't=1,v1=x'));
      expect(err).toBeInstanceOf(InvalidWebhookError);
      expect(err.reason).toBe('not_supported');
    });

    it('the module picks Stripe when a key is configured', async () => {
      const withStripe = await bootTestApp({ env: { STRIPE_SECRET_KEY: fake.apiKey, STRIPE_WEBHOOK_SECRET: fake.webhookSecret, STRIPE_API_BASE_URL: fake.baseUrl } });
      try {
        const chosen = withStripe.app.get<PaymentProvider>(PAYMENT_PROVIDER);
        expect(chosen).toBeInstanceOf(StripePaymentProvider);
        expect(chosen).toBe(withStripe.app.get(StripePaymentProvider));
        const session = await chosen.createCheckoutSession(checkoutInput());
        expect(fake.sessions.has(session.sessionId)).toBe(true);
      } finally {
        await withStripe.close();
      }
    });
  });
});
