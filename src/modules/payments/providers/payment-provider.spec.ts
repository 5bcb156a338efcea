import { assertCheckoutTotals, CreateCheckoutInput, derivedUuid, normalizeProviderEvent, paymentIdempotencyKey, PaymentProviderError } from './payment-provider';
import { checkoutExpiresAt } from './stripe.provider';
import { renderTestCheckoutPage } from './test-checkout-page';
import type { TestCheckoutView } from './test.provider';

const checkout = (overrides: Partial<CreateCheckoutInput> = {}): CreateCheckoutInput => ({
  orderId: 'o1',
  orderNumber: '1001',
  merchantId: 'm1',
  amountMinor: 2 * 1500 + 500 + 350,
  currency: 'USD',
  customerEmail: 'c@example.com',
  lines: [{ name: 'Mug', quantity: 2, unitAmountMinor: 1500 }],
  shippingMinor: 500,
  taxMinor: 350,
  successUrl: 'https://shop.example/ok',
  cancelUrl: 'https://shop.example/cancel',
  expiresAt: new Date(),
  idempotencyKey: 'k',
  ...overrides,
});

describe('payment provider helpers', () => {
  it('builds idempotency keys from our ids, refusing empty ids and overlong keys', () => {
    expect(paymentIdempotencyKey('checkout', 'o1')).toBe('commerce:checkout:o1');
    expect(paymentIdempotencyKey('refund', 'o1', 'r2')).toBe('commerce:refund:o1:r2');
    expect(() => paymentIdempotencyKey('checkout')).toThrow(/non-empty ids/);
    expect(() => paymentIdempotencyKey('checkout', '')).toThrow(/non-empty ids/);
    expect(() => paymentIdempotencyKey('checkout', 'x'.repeat(300))).toThrow(/255/);
  });

  it('accepts a checkout whose lines, shipping and tax add up to the amount, and refuses any other', () => {
    expect(() => assertCheckoutTotals(checkout(), 'stripe')).not.toThrow();
    expect(() => assertCheckoutTotals(checkout({ taxMinor: 0, amountMinor: 3500 }), 'stripe')).not.toThrow();
    const refused = (input: CreateCheckoutInput) => {
      try {
        assertCheckoutTotals(input, 'stripe');
      } catch (err) {
        return err instanceof PaymentProviderError ? err.kind : String(err);
      }
      return 'accepted';
    };
    expect(refused(checkout({ amountMinor: 3849 }))).toBe('invalid_request');
    expect(refused(checkout({ lines: [] }))).toBe('invalid_request');
    expect(refused(checkout({ lines: [{ name: 'Mug', quantity: 0, unitAmountMinor: 1500 }], amountMinor: 850 }))).toBe('invalid_request');
    expect(refused(checkout({ lines: [{ name: 'Mug', quantity: 2, unitAmountMinor: 15.5 }], amountMinor: 881 }))).toBe('invalid_request');
    expect(refused(checkout({ shippingMinor: -500, amountMinor: 2850 }))).toBe('invalid_request');
  });

  it('clamps a checkout expiry into Stripe\'s 30 min – 24 h window, with a minute of margin', () => {
    const now = new Date('2026-11-23T12:00:00Z');
    const at = (minutes: number) => new Date(now.getTime() + minutes * 60_000);
    const seconds = (date: Date) => date.getTime() / 1000;
    expect(checkoutExpiresAt(at(10), now)).toBe(seconds(at(31)));
    expect(checkoutExpiresAt(at(-5), now)).toBe(seconds(at(31)));
    expect(checkoutExpiresAt(at(90), now)).toBe(seconds(at(90)));
    expect(checkoutExpiresAt(at(3 * 24 * 60), now)).toBe(seconds(at(24 * 60 - 1)));
  });

  it('normalizes the ids of every event object kind the payments service handles', () => {
    const created = new Date();
    expect(normalizeProviderEvent('evt_1', 'checkout.session.completed', created, { object: 'checkout.session', id: 'cs_1', metadata: { order_id: 'o1' }, payment_intent: 'pi_1' })).toEqual({
      id: 'evt_1',
      type: 'checkout.session.completed',
      created,
      object: expect.any(Object),
      orderId: 'o1',
      sessionId: 'cs_1',
      paymentIntentId: 'pi_1',
    });
    // Without metadata the client reference still names the order; an expanded payment intent gives its id.
    expect(normalizeProviderEvent('e', 'checkout.session.expired', created, { object: 'checkout.session', id: 'cs_2', client_reference_id: 'o2', payment_intent: { id: 'pi_2' } })).toMatchObject({
      orderId: 'o2',
      sessionId: 'cs_2',
      paymentIntentId: 'pi_2',
    });
    expect(normalizeProviderEvent('e', 'payment_intent.payment_failed', created, { object: 'payment_intent', id: 'pi_3', metadata: { order_id: 'o3' } })).toMatchObject({
      orderId: 'o3',
      sessionId: null,
      paymentIntentId: 'pi_3',
    });
    expect(normalizeProviderEvent('e', 'charge.refunded', created, { object: 'charge', id: 'ch_1', payment_intent: 'pi_4', metadata: {} })).toMatchObject({ orderId: null, sessionId: null, paymentIntentId: 'pi_4' });
    expect(normalizeProviderEvent('e', 'charge.dispute.created', created, { object: 'dispute', id: 'dp_1', charge: 'ch_1', payment_intent: 'pi_5' })).toMatchObject({ paymentIntentId: 'pi_5' });
    expect(normalizeProviderEvent('e', 'customer.created', created, { object: 'customer', id: 'cus_1' })).toMatchObject({ orderId: null, sessionId: null, paymentIntentId: null });
  });

  it('derives stable, distinct UUID-shaped ids', () => {
    expect(derivedUuid('a', 'b')).toBe(derivedUuid('a', 'b'));
    expect(derivedUuid('a', 'b')).not.toBe(derivedUuid('ab'));
    expect(derivedUuid('x')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('test checkout page', () => {
  const view = (overrides: Partial<TestCheckoutView> = {}): TestCheckoutView => ({
    sessionId: 'test_cs_00000000-0000-4000-8000-000000000001',
    orderId: 'o1',
    orderNumber: '<1001>',
    amountMinor: 9900,
    currency: 'USD',
    state: 'pending',
    expiresAt: new Date(),
    successUrl: 'https://shop.example/ok',
    cancelUrl: 'javascript:alert(1)',
    ...overrides,
  });

  it('offers Pay and Fail as plain forms while pending, with the amount, and escapes what it shows', () => {
    const html = renderTestCheckoutPage(view());
    expect(html).toContain('<form method="post" action="/api/payments/test-checkout/test_cs_00000000-0000-4000-8000-000000000001/pay">');
    expect(html).toContain('<form method="post" action="/api/payments/test-checkout/test_cs_00000000-0000-4000-8000-000000000001/fail">');
    expect(html).toContain('Pay 99.00 USD');
    expect(html).toContain('Order &lt;1001&gt;');
    expect(html).not.toMatch(/<script/i);
  });

  it('shows the outcome without buttons once settled, linking back only to http(s) URLs', () => {
    const paid = renderTestCheckoutPage(view({ state: 'paid' }));
    expect(paid).not.toContain('<form');
    expect(paid).toContain('Paid');
    expect(paid).toContain('href="https://shop.example/ok"');
    const failed = renderTestCheckoutPage(view({ state: 'failed' }));
    expect(failed).toContain('Payment failed');
    expect(failed).not.toContain('javascript:');
  });
});
