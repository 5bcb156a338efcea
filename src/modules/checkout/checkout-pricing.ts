import { EntityManager } from 'typeorm';
import { preparedQuery } from '@app/common';
import type { CheckoutSettings } from './entities/checkout.entities';

export interface PricingInput {
  merchantId: string;
  currency: string;
  destinationCountry: string;
  /** Sum of the lines, minor units. */
  subtotal: number;
  items: { productId: string; variantId: string; quantity: number; unitPrice: number; weightGrams: number | null; requiresShipping: boolean }[];
  shippingRateId?: string | null;
}

export interface ShippingQuote {
  amount: number;
  rateId: string;
  name: string;
}

/**
 * Prices the delivery of an order. The default is the merchant's flat rate per currency; the
 * shipping module's zone/carrier calculator replaces it by binding SHIPPING_CALCULATOR.
 */
export interface ShippingCalculator {
  quote(manager: EntityManager, input: PricingInput): Promise<ShippingQuote>;
}
export const SHIPPING_CALCULATOR = Symbol('SHIPPING_CALCULATOR');

export interface TaxQuote {
  /** Minor units. Inclusive: the part of the total that is tax; exclusive: added on top. */
  amount: number;
  rateBps: number;
  inclusive: boolean;
}

/** Taxes an order; the default reads the merchant's rates by destination country. A tax provider binds TAX_STRATEGY. */
export interface TaxStrategy {
  quote(manager: EntityManager, input: PricingInput, shipping: ShippingQuote): Promise<TaxQuote>;
}
export const TAX_STRATEGY = Symbol('TAX_STRATEGY');

/**
 * Shipping and tax both read the store's settings in the same checkout transaction: read them once
 * per transaction (a transaction's manager is used for one checkout and then dropped). Managers
 * outside a transaction are not cached, as they live for the whole process.
 */
type PricingSettings = Pick<CheckoutSettings, 'flatShippingRates' | 'freeShippingThresholds' | 'pricesIncludeTax' | 'defaultTaxRateBps' | 'taxRates' | 'taxShipping'>;

const settingsInTransaction = new WeakMap<EntityManager, Map<string, Promise<PricingSettings | null>>>();

/** A prepared statement: it runs in every checkout. */
async function readSettings(manager: EntityManager, merchantId: string): Promise<PricingSettings | null> {
  const [row] = await preparedQuery<{ flat: Record<string, number>; free: Record<string, number>; inclusive: boolean; bps: number; rates: Record<string, number>; tax_shipping: boolean }>(
    manager,
    `SELECT flat_shipping_rates AS flat, free_shipping_thresholds AS free, prices_include_tax AS inclusive, default_tax_rate_bps AS bps, tax_rates AS rates, tax_shipping
       FROM checkout_settings WHERE merchant_id = $1`,
    [merchantId],
  );
  return row ? { flatShippingRates: row.flat, freeShippingThresholds: row.free, pricesIncludeTax: row.inclusive, defaultTaxRateBps: row.bps, taxRates: row.rates, taxShipping: row.tax_shipping } : null;
}

async function settingsOf(manager: EntityManager, merchantId: string): Promise<PricingSettings | null> {
  const read = () => readSettings(manager, merchantId);
  if (!manager.queryRunner?.isTransactionActive) return read();
  let byMerchant = settingsInTransaction.get(manager);
  if (!byMerchant) settingsInTransaction.set(manager, (byMerchant = new Map()));
  let settings = byMerchant.get(merchantId);
  if (!settings) byMerchant.set(merchantId, (settings = read()));
  return settings;
}

/**
 * Starts the default strategies' read of the store's settings now, so that in a pipelined
 * transaction it leaves with the checkout's other reads instead of costing a round trip of its own
 * once the lines are priced. Strategies that read nothing (a tax provider) leave it unused.
 */
export function prefetchPricingSettings(manager: EntityManager, merchantId: string): void {
  // Whoever quotes awaits the same read and sees its failure; this copy must not be unhandled.
  settingsOf(manager, merchantId).catch(() => undefined);
}

export class FlatRateShippingCalculator implements ShippingCalculator {
  async quote(manager: EntityManager, input: PricingInput): Promise<ShippingQuote> {
    if (!input.items.some((i) => i.requiresShipping)) return { amount: 0, rateId: 'no_shipping', name: 'No shipping required' };
    const settings = await settingsOf(manager, input.merchantId);
    const threshold = settings?.freeShippingThresholds[input.currency];
    if (threshold !== undefined && input.subtotal >= threshold) return { amount: 0, rateId: 'free', name: 'Free shipping' };
    const rate = settings?.flatShippingRates[input.currency];
    return rate ? { amount: rate, rateId: 'flat', name: 'Flat rate' } : { amount: 0, rateId: 'free', name: 'Free shipping' };
  }
}

/** Integer rounding half away from zero of a × b / c, with a, b, c ≥ 0. */
function mulDivRound(a: number, b: number, c: number): number {
  return Number((BigInt(a) * BigInt(b) * 2n + BigInt(c)) / (2n * BigInt(c)));
}

/** Tax from a base amount at `rateBps`, rounded half up: exclusive base × rate; inclusive (extracted) base × rate / (1 + rate). */
export function taxOf(base: number, rateBps: number, inclusive: boolean): number {
  if (rateBps <= 0 || base <= 0) return 0;
  return inclusive ? mulDivRound(base, rateBps, 10_000 + rateBps) : mulDivRound(base, rateBps, 10_000);
}

export class CountryRateTaxStrategy implements TaxStrategy {
  async quote(manager: EntityManager, input: PricingInput, shipping: ShippingQuote): Promise<TaxQuote> {
    const settings = await settingsOf(manager, input.merchantId);
    if (!settings) return { amount: 0, rateBps: 0, inclusive: false };
    const rateBps = settings.taxRates[input.destinationCountry] ?? settings.defaultTaxRateBps;
    const base = input.subtotal + (settings.taxShipping ? shipping.amount : 0);
    return { amount: taxOf(base, rateBps, settings.pricesIncludeTax), rateBps, inclusive: settings.pricesIncludeTax };
  }
}
