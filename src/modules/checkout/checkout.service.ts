import { createHash, randomUUID } from 'node:crypto';
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG, AppConfig, AppException, commitNow, formatMinor, NotFoundError, pipelinedTransaction, preparedQuery, RequestContext, useGenericPlans, ValidationError } from '@app/common';
import { CartService } from '../cart/cart.service';
import type { CartOwner } from '../cart/cart-owner';
import { defaultVariantIds, loadPurchasableVariants, PurchasableVariant } from '../catalog/purchasable-variants';
import { InventoryService } from '../inventory/inventory.service';
import { Merchant } from '../merchants/entities/merchant.entity';
import { Order } from '../orders/entities/order.entity';
import { OrderDraft, OrdersService } from '../orders/orders.service';
import { PaymentsService } from '../payments/payments.service';
import type { CheckoutSession } from '../payments/providers/payment-provider';
import { prefetchPricingSettings, PricingInput, SHIPPING_CALCULATOR, ShippingCalculator, TAX_STRATEGY, TaxStrategy } from './checkout-pricing';
import { CheckoutDto, CheckoutResultDto } from './dto/checkout.dto';
import { CheckoutIdempotencyKey } from './entities/checkout.entities';

const KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;

export class NotPurchasableError extends AppException {
  constructor(message: string, detail: unknown) {
    super('ERR_NOT_PURCHASABLE', message, HttpStatus.UNPROCESSABLE_ENTITY, detail);
  }
}

export class IdempotencyKeyReusedError extends AppException {
  constructor() {
    super('ERR_IDEMPOTENCY_KEY_REUSED', 'Idempotency-Key was already used with a different request', HttpStatus.UNPROCESSABLE_ENTITY, { header: 'Idempotency-Key' });
  }
}

type CheckoutStore = Pick<Merchant, 'id' | 'status' | 'defaultCurrency' | 'supportedCurrencies' | 'connectedAccountId' | 'platformFeePercentage'>;

interface Line {
  productId: string;
  variantId: string | undefined;
  quantity: number;
}

/**
 * POST /public/checkout: the buyer's lines (or cart) become a pending order with its stock held.
 * Prices, shipping and tax come from the database and the merchant's settings, never the request.
 * One transaction holds the idempotency key, the reservation (every line or none; 409
 * ERR_OUT_OF_STOCK), the order and its order.created event. The payment session is opened in
 * that transaction when the provider's sessions are rows of this database (the test provider), and
 * after the commit otherwise (Stripe), so no lock is held while a provider answers over the network.
 */
@Injectable()
export class CheckoutService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SHIPPING_CALCULATOR) private readonly shipping: ShippingCalculator,
    @Inject(TAX_STRATEGY) private readonly tax: TaxStrategy,
    private readonly inventory: InventoryService,
    private readonly orders: OrdersService,
    private readonly payments: PaymentsService,
    private readonly carts: CartService,
  ) {}

  async checkout(ctx: RequestContext, input: CheckoutDto, owner: CartOwner, idempotencyKey?: string): Promise<{ body: CheckoutResultDto; replayed: boolean }> {
    if (idempotencyKey !== undefined && !KEY_PATTERN.test(idempotencyKey)) {
      throw new ValidationError('Idempotency-Key: 1 to 200 visible ASCII characters', { 'Idempotency-Key': ['must be 1 to 200 visible ASCII characters'] });
    }
    const merchant = await this.store(input.merchant_id);
    if (!merchant || merchant.status !== 'ACTIVE') throw new NotFoundError('Store', input.merchant_id);
    const fromCart = !input.items;
    const cart = fromCart ? await this.carts.checkoutLines(owner, merchant.id) : null;
    const lines: Line[] = cart
      ? cart.lines.map((l) => ({ productId: l.productId, variantId: l.variantId, quantity: l.quantity }))
      : input.items!.map((i) => ({ productId: i.product_id.toLowerCase(), variantId: i.variant_id?.toLowerCase(), quantity: i.quantity }));
    // A cart is priced in its own currency; an explicit one must then agree with it.
    const currency = input.currency ?? cart?.currency ?? merchant.defaultCurrency;
    if (!merchant.supportedCurrencies.includes(currency)) {
      throw new ValidationError(`currency: this store sells in ${merchant.supportedCurrencies.join(', ')}`, { currency: [`must be one of ${merchant.supportedCurrencies.join(', ')}`] });
    }
    if (cart && cart.currency !== currency) {
      throw new ValidationError(`currency: the cart is priced in ${cart.currency}`, { currency: [`must be ${cart.currency}, the cart's currency`] });
    }
    const requestHash = createHash('sha256').update(JSON.stringify({ ...input, currency, lines })).digest('hex');

    const outcome = await pipelinedTransaction(this.dataSource, async (manager): Promise<{ orderId: string; created: boolean; placed?: Order; items?: OrderDraft['items']; session?: CheckoutSession }> => {
      await useGenericPlans(manager);
      const orderId = randomUUID();
      if (idempotencyKey !== undefined) {
        const existing = await this.claimKey(manager, merchant.id, idempotencyKey, requestHash, orderId);
        if (existing) return { orderId: existing, created: false };
      }
      return { orderId, created: true, ...(await this.placeOrder(manager, ctx, orderId, merchant, currency, lines, input, owner)) };
    });

    if (outcome.created && fromCart) await this.carts.clear(owner);
    // A new order is used as the transaction wrote it (nothing else can have changed it yet: its id was just made).
    const placed = outcome.placed ?? (await this.dataSource.manager.findOneByOrFail(Order, { id: outcome.orderId }));
    // Opened in the transaction (the test provider), else now: no lock is held while Stripe answers.
    const { order, clientSecret } = outcome.session
      ? { order: placed, clientSecret: outcome.session.clientSecret }
      : await this.payments.ensureCheckoutSession(placed, outcome.items, merchant);
    return { body: this.result(order, clientSecret), replayed: !outcome.created };
  }

  /** What a checkout needs of the store (a prepared statement: it runs in every checkout). */
  private async store(merchantId: string): Promise<CheckoutStore | null> {
    const [row] = await preparedQuery<{ id: string; status: Merchant['status']; default_currency: string; supported_currencies: string[]; connected_account_id: string | null; platform_fee_percentage: string | null }>(
      this.dataSource.manager,
      `SELECT id, status, default_currency, supported_currencies, connected_account_id, platform_fee_percentage FROM merchants WHERE id = $1`,
      [merchantId],
    );
    return row
      ? { id: row.id, status: row.status, defaultCurrency: row.default_currency, supportedCurrencies: row.supported_currencies, connectedAccountId: row.connected_account_id, platformFeePercentage: row.platform_fee_percentage }
      : null;
  }

  /**
   * Inserts the key first: a concurrent request with the same key waits here for the first one's
   * commit, then gets its order. Returns that order's id, or null when this request owns the key.
   */
  private async claimKey(manager: EntityManager, merchantId: string, key: string, requestHash: string, orderId: string): Promise<string | null> {
    const inserted: unknown[] = await manager.query(
      `INSERT INTO checkout_idempotency_keys (merchant_id, key, request_hash, order_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT (merchant_id, key) DO NOTHING RETURNING id`,
      [merchantId, key, requestHash, orderId],
    );
    if (inserted.length) return null;
    const stored = await manager.findOneByOrFail(CheckoutIdempotencyKey, { merchantId, key });
    if (stored.requestHash !== requestHash) throw new IdempotencyKeyReusedError();
    return stored.orderId;
  }

  private async placeOrder(
    manager: EntityManager,
    ctx: RequestContext,
    orderId: string,
    merchant: CheckoutStore,
    currency: string,
    lines: Line[],
    input: CheckoutDto,
    owner: CartOwner,
  ): Promise<{ placed: Order; items: OrderDraft['items']; session?: CheckoutSession }> {
    prefetchPricingSettings(manager, merchant.id);
    // With every line's variant named (what storefronts send), the reservation's levels are read in the same flight.
    if (lines.every((l) => l.variantId)) this.inventory.prefetchReservationLevels(manager, merchant.id, lines.map((l) => l.variantId!));
    const priced = await this.priceLines(manager, merchant.id, currency, lines);
    const subtotal = priced.reduce((sum, l) => sum + l.total, 0);
    const pricing: PricingInput = {
      merchantId: merchant.id,
      currency,
      destinationCountry: input.shipping_address.country_alpha2,
      subtotal,
      items: priced.map((l) => ({ productId: l.v.productId, variantId: l.v.variantId, quantity: l.quantity, unitPrice: l.v.unitPrice!, weightGrams: l.v.weightGrams, requiresShipping: l.v.requiresShipping })),
      shippingRateId: input.shipping_rate_id ?? null,
    };
    const shipping = await this.shipping.quote(manager, pricing);
    const tax = await this.tax.quote(manager, pricing, shipping);
    const amountTotal = subtotal + shipping.amount + (tax.inclusive ? 0 : tax.amount);

    // Sent, not waited for: a line it cannot hold fails the transaction (409), and the order, its
    // session and the COMMIT below go out in the same flight.
    const hold = await this.inventory.holdForNewOrder(ctx, merchant.id, priced.map((l) => ({ variantId: l.v.variantId, quantity: l.quantity })), {
      manager,
      reference: orderId,
      ttlSeconds: this.config.inventory.reservationTtlSeconds,
      // priceLines just read them in this transaction: live, of this store.
      variants: new Map(priced.map((l) => [l.v.variantId, { id: l.v.variantId, productId: l.v.productId, trackInventory: l.v.trackInventory }])),
    });
    const address = input.shipping_address;
    const items = priced.map((l) => ({
      productId: l.v.productId,
      variantId: l.v.variantId,
      productName: l.v.productName,
      sku: l.v.sku,
      variantAttributes: l.v.attributes,
      imageUrl: l.v.imageUrl,
      quantity: l.quantity,
      unitPrice: l.v.unitPrice!,
      total: l.total,
    }));
    const draft: OrderDraft = {
      id: orderId,
      merchantId: merchant.id,
      customerUserId: owner.userId ?? null,
      customerEmail: input.email.toLowerCase(),
      customerName: input.name,
      currency,
      subtotal,
      shippingFee: shipping.amount,
      taxAmount: tax.amount,
      amountTotal,
      pricesIncludeTax: tax.inclusive,
      taxRateBps: tax.rateBps,
      shippingRateId: shipping.rateId,
      shippingAddress: {
        line_1: address.line_1,
        line_2: address.line_2 || null,
        city: address.city,
        state: address.state || null,
        postal_code: address.postal_code,
        country_alpha2: address.country_alpha2,
        contact_name: address.contact_name,
        contact_phone: address.contact_phone ?? null,
        contact_email: address.contact_email?.toLowerCase() ?? null,
      },
      reservationId: hold.id,
      expiresAt: hold.expiresAt,
      successUrl: input.success_url,
      cancelUrl: input.cancel_url,
      utm: { source: input.utm_source, medium: input.utm_medium, campaign: input.utm_campaign, term: input.utm_term, content: input.utm_content, gclid: input.gclid },
      items,
    };
    const opening = await this.payments.prepareCheckoutSession(draft, merchant);
    const placing = this.orders.createPending(manager, ctx, opening ? { ...draft, ...opening.order } : draft);
    const writing = opening?.write(manager);
    // The COMMIT goes out right behind the order's statement (and the session's): the store's
    // order-number counter, which that statement locks, and the stock levels reserved above stay
    // locked only while PostgreSQL runs them, not while this process gets round to reading an answer.
    const [placed] = await Promise.all([placing, writing, commitNow(manager)]);
    return { placed, items, session: opening?.session };
  }

  /** Every line resolved to a sellable variant of this store with its current price, or a 4xx naming the line. */
  private async priceLines(manager: EntityManager, merchantId: string, currency: string, lines: Line[]): Promise<{ v: PurchasableVariant; quantity: number; total: number }[]> {
    const needDefault = [...new Set(lines.filter((l) => !l.variantId).map((l) => l.productId))];
    const defaults = await defaultVariantIds(manager, needDefault, merchantId);
    const variantIds = lines.map((l, i) => {
      if (l.variantId) return l.variantId;
      const d = defaults.get(l.productId);
      if (!d) throw new NotFoundError('Product', l.productId);
      if (!d.variantId) throw new ValidationError(`items.${i}.variant_id: this product has several variants; name one`, { [`items.${i}.variant_id`]: ['is required for a product with several variants'] });
      return d.variantId;
    });
    const variants = await loadPurchasableVariants(manager, variantIds, { merchantId, currency });
    return lines.map((line, i) => {
      const v = variants.get(variantIds[i]);
      if (!v || v.productId !== line.productId) throw new NotFoundError('Variant', variantIds[i]);
      if (v.problems.length) throw new NotPurchasableError(`items.${i}: ${v.productName} cannot be bought now (${v.problems.join(', ')})`, { line: i, product_id: v.productId, variant_id: v.variantId, problems: v.problems });
      return { v, quantity: line.quantity, total: v.unitPrice! * line.quantity };
    });
  }

  private result(order: Order, clientSecret: string | null): CheckoutResultDto {
    const money = (minor: number) => formatMinor(minor, order.currency);
    return {
      order_id: order.id,
      order_number: order.orderNumber,
      status: order.status,
      checkout_url: order.checkoutUrl,
      payment_intent_client_secret: clientSecret,
      expires_at: order.expiresAt.toISOString(),
      currency: order.currency,
      subtotal: money(order.subtotal),
      shipping_fee: money(order.shippingFee),
      tax_amount: money(order.taxAmount),
      amount_total: money(order.amountTotal),
      payment_provider: order.paymentProvider,
    };
  }
}
