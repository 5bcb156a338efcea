import { formatMinor, Money } from '@app/common';
import type { PurchasableVariant } from '../catalog/purchasable-variants';
import { CartWarning, stockLimit } from './cart-lines';
import type { StoredCart } from './cart-stores';
import { CartDto, CartItemDto, CartItemProblem } from './dto/cart.dto';

/** What is still known of a variant the catalog no longer offers (deleted, or its product deleted). */
export interface GoneVariant {
  productName: string | null;
  sku: string | null;
  attributes: Record<string, string>;
}

/** "M / Red": the attribute values in their stored order; null for a variant without attributes (a product's default). */
export function variantTitle(attributes: Record<string, string>): string | null {
  const values = Object.values(attributes ?? {}).filter((v) => v !== '');
  return values.length ? values.join(' / ') : null;
}

function problemOf(variant: PurchasableVariant | undefined, unitPrice: number | null, limit: number | null, quantity: number): CartItemProblem | null {
  if (!variant) return 'product_unavailable';
  if (variant.problems.includes('store_not_active')) return 'store_unavailable';
  if (variant.problems.includes('product_not_active') || variant.problems.includes('variant_not_active')) return 'product_unavailable';
  if (unitPrice === null) return 'price_unavailable';
  if (limit !== null && limit <= 0) return 'out_of_stock';
  if (limit !== null && limit < quantity) return 'insufficient_stock';
  return null;
}

function warningFor(item: CartItemDto, currency: string | null): CartWarning {
  const name = item.product_name ?? 'An item';
  const messages: Record<CartItemProblem, string> = {
    product_unavailable: `${name} is no longer available`,
    store_unavailable: `The store selling ${name} is not taking orders at the moment`,
    price_unavailable: `${name} has no price in ${currency}`,
    out_of_stock: `${name} is out of stock`,
    insufficient_stock: `Only ${item.available_quantity} of ${name} can be bought now; the cart holds ${item.quantity}`,
  };
  return { code: item.unavailable_reason!, message: messages[item.unavailable_reason!], product_id: item.product_id, variant_id: item.variant_id };
}

/**
 * The cart as the routes answer it, from its stored lines and the catalog's current facts about
 * them (`variants`: read in the cart's currency just now). Lines that cannot be bought as they are
 * stay in the cart, flagged and explained in `warnings`, never silently dropped.
 */
export function buildCartView(stored: StoredCart, variants: Map<string, PurchasableVariant>, gone: Map<string, GoneVariant>, notes: CartWarning[] = []): CartDto {
  const { contents } = stored;
  const currency = contents.currency;
  let subtotal = Money.zero(currency ?? 'USD');
  const items = contents.lines.map((line): CartItemDto => {
    const variant = variants.get(line.variantId);
    const fallback = gone.get(line.variantId);
    const unitPrice = variant && variant.currency === currency ? variant.unitPrice : null;
    const limit = variant ? stockLimit(variant) : 0;
    const problem = problemOf(variant, unitPrice, limit, line.quantity);
    const listed = problem !== 'product_unavailable' && problem !== 'store_unavailable';
    const attributes = variant?.attributes ?? fallback?.attributes ?? {};
    const total = unitPrice === null ? null : Money.of(unitPrice, currency!).multiply(line.quantity);
    if (problem === null && total) subtotal = subtotal.add(total);
    return {
      product_id: line.productId,
      variant_id: line.variantId,
      product_name: variant?.productName ?? fallback?.productName ?? null,
      variant_title: variantTitle(attributes),
      sku: variant?.sku ?? fallback?.sku ?? null,
      variant_attributes: attributes,
      image_url: variant?.imageUrl ?? null,
      quantity: line.quantity,
      unit_price: unitPrice === null ? null : formatMinor(unitPrice, currency!),
      total: total ? total.toDecimalString() : null,
      available_quantity: listed ? limit : 0,
      in_stock: listed && (limit === null || limit > 0),
      purchasable: problem === null,
      unavailable_reason: problem,
    };
  });
  const warnings = [...notes, ...items.filter((i) => i.unavailable_reason).map((i) => warningFor(i, currency))];
  return {
    ...(stored.id ? { id: stored.id } : {}),
    merchant_id: contents.merchantId,
    currency,
    items,
    item_count: items.reduce((sum, i) => sum + i.quantity, 0),
    line_count: items.length,
    subtotal: currency ? subtotal.toDecimalString() : '0',
    purchasable: items.length > 0 && items.every((i) => i.purchasable),
    ...(warnings.length ? { warnings } : {}),
  };
}
